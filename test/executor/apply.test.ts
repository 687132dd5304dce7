import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli as cli } from '../support/cli.js';
import { openDatabase } from '../../src/executor/db/open.js';
import { describePostgres } from '../support/postgres.js';

/**
 * The executor's gate and its apply/down/status cycle, through the CLI, on the PostgreSQL server
 * and on the embedded PGlite: a refused migration applies nothing, an override is recorded, down
 * restores the schema, a changed file is reported as drift.
 */

const MIGRATIONS = {
  '0001_create_accounts.up.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\nCREATE TABLE legacy (id int);\n',
  '0001_create_accounts.down.sql': 'DROP TABLE legacy;\nDROP TABLE accounts;\n',
  '0002_add_name.up.sql': "SET lock_timeout = '2s';\nALTER TABLE accounts ADD COLUMN name text;\n",
  '0002_add_name.down.sql': "SET lock_timeout = '2s';\n-- pgwarden-disable-next-statement no-drop-column -- added by 0002\nALTER TABLE accounts DROP COLUMN name;\n",
  '0003_drop_legacy.up.sql': "SET lock_timeout = '2s';\nDROP TABLE legacy;\n",
  '0003_drop_legacy.down.sql': 'CREATE TABLE legacy (id int);\n',
};

function project(database: string, extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-apply-'));
  mkdirSync(join(dir, 'migrations'));
  for (const [name, text] of Object.entries(MIGRATIONS)) writeFileSync(join(dir, 'migrations', name), text);
  const environments = {
    development: { maxRisk: 'high', database },
    staging: { maxRisk: 'medium', database },
    production: { maxRisk: 'low', database, allowOverride: true },
    ...extra,
  };
  writeFileSync(join(dir, 'pgwarden.config.json'), JSON.stringify({ environments }));
  return dir;
}

async function query<Row>(cwd: string, database: string, sql: string): Promise<Row[]> {
  const session = await openDatabase(database, { cwd, env: {} });
  try {
    return (await session.query<Row>(sql)).rows;
  } finally {
    await session.close();
  }
}

const tables = (cwd: string, database: string) =>
  query<{ name: string }>(cwd, database, "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1").then(
    (rows) => rows.map((r) => r.name),
  );

const columns = (cwd: string, database: string) =>
  query<{ c: string }>(
    cwd,
    database,
    "SELECT table_name || '.' || column_name || ' ' || data_type AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE 'pgwarden%' ORDER BY 1",
  ).then((rows) => rows.map((r) => r.c));

interface HistoryRow {
  id: string;
  direction: string;
  status: string;
  risk: string;
  override_reason: string | null;
  overridden_by: string | null;
}

type TestFn = (name: string, fn: () => Promise<void>) => void;

