import type { Client, ClientConfig, QueryResult as PgQueryResult } from 'pg';
import { toDatabaseError } from './errors.js';
import { redactorFor, redactUrl } from './redact.js';
import type { DatabaseSession, QueryResult } from './types.js';
import { DatabaseError } from './types.js';

export interface PgOptions {
  /** Give up connecting after this long (default 10 s). */
  connectTimeoutMs?: number;
  /** `application_name` unless the URL sets one (default `pgwarden`). */
  applicationName?: string;
}

const INT8_OID = 20;

/** int8 as PGlite returns it: a number when exact, a bigint beyond 2^53 (node-postgres' default is a string). */
function parseInt8(value: string): number | bigint {
  const big = BigInt(value);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** A node-postgres client on one connection. `pg` is imported here, when a server is used. */
export async function openPg(url: string, options: PgOptions = {}): Promise<DatabaseSession> {
  const redact = redactorFor(url);
  const description = redactUrl(url);
  const { default: pg } = await import('pg');
  const config: ClientConfig = {
    connectionString: url,
    application_name: options.applicationName ?? 'pgwarden',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  };

  let client: Client;
  try {
    client = new pg.Client(config);
  } catch (error) {
    throw toDatabaseError(error, redact, `invalid database URL ${description}`);
  }
  const session = new PgSession(client, description, redact);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw toDatabaseError(error, redact, `could not connect to ${description}`);
  }
  return session;
}

class PgSession implements DatabaseSession {
  readonly driver = 'pg' as const;
  /** Set when the connection broke while idle (node-postgres reports it as an event). */
  private lost: DatabaseError | undefined;
  private closed = false;

  constructor(
    private readonly client: Client,
    readonly description: string,
    readonly redact: (text: string) => string,
  ) {
    // Without a listener an idle connection's error (server restart, terminated backend) would
    // crash the process; keep it and fail the next query instead.
    client.on('error', (error) => {
      this.lost = toDatabaseError(error, redact, `connection to ${description} lost`);
    });
  }

  async query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    if (this.closed) throw new DatabaseError(`session to ${this.description} is closed`);
    if (this.lost) throw this.lost;
    let result: PgQueryResult | PgQueryResult[];
    try {
      // No parameters: the simple query protocol, which also accepts several statements.
      result = await this.client.query(params && params.length > 0 ? { text: sql, values: [...params] } : sql);
    } catch (error) {
      throw toDatabaseError(error, this.redact);
    }
    const last = Array.isArray(result) ? result[result.length - 1] : result;
    const rows = (last?.rows ?? []) as Row[];
    return { rows, rowCount: last?.rowCount ?? rows.length };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.client.end();
    } catch (error) {
      throw toDatabaseError(error, this.redact, `closing the connection to ${this.description}`);
    }
  }
}
