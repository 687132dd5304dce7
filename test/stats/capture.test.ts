import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/executor/db/open.js';
import { captureStats } from '../../src/stats/capture.js';
import type { DatabaseSession, QueryResult } from '../../src/executor/db/types.js';
import { StatsSnapshotSchema, type StatsSnapshot } from '../../src/stats/schema.js';
import { project, runCli } from '../support/cli.js';
import { describePostgres } from '../support/postgres.js';

const SETUP = [
  'CREATE SCHEMA billing',
  'CREATE TABLE orders (id int PRIMARY KEY, note text)',
  'INSERT INTO orders SELECT g, repeat(\'x\', 20) FROM generate_series(1, 25000) g',
  'CREATE TABLE billing.invoices (id int)',
  'INSERT INTO billing.invoices SELECT g FROM generate_series(1, 40) g',
  'CREATE TABLE events (id int, at date) PARTITION BY RANGE (at)',
  'CREATE MATERIALIZED VIEW order_count AS SELECT count(*) AS n FROM orders',
  'ANALYZE orders',
  'ANALYZE billing.invoices',
  'CREATE TABLE never_analysed (id int)',
];

async function prepare(database: string, cwd: string): Promise<void> {
  const session = await openDatabase(database, { cwd, env: {} });
  try {
    for (const sql of SETUP) await session.query(sql);
  } finally {
    await session.close();
  }
}

function checkSnapshot(snapshot: StatsSnapshot): void {
  expect(StatsSnapshotSchema.parse(snapshot)).toEqual(snapshot);
  expect(Date.now() - Date.parse(snapshot.capturedAt)).toBeLessThan(10 * 60_000);
  expect(snapshot.serverVersion).toMatch(/^\d+/);
  const byName = new Map(snapshot.relations.map((r) => [`${r.schema}.${r.name}`, r]));
  expect(byName.get('public.orders')).toMatchObject({ kind: 'table', rows: 25_000 });
  expect(byName.get('public.orders')!.totalBytes).toBeGreaterThan(500_000);
  expect(byName.get('billing.invoices')).toMatchObject({ kind: 'table', rows: 40 });
  expect(byName.get('public.events')).toMatchObject({ kind: 'partitioned table' });
  expect(byName.get('public.order_count')).toMatchObject({ kind: 'materialized view' });
  // reltuples -1 (never analysed) is unknown, not 0.
  expect(byName.get('public.never_analysed')!.rows).toBeNull();
  expect(snapshot.relations.some((r) => r.schema === 'pg_catalog' || r.schema === 'information_schema')).toBe(false);
}

describe('captureStats', () => {
  it('runs one query inside a read-only transaction', async () => {
    const sent: string[] = [];
    const session: DatabaseSession = {
      driver: 'pg',
      description: 'fake',
      query: async <Row,>(sql: string): Promise<QueryResult<Row>> => {
        sent.push(sql.trim().split(/\s+/)[0]!);
        const row = { captured_at: '2026-11-20T08:30:00.000Z', server_version: '16.4', relations: '[]' };
        return { rows: sql.includes('SELECT') ? [row as Row] : [], rowCount: 0 };
      },
      close: async () => undefined,
    };
    expect((await captureStats(session)).relations).toEqual([]);
    expect(sent).toEqual(['BEGIN', 'SELECT', 'COMMIT']);
  });
});

describe('pgwarden stats on PGlite', () => {
  const dir = project({});
  beforeAll(() => prepare('pglite:db', dir), 60_000);

  it('prints a snapshot of every table and materialized view', async () => {
    const run = await runCli(dir, ['stats', '--database', 'pglite:db']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    checkSnapshot(JSON.parse(run.stdout) as StatsSnapshot);
  });

  it('writes it to --output, and reads the database of a config environment', async () => {
    const config = join(dir, 'pgwarden.config.json');
    writeFileSync(config, JSON.stringify({ environments: { dev: { maxRisk: 'high', database: 'pglite:db' } } }));
    const run = await runCli(dir, ['stats', '--env', 'dev', '--output', 'out/stats.json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    checkSnapshot(JSON.parse(readFileSync(join(dir, 'out/stats.json'), 'utf8')) as StatsSnapshot);
  });

  it('rejects --database with --env and unknown environments', async () => {
    expect((await runCli(dir, ['stats', '--database', 'pglite:db', '--env', 'dev'])).code).toBe(2);
    const unknown = await runCli(dir, ['stats', '--env', 'nowhere']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown environment "nowhere"/);
  });
});

describePostgres('pgwarden stats on PostgreSQL', ({ it: pgIt, createDatabase }) => {
  let url = '';
  beforeAll(async () => {
    url = (await createDatabase()).url;
    await prepare(url, process.cwd());
  }, 60_000);

  pgIt('prints a snapshot, reading in a read-only transaction', async () => {
    const run = await runCli(process.cwd(), ['stats', '--database', url]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    checkSnapshot(JSON.parse(run.stdout) as StatsSnapshot);
  });

  pgIt('reads the URL from the variable a config environment names', async () => {
    const dir = project({ 'pgwarden.config.json': JSON.stringify({ environments: { prod: { maxRisk: 'low', database: { env: 'DB_URL' } } } }) });
    const run = await runCli(dir, ['stats', '--env', 'prod'], { env: { DB_URL: url } });
    expect(run.code).toBe(0);
    checkSnapshot(JSON.parse(run.stdout) as StatsSnapshot);
  });
});
