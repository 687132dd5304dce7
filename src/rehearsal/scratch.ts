import { randomBytes } from 'node:crypto';
import { resolveDatabaseSpec, type DatabaseSpec } from '../executor/db/open.js';
import { openPg } from '../executor/db/pg.js';
import { openPglite } from '../executor/db/pglite.js';
import { quoteIdent } from '../executor/db/ident.js';
import { redactUrl } from '../executor/db/redact.js';
import { DatabaseError, type DatabaseSession } from '../executor/db/types.js';
import { pgliteExtensions } from './extensions.js';

/** The database a rehearsal runs on: fresh, and gone when it is closed. */
export interface ScratchDatabase {
  session: DatabaseSession;
  /** Safe to print: `pglite:memory`, or the server URL (no password) naming the scratch database. */
  description: string;
  server: ServerVersion;
  /** Extensions the migrations create that this database cannot provide (PGlite without them). */
  unavailableExtensions: string[];
  /** Closes the session and drops the scratch database. Safe to call twice. */
  close(): Promise<void>;
}

export interface ServerVersion {
  /** `server_version_num`, e.g. 180006. */
  num: number;
  /** `server_version`, e.g. `18.6`. */
  text: string;
  major: number;
}

export interface ScratchOptions {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Extensions the migrations create: PGlite must load them when it starts. */
  extensions?: readonly string[];
  connectTimeoutMs?: number;
}

export const SCRATCH_PREFIX = 'pgwarden_rehearsal_';

/** Scratch databases not yet dropped, so an interrupted run can drop them on its way out. */
const open = new Set<ScratchDatabase>();

/**
 * A fresh database for a rehearsal. `pglite:memory` starts an embedded PostgreSQL; a server URL
 * is used only to create `pgwarden_rehearsal_<random>` next to the database it names (which is
 * never touched) and to drop it afterwards.
 */
export async function openScratchDatabase(spec: DatabaseSpec, options: ScratchOptions): Promise<ScratchDatabase> {
  const target = resolveDatabaseSpec(spec, options);
  if (target.driver === 'pglite') {
    if (target.dataDir !== undefined) {
      throw new DatabaseError(
        `a rehearsal needs a fresh database: use pglite:memory or a server URL (a scratch database is created there), not ${target.description}`,
      );
    }
    const { extensions, unavailable } = await pgliteExtensions(options.extensions ?? []);
    const session = await openPglite(undefined, 'pglite:memory', { extensions });
    return track({
      session,
      description: 'pglite:memory',
      server: await serverVersion(session),
      unavailableExtensions: unavailable,
      close: once(() => session.close()),
    });
  }

  const connect = options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs };
  const admin = await openPg(target.url, connect);
  const name = `${SCRATCH_PREFIX}${randomBytes(6).toString('hex')}`;
  let session: DatabaseSession | undefined;
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    const url = withDatabase(target.url, name);
    session = await openPg(url, connect).catch(async (error: unknown) => {
      await dropDatabase(admin, name);
      throw error;
    });
  } catch (error) {
    await admin.close().catch(() => undefined);
    throw error;
  }
  const scratch = session;
  const server = await serverVersion(scratch);
  return track({
    session: scratch,
    description: redactUrl(withDatabase(target.url, name)),
    server,
    unavailableExtensions: [],
    close: once(async () => {
      try {
        // Dropped first: WITH (FORCE) ends the rehearsal's backend even if it is still busy.
        await dropDatabase(admin, name);
      } finally {
        await scratch.close().catch(() => undefined);
        await admin.close().catch(() => undefined);
      }
    }),
  });
}

/** Drops every scratch database still open in this process (an interrupted rehearsal). */
export async function closeScratchDatabases(): Promise<void> {
  await Promise.allSettled([...open].map((scratch) => scratch.close()));
}

function track(scratch: ScratchDatabase): ScratchDatabase {
  const close = scratch.close;
  const tracked: ScratchDatabase = {
    ...scratch,
    close: async () => {
      try {
        await close();
      } finally {
        open.delete(tracked);
      }
    },
  };
  open.add(tracked);
  return tracked;
}

function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= action());
}

async function serverVersion(session: DatabaseSession): Promise<ServerVersion> {
  const { rows } = await session.query<{ num: string; text: string }>(
    "SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS text",
  );
  const num = Number(rows[0]?.num ?? 0);
  return { num, text: (rows[0]?.text ?? '').split(' ')[0] ?? '', major: Math.floor(num / 10000) };
}

/** The same server URL naming another database (user, host, port and parameters kept). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

async function dropDatabase(admin: DatabaseSession, name: string): Promise<void> {
  const { rows } = await admin.query<{ num: string }>("SELECT current_setting('server_version_num') AS num");
  if (Number(rows[0]?.num ?? 0) >= 130000) {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    return;
  }
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
}
