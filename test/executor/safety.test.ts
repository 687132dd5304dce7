/**
 * The executor's safety guarantees, end to end: the built CLI run as child processes against
 * the real PostgreSQL server. Concurrent runs, lock timeouts with retries, a process killed
 * mid-migration, a migration outside a transaction failing part-way, secrets kept out of every
 * output and table, and the beforeApply/afterApply hooks.
 *
 * Where a run must be caught in the middle, the migration waits on an advisory lock the test
 * holds (`SELECT pg_advisory_xact_lock(4242)`), and the test polls pg_locks until it is blocked:
 * no sleeps, no timing luck.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterEach, describe, expect } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import {
  connect,
  createProject,
  killRunningClis,
  query,
  runCli,
  startCli,
  waitFor,
  type CliProcess,
  type CliResult,
  type Project,
} from '../support/executor-project.js';
import { describePostgres, type TestDatabase } from '../support/postgres.js';

type EnvironmentInput = NonNullable<ConfigInput['environments']>[string];

/** The advisory lock key the test holds to stop a migration at a known statement. */
const GATE_KEY = 4242;
const WAIT_FOR_GATE = `SELECT pg_advisory_xact_lock(${GATE_KEY});`;

interface HistoryRow {
  id: string;
  direction: string;
  status: string;
  failed_statement: string | null;
  error: string | null;
  resolved_at: Date | null;
}

interface AuditRow {
  action: string;
  migration_id: string | null;
  detail: Record<string, unknown> | null;
}

/** The default history table's rows, oldest first (none when it does not exist yet). */
async function historyRows(url: string): Promise<HistoryRow[]> {
  const [exists] = await query<{ found: boolean }>(url, "SELECT to_regclass('public.pgwarden_migrations') IS NOT NULL AS found");
  if (!exists?.found) return [];
  return query<HistoryRow>(url, 'SELECT id, direction, status, failed_statement, error, resolved_at FROM public.pgwarden_migrations ORDER BY seq');
}

async function auditRows(url: string): Promise<AuditRow[]> {
  const [exists] = await query<{ found: boolean }>(url, "SELECT to_regclass('public.pgwarden_audit') IS NOT NULL AS found");
  if (!exists?.found) return [];
  return query<AuditRow>(url, 'SELECT action, migration_id, detail FROM public.pgwarden_audit ORDER BY seq');
}

async function tableExists(url: string, name: string): Promise<boolean> {
  const [row] = await query<{ found: boolean }>(url, 'SELECT to_regclass($1) IS NOT NULL AS found', [name]);
  return row?.found === true;
}

