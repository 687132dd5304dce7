import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReportSchema, type Report } from '../../src/report/schema.js';
import { project, runCli } from '../support/cli.js';

/**
 * `pgwarden rehearse` and `pgwarden lint --rehearse` as a user runs them (in process, on PGlite):
 * per-migration timings and the lock timeline in text, the same JSON contract with `source:
 * "trace"` on what the rehearsal observed, trace findings merged into the lint report where they
 * raise a file's risk, and directives that suppress them.
 */
const EXAMPLES = join(import.meta.dirname, '../../examples');

const BACKFILL = {
  '.pgwardenrc.json': JSON.stringify({ migrations: { dir: 'migrations' } }),
  // The DDL hides in a function, where reading the SQL cannot see it: only a rehearsal does.
  'migrations/0001_orders.up.sql': [
    'CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz NOT NULL DEFAULT now());',
    'CREATE FUNCTION add_region() RETURNS void LANGUAGE plpgsql AS $$ BEGIN ALTER TABLE orders ADD COLUMN region text; END $$;',
    '',
  ].join('\n'),
  'migrations/0001_orders.down.sql': 'DROP FUNCTION add_region();\nDROP TABLE orders;\n',
  'migrations/0002_orders_region.up.sql': [
    '-- Risk Level: LOW',
    "SET lock_timeout = '2s'; SET statement_timeout = '1min';",
    'SELECT add_region();',
    "UPDATE orders SET region = 'eu' WHERE region IS NULL;",
    '',
  ].join('\n'),
  'migrations/0002_orders_region.down.sql': "SET lock_timeout = '2s';\n-- pgwarden-disable-next-statement no-drop-column -- added by 0002\nALTER TABLE orders DROP COLUMN region;\n",
};

describe('pgwarden rehearse', () => {
  it('prints each migration with its timings and lock timeline, then what the rehearsal found', async () => {
    const run = await runCli(EXAMPLES, ['rehearse', '--no-color']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^Rehearsal on pglite:memory \(PostgreSQL 18\.\d+\) · 6 migrations in [\d.]+ s$/);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✔ 0005_orders_placed_at_index +up [\d.]+ ms · down [\d.]+ ms · rollback verified$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {6}up {3}line 3 {4}SHARE +orders {2}blocks writes, DDL · held until the migration commits · [\d.]+ ms {2}CREATE INDEX orders_placed_at_idx/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^ {6}down line 1 {4}ACCESS EXCLUSIVE +orders {2}blocks reads, writes, DDL · held until the migration commits/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {6}up {3}line 4 {4}rewrote +accounts and 1 index$/));
    expect(run.stdout).toContain('migrations/0006_drop_sessions.up.sql  risk high (declared low)');
    expect(run.stdout).toContain('4:1  error  high  observed-rewrite (rehearsal) [ACCESS EXCLUSIVE]  The rehearsal saw this statement rewrite accounts');
  }, 30_000);

  it('prints the report contract as JSON, with the rehearsal per migration', async () => {
    const run = await runCli(EXAMPLES, ['rehearse', '--format', 'json']);
    const report = JSON.parse(run.stdout) as Report;
    expect(ReportSchema.parse(report)).toEqual(report);
    expect(report.rehearsal!.migrations.map((m) => [m.id, m.status, m.rollback])).toEqual([
      ['0001_create_accounts', 'rehearsed', 'verified'],
      ['0002_create_orders', 'rehearsed', 'verified'],
      ['0003_orders_status', 'rehearsed', 'verified'],
      ['0004_validate_orders_status', 'rehearsed', 'verified'],
      ['0005_orders_placed_at_index', 'rehearsed', 'verified'],
      ['0006_drop_sessions', 'rehearsed', 'none'],
    ]);
    for (const migration of report.rehearsal!.migrations) expect(migration.up!.durationMs).toBeGreaterThan(0);
    const findings = report.files.flatMap((f) => f.findings.map((finding) => [f.path, finding.ruleId, finding.line, finding.source]));
    expect(findings).toEqual([['migrations/0006_drop_sessions.up.sql', 'observed-rewrite', 4, 'trace']]);
    expect(report.summary.risk).toBe('high');
  }, 30_000);

  it('starts from --from, applying the migrations before it first', async () => {
    const run = await runCli(EXAMPLES, ['rehearse', '--from', '0005_orders_placed_at_index', '--format', 'json']);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.rehearsal!.migrations.map((m) => m.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'rehearsed', 'rehearsed']);
    expect(report.files.map((f) => f.path)).toEqual([
      'migrations/0005_orders_placed_at_index.up.sql',
      'migrations/0005_orders_placed_at_index.down.sql',
      'migrations/0006_drop_sessions.up.sql',
    ]);
  }, 30_000);

  it('refuses an unknown --from and a database it would have to modify', async () => {
    const unknown = await runCli(EXAMPLES, ['rehearse', '--from', 'nope']);
    expect(unknown).toMatchObject({ code: 2, stderr: 'pgwarden: --from nope: no migration has that id.\n' });
    const named = await runCli(EXAMPLES, ['rehearse', '--database', 'pglite:.pgwarden/dev']);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('a rehearsal needs a fresh database: use pglite:memory or a server URL');
  });

  it('runs the seed before the first rehearsed migration, and stops on a failing one', async () => {
    const dir = project({ ...BACKFILL, 'seed.sql': "INSERT INTO orders (id) VALUES (1), (2);\n" });
    const seeded = await runCli(dir, ['rehearse', '--from', '0002_orders_region', '--seed', 'seed.sql', '--format', 'json']);
    expect((JSON.parse(seeded.stdout) as Report).rehearsal!.seed).toBe(join(dir, 'seed.sql'));
    const broken = project({ ...BACKFILL, 'seed.sql': 'INSERT INTO nowhere VALUES (1);\n' });
    const failed = await runCli(broken, ['rehearse', '--from', '0002_orders_region', '--seed', 'seed.sql']);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/^pgwarden: the seed .*seed\.sql failed: relation "nowhere" does not exist\n$/);
  }, 30_000);
});