function executorSuite(name: string, test: TestFn, newDatabase: () => Promise<string>): void {
  describe(name, () => {
    test('refuses everything when one migration is above maxRisk, then applies in development', async () => {
      const database = await newDatabase();
      const cwd = project(database);

      const refused = await cli(cwd, ['apply', '--env', 'staging', '--no-color']);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('✖ Refused: 1 of 3 migrations to apply is above what staging allows; nothing was run.');
      expect(refused.stdout).toMatch(/0003_drop_legacy +high +risk high is above staging's maxRisk medium\./);
      expect(refused.stdout).toContain('no-drop-table');
      expect(await tables(cwd, database)).toEqual(['pgwarden_audit', 'pgwarden_migrations']);
      const audit = await query<{ action: string; migration_id: string }>(cwd, database, 'SELECT action, migration_id FROM pgwarden_audit');
      expect(audit).toEqual([{ action: 'refused', migration_id: '0003_drop_legacy' }]);

      const plan = await cli(cwd, ['plan', '--env', 'staging', '--no-color']);
      expect(plan.code).toBe(1);
      expect(plan.stdout).toMatch(/0003_drop_legacy +high +transaction +refused/);

      const applied = await cli(cwd, ['apply', '--env', 'development', '--no-color']);
      expect(applied.stderr).toBe('');
      expect(applied.code).toBe(0);
      expect(applied.stdout).toContain('✔ Applied 3 migrations');
      expect(await tables(cwd, database)).toEqual(['accounts', 'pgwarden_audit', 'pgwarden_migrations']);
      const history = await query<HistoryRow>(cwd, database, 'SELECT id, direction, status, risk FROM pgwarden_migrations ORDER BY seq');
      expect(history).toEqual([
        { id: '0001_create_accounts', direction: 'up', status: 'applied', risk: 'low' },
        { id: '0002_add_name', direction: 'up', status: 'applied', risk: 'low' },
        { id: '0003_drop_legacy', direction: 'up', status: 'applied', risk: 'high' },
      ]);

      const again = await cli(cwd, ['apply', '--env', 'development', '--no-color']);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('Nothing to apply');
    });

    test('lets a migration through with --accept-risk and a reason where allowed, and records who and why', async () => {
      const database = await newDatabase();
      const cwd = project(database);
      expect((await cli(cwd, ['apply', '--env', 'development', '--to', '0002_add_name'])).code).toBe(0);

      const notEnough = await cli(cwd, ['apply', '--env', 'production', '--accept-risk', 'medium', '--reason', 'cleanup', '--no-color']);
      expect(notEnough.code).toBe(1);
      expect(notEnough.stdout).toContain('beyond --accept-risk medium');
      const noOverrides = await cli(cwd, ['apply', '--env', 'staging', '--accept-risk', 'high', '--reason', 'cleanup', '--no-color']);
      expect(noOverrides.code).toBe(1);
      expect(noOverrides.stdout).toContain('staging does not allow overrides (allowOverride)');
      expect((await cli(cwd, ['apply', '--env', 'production', '--accept-risk', 'high'])).code).toBe(2);

      const accepted = await cli(cwd, ['apply', '--env', 'production', '--accept-risk', 'high', '--reason', 'legacy archived in OPS-42']);
      expect(accepted.code).toBe(0);
      const [row] = await query<HistoryRow>(cwd, database, "SELECT * FROM pgwarden_migrations WHERE id = '0003_drop_legacy'");
      expect(row).toMatchObject({ status: 'applied', risk: 'high', override_reason: 'legacy archived in OPS-42' });
      expect(row!.overridden_by).toBeTruthy();
      const audit = await query<{ action: string; detail: Record<string, unknown> }>(
        cwd,
        database,
        "SELECT action, detail FROM pgwarden_audit WHERE migration_id = '0003_drop_legacy' ORDER BY at",
      );
      expect(audit.map((a) => a.action)).toEqual(['refused', 'refused', 'override', 'apply']);
      expect(audit[2]!.detail).toMatchObject({ acceptRisk: 'high', reason: 'legacy archived in OPS-42' });
    });

    test('down rolls back newest first and restores the schema; status reports drift', async () => {
      const database = await newDatabase();
      const cwd = project(database);
      expect((await cli(cwd, ['apply', '--env', 'development', '--to', '0001_create_accounts'])).code).toBe(0);
      const before = await columns(cwd, database);
      expect((await cli(cwd, ['apply', '--env', 'development'])).code).toBe(0);
      expect(await columns(cwd, database)).not.toEqual(before);

      const down = await cli(cwd, ['down', '--env', 'development', '--to', '0001_create_accounts', '--no-color']);
      expect(down.code).toBe(0);
      expect(down.stdout.indexOf('0003_drop_legacy')).toBeLessThan(down.stdout.indexOf('0002_add_name'));
      expect(await columns(cwd, database)).toEqual(before);
      const status = await cli(cwd, ['status', '--env', 'development', '--format', 'json']);
      expect(JSON.parse(status.stdout).migrations.map((m: { id: string; state: string }) => [m.id, m.state])).toEqual([
        ['0001_create_accounts', 'applied'],
        ['0002_add_name', 'pending'],
        ['0003_drop_legacy', 'pending'],
      ]);

      writeFileSync(join(cwd, 'migrations', '0001_create_accounts.up.sql'), MIGRATIONS['0001_create_accounts.up.sql'] + '-- edited\n');
      const drifted = await cli(cwd, ['status', '--env', 'development', '--no-color']);
      expect(drifted.code).toBe(1);
      expect(drifted.stdout).toMatch(/0001_create_accounts +DRIFTED/);
      const blocked = await cli(cwd, ['apply', '--env', 'development', '--no-color']);
      expect(blocked.code).toBe(1);
      expect(blocked.stdout).toContain('0001_create_accounts was applied from a file that has changed since');
      expect(await columns(cwd, database)).toEqual(before);
    });
  });
}

describePostgres('executor on the PostgreSQL server', ({ it: pgIt, createDatabase }) => {
  executorSuite('gate, apply, down', pgIt, async () => (await createDatabase()).url);
});

describe('executor on PGlite (embedded)', () => {
  executorSuite('gate, apply, down', it, async () => `pglite:${mkdtempSync(join(tmpdir(), 'pgwarden-pglite-'))}`);
});