/** Sessions of this database waiting (not granted) for the advisory lock `key`. */
async function waitersOn(url: string, key: number): Promise<Array<{ pid: number; application_name: string }>> {
  return query<{ pid: number; application_name: string }>(
    url,
    `SELECT l.pid, a.application_name
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND NOT l.granted AND l.classid = 0 AND l.objid = $1::int::oid AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [key],
  );
}

const ALL_OUTPUT = (result: CliResult): string => `${result.stdout}\n${result.stderr}`;
const show = (label: string, result: { stdout: string; stderr: string }): string => `${label}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
const showProcesses = (runs: readonly CliProcess[]) => () =>
  runs.map((run, i) => show(`run ${i + 1} (pid ${run.pid})`, { stdout: run.stdout(), stderr: run.stderr() })).join('\n');

describePostgres('executor safety (the CLI against PostgreSQL)', ({ it, createDatabase }) => {
  const projects: Project[] = [];
  const clients: pg.Client[] = [];

  afterEach(async () => {
    await killRunningClis();
    await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)));
    for (const project of projects.splice(0)) project.remove();
  });

  /** A fresh database and project with a `staging` environment on it and these migrations. */
  async function setup(settings: Partial<EnvironmentInput>, migrations: Array<[id: string, up: string, down: string]>) {
    const db = await createDatabase();
    const project = createProject({ environments: { staging: { maxRisk: 'high', database: db.url, ...settings } } });
    projects.push(project);
    for (const [id, up, down] of migrations) project.migration(id, up, down);
    const cli = (...args: string[]) => runCli(args, { cwd: project.dir });
    return { db, project, cli };
  }

  /** A session of the test's own holding the gate lock until `release()`. */
  async function holdGate(db: TestDatabase): Promise<{ release(): Promise<void> }> {
    const client = await connect(db.url);
    clients.push(client);
    await client.query('SELECT pg_advisory_lock($1)', [GATE_KEY]);
    return {
      async release() {
        await client.query('SELECT pg_advisory_unlock($1)', [GATE_KEY]);
      },
    };
  }

  /** Waits until a session is blocked on the gate lock; resolves to that session. */
  async function blockedOnGate(db: TestDatabase, what: string, runs: readonly CliProcess[]) {
    const waiters = await waitFor(what, async () => {
      const found = await waitersOn(db.url, GATE_KEY);
      return found.length ? found : undefined;
    }, { describe: showProcesses(runs) });
    return waiters[0]!;
  }

  async function openTestClient(db: TestDatabase): Promise<pg.Client> {
    const client = await connect(db.url);
    clients.push(client);
    return client;
  }

  it('two runs started at once: one applies each migration, the other waits for the migration lock, then finds nothing to do', async () => {
    const { db, project } = await setup({}, [
      ['0001_items', `CREATE TABLE items (n int NOT NULL);\n${WAIT_FOR_GATE}\nINSERT INTO items VALUES (1);\n`, 'DROP TABLE items;\n'],
      ['0002_more_items', 'INSERT INTO items VALUES (2);\n', 'DELETE FROM items WHERE n = 2;\n'],
    ]);
    const gate = await holdGate(db);
    const runs = [startCli(['apply', '--env', 'staging'], { cwd: project.dir }), startCli(['apply', '--env', 'staging'], { cwd: project.dir })];
    const outputs = showProcesses(runs);

    // One run holds the migration lock and is stopped inside 0001 by the gate…
    const blocked = await blockedOnGate(db, 'a run blocked inside 0001 on the gate lock', runs);
    expect(blocked.application_name).toBe('pgwarden');
    // …and the other says it is waiting for the migration lock.
    const waitingNotice = /another pgwarden run holds the migration lock on this database; waiting/;
    const waiting = await waitFor('the other run to say it waits for the migration lock', () => runs.find((run) => waitingNotice.test(run.stderr())), {
      describe: outputs,
    });
    const applying = runs.find((run) => run !== waiting)!;
    expect(applying.stderr()).not.toMatch(/migration lock/);
    expect((await waitersOn(db.url, GATE_KEY)).length).toBe(1);
    expect(await historyRows(db.url)).toEqual([]);

    await gate.release();
    const [applied, waited] = await Promise.all([applying.exited, waiting.exited]);
    expect(applied.code, show('applying run', applied)).toBe(0);
    expect(applied.stdout).toMatch(/✔ Applied 2 migrations/);
    expect(waited.code, show('waiting run', waited)).toBe(0);
    expect(waited.stdout).toMatch(/Nothing to apply: the database is up to date/);
    expect(waited.stdout).not.toMatch(/✔ 0001_items|✔ 0002_more_items/);

    const history = await historyRows(db.url);
    expect(history.map((row) => [row.id, row.direction, row.status])).toEqual([
      ['0001_items', 'up', 'applied'],
      ['0002_more_items', 'up', 'applied'],
    ]);
    expect(await query(db.url, 'SELECT n FROM items ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }]);
    const audit = await auditRows(db.url);
    expect(audit.filter((row) => row.action === 'apply').map((row) => row.migration_id)).toEqual(['0001_items', '0002_more_items']);
  });

  it('a lock held by another session: retried, then fails cleanly with nothing half-applied; succeeds once the lock is released', async () => {
    const { db, cli } = await setup({ lockTimeout: '200ms', lockRetries: 2, retryDelay: '50ms' }, [
      ['0001_ledger', 'CREATE TABLE ledger (id bigint PRIMARY KEY);\n', 'DROP TABLE ledger;\n'],
      [
        '0002_audit_log_and_nickname',
        'CREATE TABLE audit_log (id bigint PRIMARY KEY);\nALTER TABLE accounts ADD COLUMN nickname text;\n',
        'ALTER TABLE accounts DROP COLUMN nickname;\nDROP TABLE audit_log;\n',
      ],
    ]);
    await query(db.url, 'CREATE TABLE accounts (id bigint PRIMARY KEY)');
    const holder = await openTestClient(db);
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE');

    const failed = await cli('apply', '--env', 'staging');
    const output = ALL_OUTPUT(failed);
    expect(failed.code, show('apply', failed)).toBe(1);
    expect(failed.stdout).toMatch(/✔ 0001_ledger/);
    expect(failed.stdout).toMatch(/✖ 0002_audit_log_and_nickname/);
    expect(output).toMatch(/lock timeout/);
    expect(failed.stdout).toMatch(/0002_audit_log_and_nickname: lock timeout, retrying in .* \(retry 1 of 2\)/);
    expect(failed.stdout).toMatch(/0002_audit_log_and_nickname: lock timeout, retrying in .* \(retry 2 of 2\)/);
    expect(failed.stdout).not.toMatch(/retry 3/);
    expect(failed.stdout).toMatch(/ALTER TABLE accounts ADD COLUMN nickname text/);
    expect(failed.stdout).toMatch(/rolled back: nothing of it was applied \(3 attempts\)/);

    // Nothing of 0002 is left: its CREATE TABLE was rolled back with the failed ALTER.
    expect(await tableExists(db.url, 'audit_log')).toBe(false);
    const columns = await query<{ column_name: string }>(db.url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'accounts'");
    expect(columns.map((c) => c.column_name)).toEqual(['id']);
    // The migration before it in the same run stays applied.
    expect(await tableExists(db.url, 'ledger')).toBe(true);
    const history = await historyRows(db.url);
    expect(history.filter((row) => row.id === '0001_ledger').map((row) => row.status)).toEqual(['applied']);
    expect(history.filter((row) => row.id === '0002_audit_log_and_nickname' && (row.status === 'applied' || row.status === 'running'))).toEqual([]);
    const failure = (await auditRows(db.url)).filter((row) => row.action === 'failed');
    expect(failure).toHaveLength(1);
    expect(failure[0]!.migration_id).toBe('0002_audit_log_and_nickname');
    expect(failure[0]!.detail).toMatchObject({ attempts: 3, transactional: true, statement: expect.stringContaining('ALTER TABLE accounts') });
    expect(String(failure[0]!.detail?.['error'])).toMatch(/lock timeout/);

    const status = await cli('status', '--env', 'staging');
    expect(status.code, show('status', status)).toBe(0);
    expect(status.stdout).toMatch(/0002_audit_log_and_nickname\s+pending/);

    await holder.query('ROLLBACK');
    const retried = await cli('apply', '--env', 'staging');
    expect(retried.code, show('apply after the lock is released', retried)).toBe(0);
    expect(retried.stdout).toMatch(/✔ Applied 1 migration\b/);
    expect(await tableExists(db.url, 'audit_log')).toBe(true);
    const after = await query<{ column_name: string }>(db.url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'accounts' ORDER BY ordinal_position");
    expect(after.map((c) => c.column_name)).toEqual(['id', 'nickname']);
    expect((await historyRows(db.url)).filter((row) => row.status === 'applied').map((row) => row.id)).toEqual(['0001_ledger', '0002_audit_log_and_nickname']);
  });

  it('a run killed with SIGKILL inside a transactional migration leaves it pending; the next apply applies it once', async () => {
    const { db, project, cli } = await setup({}, [
      ['0001_marks', 'CREATE TABLE marks (migration text NOT NULL);\n', 'DROP TABLE marks;\n'],
      ['0002_mark_then_wait', `INSERT INTO marks VALUES ('0002');\n${WAIT_FOR_GATE}\n`, "DELETE FROM marks WHERE migration = '0002';\n"],
    ]);
    const first = await cli('apply', '--env', 'staging', '--to', '0001_marks');
    expect(first.code, show('apply --to 0001_marks', first)).toBe(0);

    const gate = await holdGate(db);
    const run = startCli(['apply', '--env', 'staging'], { cwd: project.dir });
    const blocked = await blockedOnGate(db, 'the run to block inside 0002 on the gate lock', [run]);
    run.kill('SIGKILL');
    const killed = await run.exited;
    expect(killed.signal).toBe('SIGKILL');

    // The server notices the dead client once its statement ends, and rolls the transaction back.
    await gate.release();
    await waitFor('the killed run\'s backend to end', async () =>
      (await query(db.url, 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [blocked.pid])).length === 0,
    );

    const status = await cli('status', '--env', 'staging');
    expect(status.code, show('status', status)).toBe(0);
    expect(status.stdout).toMatch(/0002_mark_then_wait\s+pending/);
    expect(status.stdout).toMatch(/1 applied, 1 pending, 0 failed/);
    expect((await historyRows(db.url)).filter((row) => row.id === '0002_mark_then_wait')).toEqual([]);
    expect(await query(db.url, 'SELECT migration FROM marks')).toEqual([]);

    const applied = await cli('apply', '--env', 'staging');
    expect(applied.code, show('apply after the kill', applied)).toBe(0);
    expect(applied.stderr).not.toMatch(/migration lock/);
    expect(applied.stdout).toMatch(/✔ Applied 1 migration\b/);
    expect(await query(db.url, 'SELECT migration FROM marks')).toEqual([{ migration: '0002' }]);
    expect((await historyRows(db.url)).map((row) => [row.id, row.status])).toEqual([
      ['0001_marks', 'applied'],
      ['0002_mark_then_wait', 'applied'],
    ]);
  });

  describe('a migration outside a transaction that fails at its second statement', () => {
    const USERS = [
      '0001_users',
      "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());\n" +
        "INSERT INTO users (id, email) VALUES (1, 'a@example.com'), (2, 'b@example.com'), (3, 'a@example.com');\n",
      'DROP TABLE users;\n',
    ] as [string, string, string];
    const SECOND = 'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email)';
    const INDEXES = [
      '0002_user_indexes',
      `CREATE INDEX CONCURRENTLY users_created_at_idx ON users (created_at);\n${SECOND};\n`,
      'DROP INDEX CONCURRENTLY IF EXISTS users_email_key;\nDROP INDEX CONCURRENTLY IF EXISTS users_created_at_idx;\n',
    ] as [string, string, string];
    const SESSIONS = ['0003_sessions', 'CREATE TABLE sessions (id bigint PRIMARY KEY);\n', 'DROP TABLE sessions;\n'] as [string, string, string];

    async function failPartWay() {
      const context = await setup({}, [USERS, INDEXES, SESSIONS]);
      const { db, cli } = context;
      const failed = await cli('apply', '--env', 'staging');
      expect(failed.code, show('apply', failed)).toBe(1);
      expect(failed.stdout).toMatch(/✔ 0001_users/);
      expect(failed.stdout).toMatch(/✖ 0002_user_indexes failed at line 2: could not create unique index "users_email_key"/);
      expect(failed.stdout).toContain(`    ${SECOND}`);
      expect(failed.stdout).toMatch(/ran outside a transaction, so the statements before this one stay applied; it is marked failed/);
      expect(failed.stdout).toContain('pgwarden resolve 0002_user_indexes --as applied|pending');
      expect(failed.stdout).not.toMatch(/0003_sessions/);

      const row = (await historyRows(db.url)).find((r) => r.id === '0002_user_indexes');
      expect(row).toMatchObject({ direction: 'up', status: 'failed', resolved_at: null });
      expect(row!.failed_statement).toBe(SECOND);
      expect(row!.error).toMatch(/could not create unique index "users_email_key"/);
      // The first statement took effect.
      const [index] = await query<{ valid: boolean }>(db.url, "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'users_created_at_idx'::regclass");
      expect(index).toEqual({ valid: true });

      const status = await cli('status', '--env', 'staging');
      expect(status.code, show('status', status)).toBe(1);
      expect(status.stdout).toMatch(/0002_user_indexes\s+FAILED/);
      expect(status.stdout).toMatch(/0003_sessions\s+pending/);
      const statusJson = await cli('status', '--env', 'staging', '--format', 'json');
      expect(statusJson.code).toBe(1);
      const states = (JSON.parse(statusJson.stdout) as { migrations: Array<{ id: string; state: string; failedStatement: string | null; error: string | null }> })
        .migrations;
      expect(states.find((s) => s.id === '0002_user_indexes')).toMatchObject({ state: 'failed', error: expect.stringMatching(/users_email_key/) });

      // Nothing runs, not even the pending migration after it, until it is resolved.
      const refused = await cli('apply', '--env', 'staging');
      expect(refused.code, show('apply while failed', refused)).toBe(1);
      expect(refused.stdout).toMatch(/Nothing was run: 1 problem must be resolved first/);
      expect(refused.stdout).toContain('pgwarden resolve 0002_user_indexes --as applied');
      expect(refused.stdout).toContain('pgwarden resolve 0002_user_indexes --as pending');
      expect(await tableExists(db.url, 'sessions')).toBe(false);
      expect((await historyRows(db.url)).filter((r) => r.id === '0003_sessions')).toEqual([]);
      return context;
    }

    it('is reported failed, blocks later applies, and is settled with resolve --as applied', async () => {
      const { db, cli } = await failPartWay();
      // Finish it by hand: remove the duplicate and the invalid index the failed build left, build it again.
      await query(db.url, 'DELETE FROM users WHERE id = 3');
      await query(db.url, 'DROP INDEX users_email_key');
      await query(db.url, 'CREATE UNIQUE INDEX users_email_key ON users (email)');

      const resolved = await cli('resolve', '0002_user_indexes', '--as', 'applied', '--env', 'staging');
      expect(resolved.code, show('resolve', resolved)).toBe(0);
      expect(resolved.stdout).toContain('0002_user_indexes is now recorded as applied');
      const status = await cli('status', '--env', 'staging');
      expect(status.code, show('status after resolve', status)).toBe(0);
      expect(status.stdout).toMatch(/0002_user_indexes\s+applied/);

      const applied = await cli('apply', '--env', 'staging');
      expect(applied.code, show('apply after resolve', applied)).toBe(0);
      expect(applied.stdout).toMatch(/✔ 0003_sessions/);
      expect(applied.stdout).not.toMatch(/0002_user_indexes/);
      expect(applied.stdout).toMatch(/✔ Applied 1 migration\b/);
      expect(await tableExists(db.url, 'sessions')).toBe(true);
      const history = (await historyRows(db.url)).filter((r) => r.id === '0002_user_indexes');
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ status: 'applied', resolved_at: expect.any(Date) });
      const resolve = (await auditRows(db.url)).filter((r) => r.action === 'resolve');
      expect(resolve).toMatchObject([{ migration_id: '0002_user_indexes', detail: { as: 'applied' } }]);

      const again = await cli('resolve', '0002_user_indexes', '--as', 'applied', '--env', 'staging');
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/not failed: there is nothing to resolve/);
    });

    it('is run again from the start after its first statement is undone and it is resolved --as pending', async () => {
      const { db, cli } = await failPartWay();
      // Undo it by hand: drop what the first statement built and what the failed one left, fix the data.
      await query(db.url, 'DROP INDEX users_created_at_idx');
      await query(db.url, 'DROP INDEX users_email_key');
      await query(db.url, 'DELETE FROM users WHERE id = 3');

      const resolved = await cli('resolve', '0002_user_indexes', '--as', 'pending', '--env', 'staging');
      expect(resolved.code, show('resolve', resolved)).toBe(0);
      const status = await cli('status', '--env', 'staging');
      expect(status.code, show('status after resolve', status)).toBe(0);
      expect(status.stdout).toMatch(/0002_user_indexes\s+pending/);

      const applied = await cli('apply', '--env', 'staging');
      expect(applied.code, show('apply after resolve', applied)).toBe(0);
      expect(applied.stdout).toMatch(/✔ 0002_user_indexes/);
      expect(applied.stdout).toMatch(/✔ 0003_sessions/);
      const indexes = await query<{ name: string; valid: boolean }>(
        db.url,
        "SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'users'::regclass AND NOT i.indisprimary ORDER BY 1",
      );
      expect(indexes).toEqual([
        { name: 'users_created_at_idx', valid: true },
        { name: 'users_email_key', valid: true },
      ]);
      expect((await historyRows(db.url)).filter((r) => r.id === '0002_user_indexes').map((r) => r.status)).toEqual(['rolled-back', 'applied']);
    });
  });

  /**
   * Runs plan, apply, status, down, resolve, failing migrations (in and outside a transaction) and
   * connection errors, text and JSON, with a password in the URL (from `$DATABASE_URL`) and hooks
   * that print it on purpose; then looks for the password in every output and stored row.
   * `full: false` runs a shorter sequence.
   */
  async function expectPasswordNeverShown(password: string, full: boolean): Promise<void> {
    const forms = [...new Set([password, encodeURIComponent(password), encodeURI(password)])];
    const db = await createDatabase();
    // Single-quoted for the shell: the test passwords contain no single quote.
    const hook = (name: string) =>
      `echo "${name} stdout: url=$PGWARDEN_DATABASE_URL" 'password=${password}'; echo "${name} stderr: $PGWARDEN_DATABASE_URL" '${password}' >&2`;
    const project = createProject({
      environments: {
        staging: { maxRisk: 'high', database: { env: 'DATABASE_URL' }, beforeApply: hook('before'), afterApply: hook('after') },
      },
    });
    projects.push(project);
    project.migration('0001_notes', 'CREATE TABLE notes (id int NOT NULL);\n', 'DROP TABLE notes;\n');
    project.migration('0002_broken', 'INSERT INTO notes VALUES (1);\nSELECT * FROM no_such_table;\n', 'DELETE FROM notes;\n');

    const results: Array<{ label: string; result: CliResult }> = [];
    const run = async (url: string, ...args: string[]): Promise<CliResult> => {
      const result = await runCli(args, { cwd: project.dir, env: { DATABASE_URL: url } });
      results.push({ label: args.join(' '), result });
      return result;
    };
    const url = db.urlWith({ password });
    const json = ['--format', 'json'];

    expect((await run(url, 'plan', '--env', 'staging')).code).toBe(0);
    if (full) expect((await run(url, 'plan', '--env', 'staging', ...json)).code).toBe(0);
    const applied = await run(url, 'apply', '--env', 'staging', '--to', '0001_notes');
    expect(applied.code, show('apply', applied)).toBe(0);
    // The hooks did run and print the URL and the password, masked.
    expect(applied.stdout).toMatch(/\[beforeApply\] before stdout: url=postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/pgwarden_test_\w+ password=\*\*\*/);
    expect(applied.stdout).toMatch(/\[afterApply\] after stderr: postgres:\/\/postgres:\*\*\*@\S+ \*\*\*$/m);
    expect(applied.stdout).toMatch(/environment staging \(\$DATABASE_URL = postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
    expect((await run(url, 'status', '--env', 'staging')).code).toBe(0);
    expect((await run(url, 'status', '--env', 'staging', ...json)).code).toBe(0);
    if (full) {
      expect((await run(url, 'down', '--env', 'staging')).code).toBe(0);
      expect((await run(url, 'apply', '--env', 'staging', '--to', '0001_notes', ...json)).code).toBe(0);
    }
    expect((await run(url, 'down', '--env', 'staging', ...json)).code).toBe(0);
    // A failing migration, in a transaction.
    const failed = await run(url, 'apply', '--env', 'staging');
    expect(failed.code, show('failing apply', failed)).toBe(1);
    expect(failed.stdout).toMatch(/relation "no_such_table" does not exist/);
    if (full) expect((await run(url, 'apply', '--env', 'staging', ...json)).code).toBe(1);
    // A failing migration outside a transaction: its error and statement go into the history.
    project.migration(
      '0002_broken',
      'CREATE INDEX CONCURRENTLY notes_id_idx ON notes (id);\nCREATE INDEX CONCURRENTLY notes_x_idx ON notes (no_such_column);\n',
      'DROP INDEX notes_id_idx;\n',
    );
    expect((await run(url, 'apply', '--env', 'staging', ...json)).code).toBe(1);
    if (full) {
      expect((await run(url, 'status', '--env', 'staging')).code).toBe(1);
      expect((await run(url, 'apply', '--env', 'staging')).code).toBe(1);
    }
    expect((await run(url, 'status', '--env', 'staging', ...json)).code).toBe(1);
    expect((await run(url, 'resolve', '0002_broken', '--as', 'applied', '--env', 'staging')).code).toBe(0);
    // Connection errors: a database that does not exist, a port nothing listens on.
    const missingDatabase = db.urlWith({ password, database: `${db.name}_missing` });
    const nothingListening = db.urlWith({ password, port: 1 });
    const attempts: Array<[url: string, args: string[]]> = [
      [missingDatabase, ['apply']],
      [missingDatabase, ['status', ...json]],
      [nothingListening, ['plan']],
      [nothingListening, ['apply', ...json]],
    ];
    if (full) {
      for (const args of [['status'], ['plan', ...json], ['down'], ['down', ...json]]) attempts.push([missingDatabase, args]);
    }
    for (const [wrong, args] of attempts) {
      const result = await run(wrong, ...args, '--env', 'staging');
      expect(result.code, show(args.join(' '), result)).toBe(2);
      expect(result.stderr).toMatch(/database error: could not connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
    }

    for (const { label, result } of results) {
      for (const form of forms) expect(ALL_OUTPUT(result), `output of pgwarden ${label}`).not.toContain(form);
    }
    const stored = await query<{ row: string }>(
      db.url,
      'SELECT row_to_json(h)::text AS row FROM public.pgwarden_migrations h UNION ALL SELECT row_to_json(a)::text FROM public.pgwarden_audit a',
    );
    // Applied, failed and resolved rows, and the audit's applies, downs and failures.
    expect(stored.length).toBeGreaterThan(full ? 10 : 6);
    expect(stored.map((r) => r.row).join('\n')).toMatch(/no_such_column/);
    for (const { row } of stored) for (const form of forms) expect(row).not.toContain(form);
  }

  it('never prints or stores the password of the database URL', async () => {
    await expectPasswordNeverShown('S3cr3t-Pa55word', true);
  });

  it('never prints or stores a password that URL-encoding changes, in either form', async () => {
    await expectPasswordNeverShown('p@ss:w/rd %S3cr3t#ü', false);
  });

  describe('hooks', () => {
    it('a failing beforeApply stops the run before anything is applied', async () => {
      const { db, project, cli } = await setup(
        { beforeApply: 'echo "checking the backup"; exit 3', afterApply: 'echo after > after-apply.txt' },
        [['0001_widgets', 'CREATE TABLE widgets (id int);\n', 'DROP TABLE widgets;\n']],
      );
      const result = await cli('apply', '--env', 'staging');
      expect(result.code, show('apply', result)).toBe(1);
      expect(result.stdout).toMatch(/\[beforeApply\] checking the backup/);
      expect(result.stdout).toMatch(/✖ beforeApply failed: exited with code 3/);
      expect(result.stdout).toMatch(/Nothing was run/);
      expect(result.stdout).not.toMatch(/0001_widgets/);
      expect(await tableExists(db.url, 'widgets')).toBe(false);
      expect(await historyRows(db.url)).toEqual([]);
      expect(existsSync(join(project.dir, 'after-apply.txt'))).toBe(false);
      expect(await auditRows(db.url)).toMatchObject([{ action: 'failed', migration_id: null, detail: { hook: 'beforeApply', reason: 'exited with code 3' } }]);
    });

    it('afterApply runs after the migrations succeeded, and not after a failure', async () => {
      const { db, project, cli } = await setup(
        { beforeApply: 'echo before >> hooks.log', afterApply: 'echo "after $PGWARDEN_HOOK $PGWARDEN_ENV" >> hooks.log; echo logged' },
        [
          ['0001_widgets', 'CREATE TABLE widgets (id int);\n', 'DROP TABLE widgets;\n'],
          ['0002_gadgets', 'CREATE TABLE gadgets (id int);\nSELECT * FROM no_such_table;\n', 'DROP TABLE gadgets;\n'],
        ],
      );
      const log = join(project.dir, 'hooks.log');
      const failed = await cli('apply', '--env', 'staging');
      expect(failed.code, show('failing apply', failed)).toBe(1);
      expect(failed.stdout).not.toMatch(/afterApply/);
      expect(readFileSync(log, 'utf8')).toBe('before\n');

      project.migration('0002_gadgets', 'CREATE TABLE gadgets (id int);\n', 'DROP TABLE gadgets;\n');
      const applied = await cli('apply', '--env', 'staging');
      expect(applied.code, show('apply', applied)).toBe(0);
      expect(readFileSync(log, 'utf8')).toBe('before\nbefore\nafter afterApply staging\n');
      const lines = applied.stdout.split('\n');
      const finished = lines.findIndex((line) => line.includes('✔ 0002_gadgets'));
      const hook = lines.findIndex((line) => line.includes('running afterApply'));
      expect(finished).toBeGreaterThan(-1);
      expect(hook).toBeGreaterThan(finished);
      expect(lines[hook + 1]).toMatch(/\[afterApply\] logged/);
      expect(await tableExists(db.url, 'gadgets')).toBe(true);
    });
  });
});
