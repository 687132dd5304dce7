import type { Extensions, PGlite, Results } from '@electric-sql/pglite';
import { lockDataDir, type DirLock } from './dir-lock.js';
import { toDatabaseError } from './errors.js';
import { redactText } from './redact.js';
import type { DatabaseSession, QueryResult } from './types.js';
import { DatabaseError } from './types.js';

export interface PgliteOptions {
  /** Contrib extensions to make available to CREATE EXTENSION (PGlite loads them at start). */
  extensions?: Extensions;
}

/**
 * PostgreSQL in process (PGlite, WebAssembly). `dataDir` undefined: in memory. The package is
 * imported here, on first use, so linting never loads it. One PGlite instance is one session;
 * a directory is locked against other processes while it is open (see dir-lock.ts).
 */
export async function openPglite(dataDir: string | undefined, description: string, options: PgliteOptions = {}): Promise<DatabaseSession> {
  const redact = (text: string): string => redactText(text);
  const dirLock = dataDir === undefined ? undefined : await lockDataDir(dataDir, description);
  let db: PGlite;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const settings = options.extensions ? { extensions: options.extensions } : {};
    db = dataDir === undefined ? new PGlite(settings) : new PGlite(dataDir, settings);
    await db.waitReady;
  } catch (error) {
    await dirLock?.release();
    throw toDatabaseError(error, redact, `could not open ${description}`);
  }
  return new PgliteSession(db, description, redact, dirLock);
}

class PgliteSession implements DatabaseSession {
  readonly driver = 'pglite' as const;
  private closed = false;

  constructor(
    private readonly db: PGlite,
    readonly description: string,
    readonly redact: (text: string) => string,
    private readonly dirLock: DirLock | undefined,
  ) {}

  async query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    if (this.closed) throw new DatabaseError(`session to ${this.description} is closed`);
    let result: Results<Row> | undefined;
    try {
      if (params && params.length > 0) {
        result = await this.db.query<Row>(sql, [...params]);
      } else {
        // Like node-postgres without parameters: the simple protocol, several statements allowed.
        const results = await this.db.exec(sql);
        result = results[results.length - 1] as Results<Row> | undefined;
      }
    } catch (error) {
      throw toDatabaseError(error, this.redact);
    }
    const rows = result?.rows ?? [];
    return { rows, rowCount: rows.length > 0 ? rows.length : (result?.affectedRows ?? 0) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.db.close();
    } catch (error) {
      throw toDatabaseError(error, this.redact, `closing ${this.description}`);
    } finally {
      await this.dirLock?.release();
    }
  }
}
