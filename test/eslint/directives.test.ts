import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ESLint, Linter } from 'eslint';
import { eslintCli, eslintFor, messageKey, project, removeProjects } from './support.js';

/**
 * Directives through the real ESLint (Node API, ESM and CommonJS configs): ESLint's own
 * `eslint-disable…` comments in SQL, applied and reported by ESLint, and pgwarden's
 * `pgwarden-disable…` directives, applied by the analysis.
 */
afterAll(removeProjects);

const LOCKED = "SET lock_timeout = '2s';\n";

async function lint(text: string, options: { kind?: 'esm' | 'cjs'; eslint?: ESLint.Options; extraConfig?: string } = {}) {
  const dir = project({ kind: options.kind ?? 'esm', files: { 'migrations/0001_change.sql': text }, ...(options.extraConfig ? { extraConfig: options.extraConfig } : {}) });
  const [result] = await eslintFor(dir, options.eslint).lintFiles(['migrations']);
  return result!;
}

const keys = (messages: readonly Linter.LintMessage[]) => messages.map(messageKey);

describe('eslint-disable comments in SQL', () => {
  for (const kind of ['esm', 'cjs'] as const) {
    it(`eslint-disable-next-line suppresses the next line's finding, with its -- reason (${kind})`, async () => {
      const result = await lint(`${LOCKED}-- eslint-disable-next-line pgwarden/no-drop-table -- archived to S3 in OPS-123\nDROP TABLE legacy;\nDROP TABLE other;\n`, { kind });
      expect(keys(result.messages)).toEqual(['pgwarden/no-drop-table 4:1']);
      expect(result.suppressedMessages).toMatchObject([
        { ruleId: 'pgwarden/no-drop-table', line: 3, suppressions: [{ kind: 'directive', justification: 'archived to S3 in OPS-123' }] },
      ]);
      expect(result.errorCount).toBe(1);
    });
  }

  it('eslint-disable-line, in line and block comments, at the end of a statement', async () => {
    const result = await lint(`${LOCKED}DROP TABLE a; -- eslint-disable-line pgwarden/no-drop-table\nTRUNCATE b; /* eslint-disable-line */\nTRUNCATE c;\n`);
    // TRUNCATE c queues for its lock while b, truncated before in the same transaction, stays locked.
    expect(keys(result.messages)).toEqual(['pgwarden/no-truncate 4:1', 'pgwarden/no-lock-after-access-exclusive 4:1']);
    expect(result.suppressedMessages.map(messageKey)).toEqual(['pgwarden/no-drop-table 2:1', 'pgwarden/no-truncate 3:1']);
  });

  it('eslint-disable … eslint-enable ranges, and a comment inside a multi-line statement', async () => {
    const result = await lint(
      [
        "SET lock_timeout = '2s';",
        '/* eslint-disable pgwarden/no-drop-table, pgwarden/no-truncate -- cleanup release */',
        'DROP TABLE a;',
        'TRUNCATE b;',
        '/* eslint-enable pgwarden/no-drop-table */',
        'DROP TABLE c;',
        'TRUNCATE d;',
        'DROP TABLE -- eslint-disable-line pgwarden/no-drop-table',
        '  e;',
        '',
      ].join('\n'),
    );
    expect(keys(result.messages)).toEqual(['pgwarden/no-drop-table 6:1', 'pgwarden/no-lock-after-access-exclusive 6:1']);
    expect(result.suppressedMessages.map(messageKey)).toEqual([
      'pgwarden/no-drop-table 3:1',
      'pgwarden/no-truncate 4:1',
      'pgwarden/no-truncate 7:1',
      'pgwarden/no-drop-table 8:1',
    ]);
  });

  it('a multi-line eslint-disable-line block comment is a problem', async () => {
    const result = await lint(`${LOCKED}TRUNCATE b; /* eslint-disable-line\n */\n`);
    expect(result.messages.map((m) => [m.ruleId, m.line, m.column, m.message])).toEqual([
      ['pgwarden/no-truncate', 2, 1, expect.stringContaining('TRUNCATE b')],
      [null, 2, 13, 'eslint-disable-line comment should not span multiple lines.'],
    ]);
  });

  it('inline configuration comments set rule severities', async () => {
    const result = await lint(`/* eslint pgwarden/no-truncate: off, pgwarden/require-lock-timeout: off */\nTRUNCATE b;\nDROP TABLE c;\n`);
    expect(keys(result.messages)).toEqual(['pgwarden/no-drop-table 3:1', 'pgwarden/no-lock-after-access-exclusive 3:1']);
  });

  it('a directive naming an unknown rule is reported', async () => {
    const result = await lint(`${LOCKED}-- eslint-disable-next-line pgwarden/no-such-rule\nDROP TABLE a;\n`);
    expect(result.messages.map((m) => [m.ruleId, m.line, m.message])).toEqual([
      ['pgwarden/no-such-rule', 2, "Definition for rule 'pgwarden/no-such-rule' was not found."],
      ['pgwarden/no-drop-table', 3, expect.any(String)],
    ]);
  });
});

