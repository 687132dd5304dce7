import { afterAll, describe, expect, it } from 'vitest';
import type { ESLint } from 'eslint';
import { eslintCli, project, removeProjects, type ConfigKind } from './support.js';

/** `npx eslint` on SQL: exit codes follow ESLint's, and match `pgwarden lint` on the same files. */
afterAll(removeProjects);

const FILES = {
  'migrations/0001_clean.sql': 'CREATE TABLE t (id bigint PRIMARY KEY);\n',
  'migrations/0002_warning.sql': 'ALTER TABLE t ADD COLUMN c int;\n',
  'migrations/0003_error.sql': "SET lock_timeout = '2s';\nDROP TABLE legacy;\n",
  'migrations/0004_broken.sql': "SET lock_timeout = '2s';\nSELEC 1;\n",
};

function results(stdout: string): Record<string, string[]> {
  return Object.fromEntries(
    (JSON.parse(stdout) as ESLint.LintResult[]).map((r) => [
      r.filePath.replace(/^.*\/migrations\//, ''),
      r.messages.map((m) => `${m.ruleId} ${m.line}:${m.column} ${m.severity}`),
    ]),
  );
}

describe.each<ConfigKind>(['esm', 'cjs'])('the ESLint CLI with a %s flat config', (kind) => {
  const dir = project({ kind, files: FILES });

  it('exits 0 for a clean file and for warnings only', () => {
    const clean = eslintCli(dir, ['migrations/0001_clean.sql']);
    expect(clean).toEqual({ status: 0, stdout: '', stderr: '' });
    const warning = eslintCli(dir, ['migrations/0002_warning.sql']);
    expect(warning.status).toBe(0);
    expect(warning.stdout).toMatch(/1:1 +warning +No lock_timeout is set .* Help: .* pgwarden\/require-lock-timeout/);
    expect(eslintCli(dir, ['--max-warnings', '0', 'migrations/0002_warning.sql']).status).toBe(1);
  });

  it('exits 1 for an error finding, and for a parse error', () => {
    const error = eslintCli(dir, ['migrations/0003_error.sql']);
    expect(error.status).toBe(1);
    expect(error.stdout).toMatch(/2:1 +error +DROP TABLE legacy deletes the table and all rows\. Help: .* pgwarden\/no-drop-table/);
    const broken = eslintCli(dir, ['migrations/0004_broken.sql']);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/2:1 +error +Parse error: syntax error at or near "SELEC" +pgwarden\/parse-error/);
  });

  it('reports every file in JSON', () => {
    const run = eslintCli(dir, ['--format', 'json', 'migrations']);
    expect(run.status).toBe(1);
    expect(results(run.stdout)).toEqual({
      '0001_clean.sql': [],
      '0002_warning.sql': ['pgwarden/require-lock-timeout 1:1 1'],
      '0003_error.sql': ['pgwarden/no-drop-table 2:1 2'],
      '0004_broken.sql': ['pgwarden/parse-error 2:1 2'],
    });
  });
});

describe('configuration errors', () => {
  it('exit 2 for invalid languageOptions, naming the option', () => {
    const dir = project({ files: FILES, extraConfig: '  { files: ["**/*.sql"], languageOptions: { postgresVersion: 9 } },' });
    const run = eslintCli(dir, ['migrations']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/postgresVersion must be an integer from 10 to 18, not 9/);
  });

  it('pgwarden rules cannot be configured for JavaScript files', () => {
    const dir = project({
      files: { 'a.js': 'export const a = 1;\n' },
      extraConfig: "  { files: ['**/*.js'], plugins: { pgwarden }, rules: { 'pgwarden/no-drop-table': 'error' } },",
    });
    const run = eslintCli(dir, ['a.js']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/do not support the language "js\/js"/);
  });
});
