import { createHash } from 'node:crypto';
import type { DatabaseSession } from './db/types.js';

/**
 * The migration lock: one session-level advisory lock per history table, so two pgwarden runs
 * against the same database never migrate at once.
 *
 * It is taken by polling `pg_try_advisory_lock`, never with the blocking `pg_advisory_lock`: a
 * second run blocked inside `pg_advisory_lock` is a transaction holding a snapshot, and
 * `CREATE INDEX CONCURRENTLY` run by the first waits for such transactions to end, while the
 * second waits for the first to release the lock: a deadlock. Polling leaves no statement open.
 */

/** Prefix of the string hashed into the default key. Changing it would let old and new versions run at once. */
export const LOCK_KEY_PREFIX = 'pgwarden migration lock:';

/**
 * The default lock key for a history table: the first 8 bytes of
 * SHA-256(`pgwarden migration lock:<schema>.<table>`), read as a signed big-endian 64-bit
 * integer (the `bigint` form of `pg_try_advisory_lock`). Two projects with different history
 * tables in one database get different keys; the same table always gets the same key, whatever
 * the pgwarden version or machine.
 */
export function migrationLockKey(history: { schema: string; table: string }): bigint {
  const digest = createHash('sha256').update(`${LOCK_KEY_PREFIX}${history.schema}.${history.table}`, 'utf8').digest();
  return digest.readBigInt64BE(0);
}

/** How `pg_locks` shows a bigint advisory key: classid = high 32 bits, objid = low 32 bits, objsubid = 1. */
export function lockKeyInPgLocks(key: bigint): { classid: string; objid: string } {
  const unsigned = BigInt.asUintN(64, key);
  return { classid: (unsigned >> 32n).toString(), objid: (unsigned & 0xffffffffn).toString() };
}

/** The statement that shows who holds the lock (pg_locks joined to pg_stat_activity). */
export function lockHolderQuery(key: bigint): string {
  const { classid, objid } = lockKeyInPgLocks(key);
  return (
    'SELECT pid, usename, application_name, client_addr, backend_start, state, query ' +
    'FROM pg_locks JOIN pg_stat_activity USING (pid) ' +
    `WHERE locktype = 'advisory' AND granted AND classid = ${classid} AND objid = ${objid} AND objsubid = 1`
  );
}

export interface MigrationLockOptions {
  /** Default: `migrationLockKey` of the default history table (public.pgwarden_migrations). */
  key?: bigint;
  /** Give up after this long (the environment's advisoryLockTimeout; default 5 min). 0: try once. */
  timeoutMs?: number;
  /** Time between two `pg_try_advisory_lock` attempts (default 500 ms). */
  pollMs?: number;
  /** Called once when waiting starts, then every `noticeEveryMs` while it goes on. */
  onWait?: (elapsedMs: number) => void;
  /** Default 5 s. */
  noticeEveryMs?: number;
  /** Stops waiting (Ctrl-C): the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface MigrationLock {
  readonly key: bigint;
  /** `pg_advisory_unlock`. Safe to call twice; false when the lock was no longer held (connection lost). */
  release(): Promise<boolean>;
}

export interface LockHolder {
  pid: number;
  user: string | null;
  application: string | null;
  clientAddr: string | null;
  since: Date | null;
}

/** Another run held the lock for the whole timeout. */
export class MigrationLockTimeoutError extends Error {
  constructor(
    message: string,
    readonly key: bigint,
    readonly waitedMs: number,
    readonly holders: LockHolder[],
  ) {
    super(message);
    this.name = 'MigrationLockTimeoutError';
  }
}

export const DEFAULT_LOCK_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_POLL_MS = 500;
const DEFAULT_NOTICE_EVERY_MS = 5_000;

export async function acquireMigrationLock(session: DatabaseSession, options: MigrationLockOptions = {}): Promise<MigrationLock> {
  const key = options.key ?? migrationLockKey({ schema: 'public', table: 'pgwarden_migrations' });
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const pollMs = Math.max(1, options.pollMs ?? DEFAULT_POLL_MS);
  const noticeEveryMs = Math.max(1, options.noticeEveryMs ?? DEFAULT_NOTICE_EVERY_MS);
  const start = performance.now();
  const elapsed = (): number => Math.round(performance.now() - start);

  const tryLock = async (): Promise<boolean> => {
    const { rows } = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key.toString()]);
    return rows[0]?.locked === true;
  };

  options.signal?.throwIfAborted();
  if (!(await tryLock())) {
    options.onWait?.(elapsed());
    let nextNotice = noticeEveryMs;
    for (;;) {
      const remaining = timeoutMs - elapsed();
      if (remaining <= 0) throw await timeoutError(session, key, timeoutMs, elapsed());
      await sleep(Math.min(pollMs, remaining), options.signal);
      if (await tryLock()) break;
      if (elapsed() >= nextNotice) {
        options.onWait?.(elapsed());
        while (nextNotice <= elapsed()) nextNotice += noticeEveryMs;
      }
    }
  }

  let released = false;
  let result = true;
  return {
    key,
    async release() {
      if (released) return result;
      released = true;
      const { rows } = await session.query<{ unlocked: boolean }>('SELECT pg_advisory_unlock($1::bigint) AS unlocked', [key.toString()]);
      result = rows[0]?.unlocked === true;
      return result;
    },
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  return `${+(ms / 60_000).toFixed(1)}min`;
}

async function timeoutError(session: DatabaseSession, key: bigint, timeoutMs: number, waitedMs: number): Promise<MigrationLockTimeoutError> {
  const holders = await findHolders(session, key);
  const who = holders.length
    ? holders
        .map((h) => `pid ${h.pid}${h.user ? `, user ${h.user}` : ''}${h.application ? `, application "${h.application}"` : ''}` +
          `${h.clientAddr ? ` from ${h.clientAddr}` : ''}${h.since ? `, connected since ${h.since.toISOString()}` : ''}`)
        .join('; ')
    : 'its session is not visible to this user';
  const message =
    `timed out after ${formatMs(timeoutMs)} waiting for the migration lock on ${session.description}: ` +
    `another pgwarden run holds it (${who}). ` +
    `Let it finish, or find it with: ${lockHolderQuery(key)}; ` +
    `then stop it (SELECT pg_terminate_backend(pid)) if it is stuck, and run again.`;
  return new MigrationLockTimeoutError(session.redact ? session.redact(message) : message, key, waitedMs, holders);
}

async function findHolders(session: DatabaseSession, key: bigint): Promise<LockHolder[]> {
  const { classid, objid } = lockKeyInPgLocks(key);
  try {
    const { rows } = await session.query<{
      pid: number;
      usename: string | null;
      application_name: string | null;
      client_addr: string | null;
      backend_start: Date | null;
    }>(
      `SELECT l.pid, a.usename, a.application_name, host(a.client_addr) AS client_addr, a.backend_start
         FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 1
          AND l.pid IS DISTINCT FROM pg_backend_pid()`,
      [classid, objid],
    );
    return rows.map((r) => ({
      pid: Number(r.pid),
      user: r.usename,
      application: r.application_name,
      clientAddr: r.client_addr,
      since: r.backend_start,
    }));
  } catch {
    // Only a nicer message: the timeout itself is what matters.
    return [];
  }
}