describe('unused eslint-disable comments', () => {
  const text = `${LOCKED}-- eslint-disable-next-line pgwarden/no-truncate -- nothing to truncate here\nDROP TABLE legacy; -- eslint-disable-line pgwarden/no-drop-table\nSELECT 1; /* eslint-disable-line */\n`;

  it('are reported with linterOptions.reportUnusedDisableDirectives', async () => {
    const result = await lint(text, { extraConfig: "  { linterOptions: { reportUnusedDisableDirectives: 'error' } }," });
    expect(result.messages.map((m) => [m.ruleId, m.line, m.column, m.severity, m.message])).toEqual([
      [null, 2, 1, 2, "Unused eslint-disable directive (no problems were reported from 'pgwarden/no-truncate')."],
      [null, 4, 11, 2, 'Unused eslint-disable directive (no problems were reported).'],
    ]);
  });

  it('are warnings by default, and --fix removes them (leaving a space, as ESLint does)', async () => {
    const result = await lint(text, { eslint: { fix: true } });
    expect(result.messages).toEqual([]);
    expect(result.output).toBe(`${LOCKED} \nDROP TABLE legacy; -- eslint-disable-line pgwarden/no-drop-table\nSELECT 1;  \n`);
  });

  it('make the CLI fail with --report-unused-disable-directives', () => {
    const dir = project({ files: { 'migrations/0001_change.sql': text } });
    const quiet = eslintCli(dir, ['migrations']);
    expect(quiet.status).toBe(0);
    expect(quiet.stdout).toMatch(/2 problems \(0 errors, 2 warnings\)/);
    const strict = eslintCli(dir, ['--report-unused-disable-directives', 'migrations']);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toMatch(/2:1 +error +Unused eslint-disable directive/);
    expect(eslintCli(dir, ['--report-unused-disable-directives-severity', 'off', 'migrations']).stdout).toBe('');
  });
});

describe("pgwarden's own directives", () => {
  it('suppress inside the analysis: nothing reaches ESLint, unused ones are pgwarden findings', async () => {
    const result = await lint(
      [
        "SET lock_timeout = '2s';",
        '-- pgwarden-disable-next-statement no-drop-table -- archived in OPS-123',
        'DROP TABLE legacy;',
        '-- pgwarden-disable-next-statement no-truncate',
        'DROP TABLE other;',
        '',
      ].join('\n'),
    );
    expect(keys(result.messages)).toEqual(['pgwarden/unused-directive 4:1', 'pgwarden/no-drop-table 5:1']);
    expect(result.suppressedMessages).toEqual([]);
  });

  it('and eslint-disable: each applies its own way, and an eslint-disable made redundant is reported unused', async () => {
    const result = await lint(
      [
        "SET lock_timeout = '2s';",
        '-- pgwarden-disable-next-statement no-drop-table',
        '-- eslint-disable-next-line pgwarden/no-drop-table',
        'DROP TABLE legacy;',
        '-- eslint-disable-next-line pgwarden/no-drop-table',
        'DROP TABLE other;',
        '',
      ].join('\n'),
      { extraConfig: "  { linterOptions: { reportUnusedDisableDirectives: 'error' } }," },
    );
    expect(result.messages.map((m) => [m.ruleId, m.line, m.message])).toEqual([
      [null, 3, "Unused eslint-disable directive (no problems were reported from 'pgwarden/no-drop-table')."],
    ]);
    expect(result.suppressedMessages.map(messageKey)).toEqual(['pgwarden/no-drop-table 6:1']);
  });

  it('pgwarden-disable covers the rest of the file', async () => {
    const result = await lint(`-- pgwarden-disable require-lock-timeout, no-truncate -- the runner sets lock_timeout\nTRUNCATE a;\nDROP TABLE b;\n`);
    expect(keys(result.messages)).toEqual(['pgwarden/no-drop-table 3:1', 'pgwarden/no-lock-after-access-exclusive 3:1']);
  });
});

describe('the project itself', () => {
  it("does not lint SQL with its own config (no config object matches .sql)", async () => {
    const { ESLint } = await import('eslint');
    const root = join(import.meta.dirname, '../..');
    const eslint = new ESLint({ cwd: root });
    expect(await eslint.calculateConfigForFile(join(root, 'fixtures/rules/no-drop-table/bad-existing-table.sql'))).toBeUndefined();
  });
});
