import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { openPg } from './pg.js';
import { openPglite } from './pglite.js';
import { redactUrl } from './redact.js';
import type { DatabaseSession } from './types.js';
import { DatabaseError } from './types.js';

/** The config's `environments.*.database`: a URL, `pglite:memory`, `pglite:<dir>`, or `{ env: NAME }`. */
export type DatabaseSpec = string | { readonly env: string };

export interface OpenDatabaseOptions {
  /** `pglite:<dir>` is relative to this. */
  cwd: string;
  /** Where `{ env: NAME }` is looked up (usually `process.env`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Server connections give up after this long (default 10 s). */
  connectTimeoutMs?: number;
}

export type DatabaseTarget =
  | { driver: 'pg'; url: string; description: string }
  | { driver: 'pglite'; dataDir: string | undefined; description: string };

const PG_URL = /^postgres(?:ql)?:\/\//i;
const PGLITE = 'pglite:';

/** Where a spec points, without connecting. Throws a DatabaseError (secrets masked) for a bad spec. */
export function resolveDatabaseSpec(spec: DatabaseSpec, options: Pick<OpenDatabaseOptions, 'cwd' | 'env'>): DatabaseTarget {
  let value: string;
  if (typeof spec === 'string') {
    value = spec.trim();
  } else {
    const raw = options.env[spec.env];
    if (raw === undefined || raw.trim() === '') {
      throw new DatabaseError(
        `environment variable ${spec.env} is ${raw === undefined ? 'not set' : 'empty'}: ` +
          `the config reads the database URL from it (database: { env: ${spec.env} })`,
      );
    }
    value = raw.trim();
  }

  if (PG_URL.test(value)) return { driver: 'pg', url: value, description: redactUrl(value) };
  if (value.startsWith(PGLITE)) {
    const where = value.slice(PGLITE.length);
    if (where === 'memory') return { driver: 'pglite', dataDir: undefined, description: 'pglite:memory' };
    if (where === '') throw new DatabaseError('"pglite:" needs a directory (pglite:<dir>) or "memory" (pglite:memory)');
    return { driver: 'pglite', dataDir: path.resolve(options.cwd, where), description: value };
  }
  const origin = typeof spec === 'string' ? '' : ` (from ${spec.env})`;
  throw new DatabaseError(
    `unsupported database "${redactUrl(value)}"${origin}: expected a postgres:// or postgresql:// URL, pglite:memory or pglite:<dir>`,
  );
}

/** Opens one session on the database a spec names. The caller closes it. */
export async function openDatabase(spec: DatabaseSpec, options: OpenDatabaseOptions): Promise<DatabaseSession> {
  const target = resolveDatabaseSpec(spec, options);
  if (target.driver === 'pg') {
    return openPg(target.url, options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs });
  }
  if (target.dataDir !== undefined) {
    try {
      await mkdir(target.dataDir, { recursive: true });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new DatabaseError(`could not create the PGlite directory for ${target.description}: ${reason}`);
    }
  }
  return openPglite(target.dataDir, target.description);
}
