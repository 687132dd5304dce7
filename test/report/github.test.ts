import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { escapeData, escapeProperty, formatGithub } from '../../src/report/github.js';
import type { FileReport, FindingReport } from '../../src/report/schema.js';
import { project, runCli } from '../support/cli.js';

function finding(overrides: Partial<FindingReport>): FindingReport {
  return {
    ruleId: 'no-drop-table',
    risk: 'high',
    severity: 'error',
    message: 'DROP TABLE legacy deletes the table and all rows.',
    help: 'Drop it in a later migration.',
    line: 2,
    column: 1,
    endLine: 2,
    endColumn: 18,
    lock: 'ACCESS EXCLUSIVE',
    tags: ['data-loss'],
    ...overrides,
  };
}

function file(overrides: Partial<FileReport>): FileReport {
  return {
    path: 'migrations/0001_drop.sql',
    migration: null,
    risk: 'high',
    declaredRisk: null,
    parseErrors: [],
    findings: [],
    suppressed: [],
    ...overrides,
  };
}

describe('GitHub escaping', () => {
  it('escapes %, CR and LF in data', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
  });

  it('also escapes : and , in properties', () => {
    expect(escapeProperty('a%b\r\nc:d,e')).toBe('a%25b%0D%0Ac%3Ad%2Ce');
  });

  it('escapes the message and every property of an annotation', () => {
    const report = buildReport(
      [
        file({
          path: 'dir,with:odd%name\n.sql',
          findings: [finding({ ruleId: 'rule:a,b', message: '50% of rows: gone,\r\nreally', help: 'see a:b, c' })],
        }),
      ],
      16,
    );
    expect(formatGithub(report)).toBe(
      '::error file=dir%2Cwith%3Aodd%25name%0A.sql,line=2,endLine=2,col=1,endColumn=18,title=rule%3Aa%2Cb (risk high)' +
        '::50%25 of rows: gone,%0D%0Areally — see a:b, c\n',
    );
  });
});

describe('formatGithub', () => {
  it('prints one workflow command per finding and parse error, and nothing else', () => {
    const report = buildReport(
      [
        file({
          parseErrors: [{ message: 'syntax error at or near "SELEC"', line: 1, column: 1 }],
          findings: [
            finding({}),
            finding({
              ruleId: 'require-lock-timeout',
              risk: 'low',
              severity: 'warning',
              message: 'No lock_timeout is set.',
              help: "Start with SET lock_timeout = '2s'.",
              line: 3,
              endLine: 6,
              endColumn: 3,
            }),
          ],
          suppressed: [
            {
              ...finding({ line: 8, endLine: 8 }),
              suppression: { kind: 'directive', reason: 'archived', line: 7, column: 1 },
            },
          ],
        }),
        file({ path: 'migrations/0002_clean.sql', risk: 'low' }),
      ],
      16,
    );
    expect(formatGithub(report).split('\n')).toEqual([
      '::error file=migrations/0001_drop.sql,line=1,col=1,title=parse-error (risk high)::syntax error at or near "SELEC"',
      '::error file=migrations/0001_drop.sql,line=2,endLine=2,col=1,endColumn=18,title=no-drop-table (risk high)' +
        '::DROP TABLE legacy deletes the table and all rows. — Drop it in a later migration.',
      // Columns only on a one-line annotation, as GitHub's API requires.
      '::warning file=migrations/0001_drop.sql,line=3,endLine=6,title=require-lock-timeout (risk low)' +
        "::No lock_timeout is set. — Start with SET lock_timeout = '2s'.",
      '',
    ]);
  });

  it('prints nothing for a clean report', () => {
    expect(formatGithub(buildReport([file({ risk: 'low' })], 16))).toBe('');
  });
});

describe('pgwarden lint --format github', () => {
  it('prints only annotations on standard output and keeps the exit code', async () => {
    const cwd = project({ 'a.sql': "SET lock_timeout = '2s';\nDROP TABLE legacy;\n" });
    const { code, stdout } = await runCli(cwd, ['lint', 'a.sql', '--format', 'github'], { tty: true });
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^::error file=a\.sql,line=2,endLine=2,col=1,endColumn=18,title=no-drop-table \(risk high\)::DROP TABLE legacy /);
    expect(lines[1]).toBe('');
  });
});
