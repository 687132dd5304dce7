import os from 'node:os';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, resolveDatabaseSpec } from '../../src/executor/db/open.js';
import { DatabaseError, LOCK_NOT_AVAILABLE, QUERY_CANCELED, type DatabaseSession } from '../../src/executor/db/types.js';
import { describePostgres, PG_HOST, PG_PORT, type PostgresIt } from '../support/postgres.js';

const env = {};
const cwd = os.tmpdir();

/** Everything a thrown value shows, in every way it can be printed. */
function everyTextOf(error: unknown): string {
  const e = error as Error;
  return [String(error), e.message, e.stack ?? '', inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error)].join('\n');
}

async function failure(promise: Promise<unknown>): Promise<DatabaseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatabaseError);
  return error as DatabaseError;
}

function expectClean(error: unknown, secrets: string[]): void {
  const text = everyTextOf(error);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

let tableCounter = 0;
const freshTable = (): string => `t_${process.pid}_${++tableCounter}`;

/** What every driver must do the same way. */
function sessionContract(test: PostgresIt | typeof it, session: () => DatabaseSession): void {
  test('sends parameters as bind parameters', async () => {
    const value = `it's "quoted" ünïcødé 🐘 $1 \\ ; DROP TABLE x; --`;
    const { rows, rowCount } = await session().query<{ a: string; b: number; c: null }>('SELECT $1::text AS a, $2::int AS b, $3::text AS c', [
      value,
      42,
      null,
    ]);
    expect(rows).toEqual([{ a: value, b: 42, c: null }]);
    expect(rowCount).toBe(1);
  });

  test('counts affected rows; runs several statements when there are no parameters', async () => {
    const t = freshTable();
    const last = await session().query<{ n: number }>(`CREATE TABLE ${t} (n int); INSERT INTO ${t} VALUES (1), (2), (3); SELECT count(*)::int AS n FROM ${t}`);
    expect(last.rows).toEqual([{ n: 3 }]);
    expect((await session().query(`UPDATE ${t} SET n = n + 1 WHERE n > $1`, [1])).rowCount).toBe(2);
    expect((await session().query(`DELETE FROM ${t}`)).rowCount).toBe(3);
    expect((await session().query(`SELECT * FROM ${t}`)).rowCount).toBe(0);
  });

  test('int8 is a number when exact, a bigint beyond 2^53 (both drivers)', async () => {
    const { rows } = await session().query<{ small: unknown; big: unknown }>('SELECT 42::int8 AS small, 9007199254740993::int8 AS big');
    expect(rows[0]).toEqual({ small: 42, big: 9007199254740993n });
  });

  test('a failed statement is a DatabaseError with SQLSTATE and position', async () => {
    const missing = await failure(session().query('SELECT 1 FROM no_such_table_here WHERE 1 = $1', [1]));
    expect(missing.message).toBe('relation "no_such_table_here" does not exist');
    expect(missing.code).toBe('42P01');
    expect(missing.position).toBe(15);
    expect(missing.name).toBe('DatabaseError');

    const syntax = await failure(session().query('SELEC 1'));
    expect(syntax.code).toBe('42601');
    expect(syntax.position).toBe(1);

    const hinted = await failure(session().query('SELECT no_such_function(1)'));
    expect(hinted.code).toBe('42883');
    expect(hinted.hint).toMatch(/No function matches/);

    const t = freshTable();
    await session().query(`CREATE TABLE ${t} (k text PRIMARY KEY)`);
    await session().query(`INSERT INTO ${t} VALUES ($1)`, ['dup']);
    const unique = await failure(session().query(`INSERT INTO ${t} VALUES ($1)`, ['dup']));
    expect(unique.code).toBe('23505');
    expect(unique.detail).toBe('Key (k)=(dup) already exists.');

    // The session is still usable.
    expect((await session().query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  test('transactions: BEGIN … ROLLBACK undoes, an error aborts until ROLLBACK', async () => {
    const t = freshTable();
    await session().query('BEGIN');
    await session().query(`CREATE TABLE ${t} (n int)`);
    await failure(session().query('SELECT 1/0'));
    expect((await failure(session().query('SELECT 1'))).code).toBe('25P02');
    await session().query('ROLLBACK');
    expect((await session().query('SELECT to_regclass($1) AS r', [t])).rows).toEqual([{ r: null }]);
  });
}

describe('resolveDatabaseSpec', () => {
  it('reads { env } and names the variable when it is unset or empty', () => {
    expect(resolveDatabaseSpec({ env: 'DB_URL' }, { cwd, env: { DB_URL: 'postgres://u:pw@h/db' } })).toEqual({
      driver: 'pg',
      url: 'postgres://u:pw@h/db',
      description: 'postgres://u:***@h/db',
    });
    expect(() => resolveDatabaseSpec({ env: 'DB_URL' }, { cwd, env: {} })).toThrow(
      'environment variable DB_URL is not set: the config reads the database URL from it (database: { env: DB_URL })',
    );
    expect(() => resolveDatabaseSpec({ env: 'DB_URL' }, { cwd, env: { DB_URL: ' ' } })).toThrow('environment variable DB_URL is empty');
  });

  it('resolves pglite specs; rejects others without showing their password', () => {
    expect(resolveDatabaseSpec('pglite:memory', { cwd, env })).toEqual({ driver: 'pglite', dataDir: undefined, description: 'pglite:memory' });
    expect(resolveDatabaseSpec('pglite:.pgwarden/dev', { cwd: '/srv/app', env })).toEqual({
      driver: 'pglite',
      dataDir: '/srv/app/.pgwarden/dev',
      description: 'pglite:.pgwarden/dev',
    });
    expect(resolveDatabaseSpec('postgresql://h/db', { cwd, env }).driver).toBe('pg');
    expect(() => resolveDatabaseSpec('pglite:', { cwd, env })).toThrow(/needs a directory/);
    let error: unknown;
    try {
      resolveDatabaseSpec({ env: 'X' }, { cwd, env: { X: 'mysql://root:hunter2@h/db' } });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe(
      'unsupported database "mysql://root:***@h/db" (from X): expected a postgres:// or postgresql:// URL, pglite:memory or pglite:<dir>',
    );
    expectClean(error, ['hunter2']);
  });
});

describe('connection failures never show the password', () => {
  it('refused connection (wrong port)', async () => {
    const url = `postgres://postgres:supersecret@${PG_HOST}:1/test`;
    const error = await failure(openDatabase(url, { cwd, env }));
    expect(error.message).toBe(`could not connect to postgres://postgres:***@${PG_HOST}:1/test: connect ECONNREFUSED ${PG_HOST}:1`);
    expect(error.stack).toMatch(/^DatabaseError: could not connect to postgres:\/\/postgres:\*\*\*@/);
    expect(error.code).toBeUndefined();
    expectClean(error, ['supersecret']);
  });

  it('the same through { env }, with a percent-encoded password', async () => {
    const password = 'p@ss:w/rd%!';
    const url = `postgres://postgres:${encodeURIComponent(password)}@${PG_HOST}:1/test`;
    const error = await failure(openDatabase({ env: 'PGWARDEN_TEST_URL' }, { cwd, env: { PGWARDEN_TEST_URL: url } }));
    expect(error.message).toBe(`could not connect to postgres://postgres:***@${PG_HOST}:1/test: connect ECONNREFUSED ${PG_HOST}:1`);
    expectClean(error, [password, encodeURIComponent(password)]);
  });
});

describePostgres('pg driver against the server', ({ it: pgIt, createDatabase }) => {
  let url: string;
  let session: DatabaseSession;
  let secretUrl: (database?: string) => string;

  beforeAll(async () => {
    const db = await createDatabase();
    url = db.url;
    secretUrl = (database) => db.urlWith({ password: 'supersecret', ...(database ? { database } : {}) });
    session = await openDatabase(url, { cwd, env });
  });
  afterAll(async () => {
    await session?.close();
  });

  sessionContract(pgIt, () => session);

  pgIt('identifies itself as pgwarden', async () => {
    const { rows } = await session.query<{ name: string }>("SELECT current_setting('application_name') AS name");
    expect(rows).toEqual([{ name: 'pgwarden' }]);
    expect(session.driver).toBe('pg');
    expect(session.description).toBe(url);
  });

  pgIt('a missing database: SQLSTATE 3D000, password masked', async () => {
    const error = await failure(openDatabase(secretUrl('pgwarden_no_such_db'), { cwd, env }));
    expect(error.message).toBe(
      `could not connect to postgres://postgres:***@${PG_HOST}:${PG_PORT}/pgwarden_no_such_db: database "pgwarden_no_such_db" does not exist`,
    );
    expect(error.code).toBe('3D000');
    expectClean(error, ['supersecret']);
  });

  pgIt('a password the server echoes back is masked in query errors; description is masked', async () => {
    const withPassword = await openDatabase(secretUrl(), { cwd, env });
    try {
      expect(withPassword.description).not.toContain('supersecret');
      expect(withPassword.description).toContain('postgres:***@');
      const error = await failure(withPassword.query("SELECT 'supersecret'::int"));
      expect(error.message).toBe('invalid input syntax for type integer: "***"');
      expect(error.code).toBe('22P02');
      expectClean(error, ['supersecret']);
      expect(withPassword.redact?.('x supersecret y')).toBe('x *** y');
    } finally {
      await withPassword.close();
    }
  });

  pgIt('lock_timeout: an ALTER TABLE waiting on a table another session uses fails with LOCK_NOT_AVAILABLE', async () => {
    const other = await openDatabase(url, { cwd, env });
    try {
      await session.query('CREATE TABLE busy (id int)');
      await other.query('BEGIN');
      await other.query('SELECT * FROM busy'); // ACCESS SHARE until the transaction ends
      await session.query("SET lock_timeout = '100ms'");
      const started = Date.now();
      const error = await failure(session.query('ALTER TABLE busy ADD COLUMN note text'));
      expect(error.code).toBe(LOCK_NOT_AVAILABLE);
      expect(error.message).toBe('canceling statement due to lock timeout');
      expect(Date.now() - started).toBeLessThan(5_000);
      await other.query('ROLLBACK');
      await session.query('ALTER TABLE busy ADD COLUMN note text');
    } finally {
      await session.query('RESET lock_timeout');
      await other.close();
    }
  });

  pgIt('statement_timeout: QUERY_CANCELED', async () => {
    await session.query("SET statement_timeout = '50ms'");
    try {
      const error = await failure(session.query('SELECT pg_sleep(2)'));
      expect(error.code).toBe(QUERY_CANCELED);
    } finally {
      await session.query('RESET statement_timeout');
    }
  });

  pgIt('a closed session refuses queries; close twice is fine', async () => {
    const other = await openDatabase(url, { cwd, env });
    await other.close();
    await other.close();
    const error = await failure(other.query('SELECT 1'));
    expect(error.message).toBe(`session to ${url} is closed`);
  });

  pgIt('a connection killed while idle fails the next query with a DatabaseError (no crash)', async () => {
    const victim = await openDatabase(url, { cwd, env });
    const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await session.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const error = await failure(victim.query('SELECT 1'));
    expect(error.message).toMatch(/terminat/i);
    await victim.close().catch(() => undefined);
  });
});

describe('PGlite in memory', () => {
  let session: DatabaseSession;
  beforeAll(async () => {
    session = await openDatabase('pglite:memory', { cwd, env });
  });
  afterAll(async () => {
    await session?.close();
  });

  sessionContract(it, () => session);

  it('describes itself', () => {
    expect(session.driver).toBe('pglite');
    expect(session.description).toBe('pglite:memory');
  });

});