describe('pgwarden lint --rehearse', () => {
  it('merges what the rehearsal saw into the lint report, where it raises the risk like any finding', async () => {
    const dir = project(BACKFILL);
    const plain = JSON.parse((await runCli(dir, ['lint', '--format', 'json'])).stdout) as Report;
    const region = (report: Report) => report.files.find((f) => f.path === 'migrations/0002_orders_region.up.sql')!;
    expect(region(plain).risk).toBe('low');

    const run = await runCli(dir, ['lint', '--rehearse', '--format', 'json']);
    const report = JSON.parse(run.stdout) as Report;
    expect(ReportSchema.parse(report)).toEqual(report);
    expect(region(report).risk).toBe('medium');
    expect(region(report).findings.map((f) => [f.ruleId, f.line, f.column, f.source ?? 'static'])).toEqual([
      ['declared-risk-mismatch', 1, 1, 'static'],
      ['observed-blocking-lock', 3, 1, 'trace'],
    ]);
    expect(region(report).findings[1]!.message).toBe(
      'From this statement on, the transaction holds locks that block reads and writes on orders (ACCESS EXCLUSIVE, from line 3) until the migration commits, ' +
        "while line 4 (UPDATE orders SET region = 'eu' WHERE region IS…) scans orders: queries on orders wait for it, and that wait grows with the tables read.",
    );
    expect(run.code).toBe(1);
  }, 30_000);

  it('shows the notable migrations of the timeline above the findings in text', async () => {
    const run = await runCli(project(BACKFILL), ['lint', '--rehearse', '--no-color']);
    expect(run.stdout).toMatch(/^Rehearsal on pglite:memory/);
    expect(run.stdout).toContain('  ✔ 0002_orders_region');
    expect(run.stdout).not.toContain('0001_orders  ');
    expect(run.stdout).toContain('3:1  error  medium  observed-blocking-lock (rehearsal) [ACCESS EXCLUSIVE]');
  }, 30_000);

  it('a directive suppresses a trace finding, and plain lint does not call it unused', async () => {
    const files = {
      ...BACKFILL,
      'migrations/0002_orders_region.up.sql': [
        "SET lock_timeout = '2s'; SET statement_timeout = '1min';",
        '-- pgwarden-disable-next-statement observed-blocking-lock -- orders holds a few hundred rows',
        'SELECT add_region();',
        "UPDATE orders SET region = 'eu' WHERE region IS NULL;",
        '',
      ].join('\n'),
    };
    const dir = project(files);
    const rehearsed = JSON.parse((await runCli(dir, ['lint', '--rehearse', '--format', 'json'])).stdout) as Report;
    const file = rehearsed.files.find((f) => f.path === 'migrations/0002_orders_region.up.sql')!;
    expect(file.findings).toEqual([]);
    expect(file.suppressed.map((f) => [f.ruleId, f.suppression.reason])).toEqual([['observed-blocking-lock', 'orders holds a few hundred rows']]);

    const plain = JSON.parse((await runCli(dir, ['lint', '--format', 'json'])).stdout) as Report;
    expect(plain.files.flatMap((f) => f.findings.map((x) => x.ruleId))).not.toContain('unused-directive');
  }, 30_000);
});
