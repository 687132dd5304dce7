import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/schema.js';
import { project, runCli as run } from '../support/cli.js';

const bin = join(import.meta.dirname, '../../bin/pgwarden.js');

const PASCAL_TABLE = 'CREATE TABLE "UserAccount" (id bigint PRIMARY KEY, "createdAt" timestamptz);\n';

/** The messages of one rule's findings, per file, from a JSON lint. */
async function messages(cwd: string, args: string[], ruleId: string): Promise<Record<string, string[]>> {
  const { code, stdout, stderr } = await run(cwd, ['lint', '--format', 'json', ...args]);
  expect(code, stderr).not.toBe(2);
  const report = JSON.parse(stdout) as Report;
  return Object.fromEntries(report.files.map((f) => [f.path, f.findings.filter((x) => x.ruleId === ruleId).map((x) => x.message)]));
}

describe('pgwarden lint with rule options', () => {
  it('applies the options a config gives a rule, and its defaults for the rest', async () => {
    const cwd = project({
      '.pgwardenrc.json': JSON.stringify({ rules: { 'naming-convention': ['warning', { tables: '^[A-Z][A-Za-z]*$' }] } }),
      'm/0001_user.sql': PASCAL_TABLE,
    });
    // The table matches the configured pattern; the column still has to be snake_case.
    expect(await messages(cwd, ['m'], 'naming-convention')).toEqual({
      'm/0001_user.sql': ['The column name "createdAt" does not match the columns pattern ^[a-z_][a-z0-9_]*$.'],
    });
  });

  it('--rule takes [severity, options] as JSON, and a severity alone keeps the configured options', async () => {
    const cwd = project({
      '.pgwardenrc.json': JSON.stringify({ rules: { 'naming-convention': ['warning', { tables: '.*', columns: '.*' }] } }),
      'm/0001_user.sql': PASCAL_TABLE,
    });
    expect(await messages(cwd, ['m', '--rule', 'naming-convention=error'], 'naming-convention')).toEqual({ 'm/0001_user.sql': [] });
    expect(await messages(cwd, ['m', '--rule', 'naming-convention=["error", {"tables": "^app_"}]'], 'naming-convention')).toEqual({
      'm/0001_user.sql': [
        'The table name "UserAccount" does not match the tables pattern ^app_.',
        'The column name "createdAt" does not match the columns pattern ^[a-z_][a-z0-9_]*$.',
      ],
    });
  });

  it('rejects bad options with the key path, from the config and from --rule', async () => {
    const cwd = project({
      '.pgwardenrc.json': JSON.stringify({ rules: { 'naming-convention': ['error', { tables: '[' }] } }),
      'a.sql': PASCAL_TABLE,
    });
    const fromConfig = await run(cwd, ['lint', 'a.sql']);
    expect(fromConfig.code).toBe(2);
    expect(fromConfig.stderr).toContain('rules.naming-convention.1.tables: not a valid regular expression');

    const plain = project({ 'a.sql': PASCAL_TABLE });
    const fromFlag = await run(plain, ['lint', 'a.sql', '--rule', 'require-metadata=["error", {"fields": "ticket"}]']);
    expect(fromFlag.code).toBe(2);
    expect(fromFlag.stderr).toContain('--rule require-metadata.fields: Invalid input: expected array, received string');
    const noOptions = await run(plain, ['lint', 'a.sql', '--rule', 'no-drop-table=["error", {}]']);
    expect(noOptions.code).toBe(2);
    expect(noOptions.stderr).toContain('no-drop-table takes no options');
    const notJson = await run(plain, ['lint', 'a.sql', '--rule', 'naming-convention=[error]']);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('--rule naming-convention:');
  });

  it('passes the options to worker threads (a large lint with the built CLI)', () => {
    const files: Record<string, string> = {
      '.pgwardenrc.json': JSON.stringify({
        rules: { 'require-lock-timeout': 'off', 'require-metadata': ['error', { fields: ['ticket'] }] },
      }),
    };
    // Alternating files with and without the required header, so every thread gets both kinds;
    // long enough that the main thread cannot lint them all before the workers have started.
    const body = Array.from({ length: 150 }, (_, n) => `ALTER TABLE t ADD COLUMN c${n} text;\n`).join('');
    for (let i = 0; i < 240; i++) {
      files[`m/${String(i).padStart(4, '0')}_change.sql`] = `${i % 2 ? '-- Ticket: OPS-1\n' : '-- Risk Level: low\n'}${body}`;
    }
    const cwd = project(files);
    const result = spawnSync(process.execPath, [bin, 'lint', 'm', '--format', 'json'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, PGWARDEN_THREADS: '3' },
      maxBuffer: 1 << 26,
    });
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as Report;
    expect(report.files).toHaveLength(240);
    for (const [i, file] of report.files.entries()) {
      const found = file.findings.filter((f) => f.ruleId === 'require-metadata').map((f) => f.message);
      expect([file.path, found]).toEqual([
        file.path,
        i % 2 ? [] : ['The migration header does not state "ticket", which this project requires of every migration.'],
      ]);
    }
  });
});
