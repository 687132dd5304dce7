import os from 'node:os';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireMigrationLock,
  lockHolderQuery,
  lockKeyInPgLocks,
  migrationLockKey,
  MigrationLockTimeoutError,
} from '../../src/executor/advisory-lock.js';
import { openDatabase } from '../../src/executor/db/open.js';
import type { DatabaseSession } from '../../src/executor/db/types.js';
import { describePostgres } from '../support/postgres.js';

const options = { cwd: os.tmpdir(), env: {} };

describe('migrationLockKey', () => {
  it('is fixed for a history table and differs between tables', () => {
    const key = migrationLockKey({ schema: 'public', table: 'pgwarden_migrations' });
    // SHA-256("pgwarden migration lock:public.pgwarden_migrations"), first 8 bytes as a signed int64.
    expect(key).toBe(migrationLockKey({ schema: 'public', table: 'pgwarden_migrations' }));
    expect(key).not.toBe(migrationLockKey({ schema: 'public', table: 'other_history' }));
    expect(key).not.toBe(migrationLockKey({ schema: 'app', table: 'pgwarden_migrations' }));
    expect(key >= -(2n ** 63n) && key < 2n ** 63n).toBe(true);
  });

  it('maps a key to the pg_locks columns', () => {
    expect(lockKeyInPgLocks(-123456789012n)).toEqual({ classid: '4294967267', objid: '1097262572' });
    expect(lockKeyInPgLocks(5n)).toEqual({ classid: '0', objid: '5' });
  });
});

describePostgres('migration lock between two sessions', ({ it: pgIt, createDatabase }) => {
  let first: DatabaseSession;
  let second: DatabaseSession;
  let n = 0;
  const key = (): bigint => BigInt(1000 + ++n);

  beforeAll(async () => {
    const db = await createDatabase();
    [first, second] = await Promise.all([openDatabase(db.url, options), openDatabase(db.url, options)]);
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
  });

  pgIt('shows up in pg_locks under the documented columns', async () => {
    const k = -987654321987n;
    const lock = await acquireMigrationLock(first, { key: k, timeoutMs: 0 });
    const { rows } = await second.query<{ pid: number }>(lockHolderQuery(k));
    const { rows: me } = await first.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(rows.map((r) => r.pid)).toEqual([me[0]!.pid]);
    expect(await lock.release()).toBe(true);
  });

  pgIt('a second run waits, is told so, and gets the lock when the first releases it', async () => {
    const k = key();
    const held = await acquireMigrationLock(first, { key: k, timeoutMs: 0 });
    const waits: number[] = [];
    const started = Date.now();
    const waiting = acquireMigrationLock(second, { key: k, timeoutMs: 10_000, pollMs: 25, noticeEveryMs: 100, onWait: (ms) => waits.push(ms) });
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(waits[0]).toBeLessThan(100); // once when waiting starts…
    expect(waits[1]).toBeGreaterThanOrEqual(100); // …then every noticeEveryMs
    expect(await held.release()).toBe(true);
    const lock = await waiting;
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    // Now the first cannot take it.
    await expect(acquireMigrationLock(first, { key: k, timeoutMs: 0 })).rejects.toBeInstanceOf(MigrationLockTimeoutError);
    expect(await lock.release()).toBe(true);
    expect(await lock.release()).toBe(true); // a second release does nothing
    const again = await acquireMigrationLock(first, { key: k, timeoutMs: 0 });
    await again.release();
  });

  pgIt('times out with a message that says who holds it and how to find it', async () => {
    const k = key();
    const held = await acquireMigrationLock(first, { key: k, timeoutMs: 0 });
    const { rows } = await first.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = rows[0]!.pid;
    const waits: number[] = [];
    const started = Date.now();
    const error = await acquireMigrationLock(second, { key: k, timeoutMs: 400, pollMs: 50, noticeEveryMs: 150, onWait: (ms) => waits.push(ms) }).catch(
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(MigrationLockTimeoutError);
    const timeout = error as MigrationLockTimeoutError;
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(3_000);
    expect(waits.length).toBeGreaterThanOrEqual(3);
    expect(timeout.key).toBe(k);
    expect(timeout.holders.map((h) => h.pid)).toEqual([pid]);
    expect(timeout.holders[0]!.application).toBe('pgwarden');
    expect(timeout.message).toMatch(
      new RegExp(`^timed out after 400ms waiting for the migration lock on postgres://postgres@127\\.0\\.0\\.1:\\d+/pgwarden_test_\\w+: another pgwarden run holds it \\(pid ${pid}, user postgres, application "pgwarden"`),
    );
    expect(timeout.message).toContain(`find it with: SELECT pid, usename, application_name, client_addr, backend_start, state, query FROM pg_locks`);
    expect(timeout.message).toContain(`WHERE locktype = 'advisory' AND granted AND classid = 0 AND objid = ${k} AND objsubid = 1`);
    // The second session is fine afterwards, and the lock is still the first's.
    expect((await second.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await held.release();
  });

  pgIt('stops waiting when aborted', async () => {
    const k = key();
    const held = await acquireMigrationLock(first, { key: k, timeoutMs: 0 });
    const controller = new AbortController();
    const waiting = acquireMigrationLock(second, { key: k, timeoutMs: 10_000, pollMs: 20, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('interrupted')), 100);
    await expect(waiting).rejects.toThrow('interrupted');
    await held.release();
  });

  pgIt('the lock outlives transactions of its session', async () => {
    const k = key();
    const held = await acquireMigrationLock(first, { key: k, timeoutMs: 0 });
    await first.query('BEGIN');
    await first.query('ROLLBACK');
    const error = await acquireMigrationLock(second, { key: k, timeoutMs: 0 }).catch((e: unknown) => e);
    expect(inspect(error)).toContain('MigrationLockTimeoutError');
    await held.release();
  });
});

describe('migration lock on PGlite (one session)', () => {
  let session: DatabaseSession;
  beforeAll(async () => {
    session = await openDatabase('pglite:memory', options);
  });
  afterAll(async () => {
    await session?.close();
  });

  it('takes and releases the lock', async () => {
    const k = migrationLockKey({ schema: 'public', table: 'pgwarden_migrations' });
    const lock = await acquireMigrationLock(session, { key: k, timeoutMs: 0 });
    const { classid, objid } = lockKeyInPgLocks(k);
    const held = await session.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid AND objid = $2::oid`, [classid, objid]);
    expect(held.rowCount).toBe(1);
    expect(await lock.release()).toBe(true);
    const after = await session.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid AND objid = $2::oid`, [classid, objid]);
    expect(after.rowCount).toBe(0);
  });
});
