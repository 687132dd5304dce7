/**
 * The real PostgreSQL server for tests: 127.0.0.1:5432, trust auth, user postgres, database
 * `test`. Reachability is checked once per test file (a short connect timeout). When the server
 * is not reachable the tests of `describePostgres` blocks are skipped at run time with the reason
 * printed, or fail with it when PGWARDEN_REQUIRE_PG=1 (CI).
 *
 * Each block gets fresh databases from `createDatabase()`, dropped (WITH (FORCE)) after the block.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, it, type TestAPI } from 'vitest';

export const PG_HOST = '127.0.0.1';
/** 5432; PGWARDEN_TEST_PG_PORT points the helper elsewhere (to see the skip path, for one). */
export const PG_PORT = Number(process.env.PGWARDEN_TEST_PG_PORT ?? 5432);
export const PG_USER = 'postgres';
/** The database the helper connects to in order to create and drop test databases. */
export const ADMIN_URL = `postgres://${PG_USER}@${PG_HOST}:${PG_PORT}/test`;

const PROBE_TIMEOUT_MS = 2_000;

export type Probe = { ok: true; version: string; versionNum: number } | { ok: false; reason: string };

function reasonOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  if (typeof message === 'string' && message.includes('timeout')) return `no answer within ${PROBE_TIMEOUT_MS} ms`;
  return typeof message === 'string' && message ? message : String(error);
}

async function probe(): Promise<Probe> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string; num: string }>(
      "SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num",
    );
    return { ok: true, version: rows[0]!.version, versionNum: Number(rows[0]!.num) };
  } catch (error) {
    return { ok: false, reason: `PostgreSQL not reachable at ${PG_HOST}:${PG_PORT} (${reasonOf(error)})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Checked once when the module loads (once per test file). */
export const server: Probe = await probe();

export interface TestDatabase {
  name: string;
  /** postgres://postgres@127.0.0.1:5432/<name> */
  url: string;
  /** The URL with another user/password or port, for tests of what a URL leaks. */
  urlWith(parts: { password?: string; port?: number; database?: string }): string;
  drop(): Promise<void>;
}

async function admin<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A new, empty database named pgwarden_test_<random>. Prefer the suite's `createDatabase`, which drops it afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `pgwarden_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  let dropped = false;
  return {
    name,
    url: `postgres://${PG_USER}@${PG_HOST}:${PG_PORT}/${name}`,
    urlWith: ({ password, port, database }) =>
      `postgres://${PG_USER}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@${PG_HOST}:${port ?? PG_PORT}/${database ?? name}`,
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * `it`, skipped at run time when the server is not reachable (and not required). Typed as vitest's
 * `it` so suites can be written once for the server and PGlite.
 */
export type PostgresIt = TestAPI;

export interface PostgresSuite {
  it: PostgresIt;
  /** A fresh database, dropped after the block. Call it from hooks or tests. */
  createDatabase(): Promise<TestDatabase>;
  /** The server's version (e.g. 150020); 0 when unreachable. */
  versionNum: number;
}

/**
 * A describe block of tests that need the server. Register its tests with the `it` it passes:
 * they are skipped (reason printed once for the block) when the server is unreachable, and
 * fail with the reason under PGWARDEN_REQUIRE_PG=1. Hooks of a block whose tests are all
 * skipped do not run, so `beforeAll(() => createDatabase())` is safe.
 */
export function describePostgres(name: string, fn: (suite: PostgresSuite) => void): void {
  const required = process.env.PGWARDEN_REQUIRE_PG === '1';
  const skip = !server.ok && !required;
  const created: TestDatabase[] = [];
  let registered = 0;
  const skipped = it.skipIf(true);
  const counting = new Proxy(it, {
    apply(target, thisArg, args) {
      registered++;
      return Reflect.apply(skip ? skipped : target, thisArg, args) as unknown;
    },
    get(target, property, receiver) {
      if (!skip) return Reflect.get(target, property, receiver) as unknown;
      // Skipping: only what it.skipIf(true) offers (each, for, concurrent, only…), all skipped.
      if (property in skipped) return Reflect.get(skipped, property) as unknown;
      throw new Error(`describePostgres: it.${String(property)} is not available while the server tests are skipped`);
    },
  });

  describe(name, () => {
    if (!server.ok && required) {
      const reason = server.reason;
      beforeAll(() => {
        throw new Error(`${reason}, and PGWARDEN_REQUIRE_PG=1 requires it`);
      });
    }
    afterAll(async () => {
      await Promise.all(created.splice(0).map((db) => db.drop()));
    });
    fn({
      it: counting,
      versionNum: server.ok ? server.versionNum : 0,
      async createDatabase() {
        const db = await createTestDatabase();
        created.push(db);
        return db;
      },
    });
    if (skip && !server.ok) {
      // Nested describe blocks are collected after this one returns: count once collection is over.
      const reason = server.reason;
      setTimeout(() => console.warn(`${reason}: skipping ${registered} tests in "${name}"`), 0);
    }
  });
}
