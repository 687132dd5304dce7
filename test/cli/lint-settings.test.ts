import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/schema.js';
import { project, runCli as run } from '../support/cli.js';

const bin = join(import.meta.dirname, '../../bin/pgwarden.js');

/** Rule ids with their severity, per file, from a JSON lint. */
async function findings(cwd: string, args: string[]): Promise<Record<string, string[]>> {
  const { code, stdout, stderr } = await run(cwd, ['lint', '--format', 'json', ...args]);
  expect(code, stderr).not.toBe(2);
  const report = JSON.parse(stdout) as Report;
  return Object.fromEntries(report.files.map((f) => [f.path, f.findings.map((x) => `${x.ruleId}:${x.severity}`)]));
}

const DROP = 'DROP TABLE legacy;\n';
const ENUM_IN_BEGIN = "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TYPE mood ADD VALUE 'sad';\nCOMMIT;\n";
const CONCURRENT = "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_a_idx ON t (a);\n";

describe('lint flags override the config key by key', () => {
  it('--rule adds to the config’s rules: a rule the config turns off stays off', async () => {
    const cwd = project({
      '.pgwardenrc.json': JSON.stringify({ rules: { 'require-lock-timeout': 'off' } }),
      'm/0001_drop.sql': DROP,
    });
    expect(await findings(cwd, ['m'])).toEqual({ 'm/0001_drop.sql': ['no-drop-table:error'] });
    expect(await findings(cwd, ['m', '--rule', 'no-drop-table=warning'])).toEqual({ 'm/0001_drop.sql': ['no-drop-table:warning'] });
    const { code } = await run(cwd, ['lint', 'm', '--rule', 'no-drop-table=warning']);
    expect(code).toBe(0);
  });

  it('--transaction, --layout and --rollback set migrations.* for this run', async () => {
    const cwd = project({
      '.pgwardenrc.json': JSON.stringify({ rules: { 'require-lock-timeout': 'off' } }),
      'm/0001_index.sql': CONCURRENT,
      'f/V1__create.sql': 'CREATE TABLE t (id bigint PRIMARY KEY);\n',
    });
    expect(await findings(cwd, ['m/0001_index.sql'])).toEqual({ 'm/0001_index.sql': [] });
    expect(await findings(cwd, ['m/0001_index.sql', '--transaction', 'per-file'])).toEqual({
      'm/0001_index.sql': ['transaction-incompatible-statement:error'],
    });
    expect(await findings(cwd, ['m/0001_index.sql', '--rollback', 'required'])).toEqual({ 'm/0001_index.sql': ['require-rollback:error'] });
    expect(await findings(cwd, ['f'])).toEqual({ 'f/V1__create.sql': ['require-rollback:error'] });
    expect(await findings(cwd, ['f', '--layout', 'plain'])).toEqual({ 'f/V1__create.sql': [] });
    expect(await findings(cwd, ['f', '--rollback', 'off'])).toEqual({ 'f/V1__create.sql': [] });
  });

  it('rejects values that are not choices, naming the flag', async () => {
    const cwd = project({ 'a.sql': DROP });
    for (const [flag, value] of [
      ['--layout', 'rails'],
      ['--transaction', 'always'],
      ['--rollback', 'maybe'],
    ] as const) {
      const { code, stderr } = await run(cwd, ['lint', 'a.sql', flag, value]);
      expect(code).toBe(2);
      expect(stderr).toContain(`${flag} must be one of`);
      expect(stderr).toContain(`(got "${value}")`);
    }
  });
});

describe('per-path overrides', () => {
  const config = {
    rules: { 'require-lock-timeout': 'off' },
    overrides: [
      { files: ['db/legacy/**/*.sql'], rules: { 'no-drop-table': 'off' }, postgresVersion: 11 },
      { files: ['db/legacy/concurrent/*.sql'], migrations: { transaction: 'none' } },
    ],
  };

  it('apply to the files they match, relative to the config file, from any working directory', async () => {
    const cwd = project({
      '.pgwardenrc.json': JSON.stringify(config),
      'db/migrations/0001_drop.sql': DROP,
      'db/legacy/2019/0001_drop.sql': DROP,
      'db/legacy/2019/0002_enum.sql': ENUM_IN_BEGIN,
      'db/migrations/0002_enum.sql': ENUM_IN_BEGIN,
    });
    const expected = {
      'db/legacy/2019/0001_drop.sql': [],
      'db/legacy/2019/0002_enum.sql': ['transaction-incompatible-statement:error'],
      'db/migrations/0001_drop.sql': ['no-drop-table:error'],
      'db/migrations/0002_enum.sql': [],
    };
    expect(await findings(cwd, ['db'])).toEqual(expected);
    const fromSubdir = await findings(join(cwd, 'db'), ['.']);
    expect(fromSubdir).toEqual(Object.fromEntries(Object.entries(expected).map(([path, f]) => [path.slice('db/'.length), f])));
  });

  it('apply to standard input by its --stdin-filename', async () => {
    const cwd = project({ '.pgwardenrc.json': JSON.stringify(config) });
    const result = spawnSync(process.execPath, [bin, 'lint', '-', '--format', 'json', '--stdin-filename', 'db/legacy/x.sql'], {
      cwd,
      input: DROP,
      encoding: 'utf8',
    });
    expect((JSON.parse(result.stdout) as Report).files[0]!.findings).toEqual([]);
  });

  it('yield to command-line flags: --postgres-version, --transaction and --rule win everywhere', async () => {
    const cwd = project({
      '.pgwardenrc.json': JSON.stringify(config),
      'db/legacy/2019/0001_drop.sql': DROP,
      'db/legacy/2019/0002_enum.sql': ENUM_IN_BEGIN,
      'db/legacy/concurrent/0003_index.sql': CONCURRENT,
    });
    expect(await findings(cwd, ['db', '--postgres-version', '16', '--transaction', 'per-file', '--rule', 'no-drop-table=warning'])).toEqual({
      'db/legacy/2019/0001_drop.sql': ['no-drop-table:warning'],
      // PostgreSQL 16 allows ADD VALUE in a transaction; under per-file the file's own COMMIT
      // ends the runner's transaction early.
      'db/legacy/2019/0002_enum.sql': ['transaction-nesting:error'],
      'db/legacy/concurrent/0003_index.sql': ['transaction-incompatible-statement:error'],
    });
  });

  it('apply on worker threads too (a large lint with the built CLI)', () => {
    const files: Record<string, string> = {
      '.pgwardenrc.json': JSON.stringify({ rules: { 'require-lock-timeout': 'off' }, overrides: [{ files: ['**/*_legacy.sql'], rules: { 'no-drop-table': 'off' } }] }),
    };
    // Eight migration histories (threads share work by history) of alternating names, so every
    // thread gets files of both kinds.
    for (let i = 0; i < 240; i++) files[`m/${i % 8}/${String(i).padStart(4, '0')}_${i % 2 ? 'legacy' : 'new'}.sql`] = DROP;
    const cwd = project(files);
    const result = spawnSync(process.execPath, [bin, 'lint', 'm', '--format', 'json'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, PGWARDEN_THREADS: '3' },
      maxBuffer: 1 << 26,
    });
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.files).toHaveLength(240);
    for (const file of report.files) {
      expect([file.path, file.findings.map((f) => f.ruleId)]).toEqual([file.path, file.path.endsWith('_legacy.sql') ? [] : ['no-drop-table']]);
    }
  });
});
