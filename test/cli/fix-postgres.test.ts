import { expect } from 'vitest';
import { openDatabase } from '../../src/executor/db/open.js';
import { project, runCli } from '../support/cli.js';
import { describePostgres } from '../support/postgres.js';

/**
 * What `pgwarden lint --fix` writes runs on PostgreSQL and leaves the schema the original
 * migrations leave: the same constraints (validated) and the same indexes. Existing rows are still
 * checked, by the follow-up VALIDATE.
 */

const LOCK = "SET lock_timeout = '2s';\n";

function migrations(rows: string): Record<string, string> {
  return {
    'migrations/0001_create_orders.up.sql': [
      'CREATE TABLE customers (id bigint PRIMARY KEY);',
      'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total numeric, ref text, note text);',
      'CREATE INDEX orders_note_idx ON orders (note);',
      'INSERT INTO customers VALUES (1), (2);',
      `INSERT INTO orders VALUES ${rows};`,
      '',
    ].join('\n'),
    'migrations/0001_create_orders.down.sql': `${LOCK}DROP TABLE IF EXISTS orders;\nDROP TABLE IF EXISTS customers;\n`,
    'migrations/0002_order_constraints.up.sql': [
      LOCK.trim(),
      'ALTER TABLE orders',
      '  ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE,',
      '  ADD CONSTRAINT orders_total_check CHECK (total >= 0);',
      '',
    ].join('\n'),
    'migrations/0002_order_constraints.down.sql': `${LOCK}ALTER TABLE orders DROP CONSTRAINT orders_customer_fk, DROP CONSTRAINT orders_total_check;\n`,
    'migrations/0003_order_indexes.up.sql': [
      '-- pgwarden:no-transaction',
      LOCK.trim(),
      'CREATE SCHEMA reporting;',
      'CREATE UNIQUE INDEX orders_ref_key ON orders (ref);',
      'DROP INDEX orders_note_idx;',
      'CREATE TABLE reporting.daily (day date PRIMARY KEY);',
      '',
    ].join('\n'),
    'migrations/0003_order_indexes.down.sql': `-- pgwarden:no-transaction\n${LOCK}DROP TABLE IF EXISTS reporting.daily;\nDROP SCHEMA IF EXISTS reporting;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON orders (note);\nDROP INDEX CONCURRENTLY IF EXISTS orders_ref_key;\n`,
  };
}

const GOOD_ROWS = "(1, 1, 10, 'a', 'x'), (2, 2, 0, 'b', NULL)";

function withDatabase(files: Record<string, string>, url: string): string {
  return project({
    ...files,
    'pgwarden.config.json': JSON.stringify({ environments: { development: { maxRisk: 'high', database: url } } }),
  });
}

/** Constraints (name, validated) and index definitions of the public and reporting schemas. */
async function schemaOf(cwd: string, url: string): Promise<{ constraints: string[]; indexes: string[]; valid: boolean[] }> {
  const session = await openDatabase(url, { cwd, env: {} });
  try {
    const constraints = await session.query<{ c: string }>(
      "SELECT conname || ' ' || convalidated AS c FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype IN ('c', 'f') ORDER BY 1",
    );
    const indexes = await session.query<{ d: string }>(
      "SELECT indexdef AS d FROM pg_indexes WHERE schemaname IN ('public', 'reporting') AND tablename NOT LIKE 'pgwarden%' ORDER BY 1",
    );
    const valid = await session.query<{ v: boolean }>("SELECT indisvalid AS v FROM pg_index WHERE indrelid = 'orders'::regclass");
    return { constraints: constraints.rows.map((r) => r.c), indexes: indexes.rows.map((r) => r.d), valid: valid.rows.map((r) => r.v) };
  } finally {
    await session.close();
  }
}

describePostgres('fixed migrations on the PostgreSQL server', ({ it, createDatabase }) => {
  it('apply cleanly and leave the schema the original migrations leave', async () => {
    const original = await createDatabase();
    const originalDir = withDatabase(migrations(GOOD_ROWS), original.url);
    expect((await runCli(originalDir, ['apply', '--env', 'development'])).code).toBe(0);

    const fixed = await createDatabase();
    const fixedDir = withDatabase(migrations(GOOD_ROWS), fixed.url);
    const fix = await runCli(fixedDir, ['lint', '--fix', '--rule', 'no-drop-table=off', '--rule', 'no-drop-schema=off', 'migrations']);
    expect(fix.stdout).toContain('Fixed 2 findings in migrations/0002_order_constraints.up.sql');
    expect(fix.stdout).toContain('Fixed 5 findings in migrations/0003_order_indexes.up.sql');
    expect(fix.stdout).toContain('Created migrations/0004_validate_order_constraints.up.sql');
    expect(fix.code).toBe(0);
    const applied = await runCli(fixedDir, ['apply', '--env', 'development']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Applied 4 migrations');

    const before = await schemaOf(originalDir, original.url);
    expect(before.constraints).toEqual(['orders_customer_fk true', 'orders_total_check true']);
    expect(await schemaOf(fixedDir, fixed.url)).toEqual(before);
  });

  it('still check the rows that existed: a violating row stops the follow-up migration', async () => {
    const rows = "(1, 1, -5, 'a', 'x')";
    const original = await createDatabase();
    expect((await runCli(withDatabase(migrations(rows), original.url), ['apply', '--env', 'development'])).code).not.toBe(0);

    const fixed = await createDatabase();
    const fixedDir = withDatabase(migrations(rows), fixed.url);
    await runCli(fixedDir, ['lint', '--fix', '--rule', 'no-drop-table=off', '--rule', 'no-drop-schema=off', 'migrations']);
    const applied = await runCli(fixedDir, ['apply', '--env', 'development']);
    expect(applied.code).not.toBe(0);
    expect(applied.stdout + applied.stderr).toMatch(/0004_validate_order_constraints/);
    expect(applied.stdout + applied.stderr).toMatch(/orders_total_check/);
  });
});
