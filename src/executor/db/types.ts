/**
 * One database session, whatever the driver: node-postgres against a server, or PGlite in
 * process. The executor needs a single session (advisory locks and SET are per session).
 */
export interface QueryResult<Row> {
  rows: Row[];
  /** Rows affected or returned. */
  rowCount: number;
}

export interface DatabaseSession {
  readonly driver: 'pg' | 'pglite';
  /** Where it points, safe to print: the URL without its password, or `pglite:<dir>`. */
  readonly description: string;
  /** One statement; `params` are sent as bind parameters (never interpolated). */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  close(): Promise<void>;
  /**
   * Masks this session's secrets (the URL's password, raw and percent-encoded) and any URL
   * password in `text`. Errors thrown by `query` are already redacted; use this for anything else
   * that came from the database or its URL before printing or storing it.
   */
  readonly redact?: (text: string) => string;
}

/** A failed statement, with the server's SQLSTATE and a message from which secrets are removed. */
export class DatabaseError extends Error {
  readonly code: string | undefined;
  /** 1-based character position in the statement, when the server gave one. */
  readonly position: number | undefined;
  readonly detail: string | undefined;
  readonly hint: string | undefined;

  constructor(message: string, fields: { code?: string; position?: number; detail?: string; hint?: string } = {}) {
    super(message);
    this.name = 'DatabaseError';
    this.code = fields.code;
    this.position = fields.position;
    this.detail = fields.detail;
    this.hint = fields.hint;
  }
}

/** SQLSTATE 55P03: lock_timeout expired (or NOWAIT) while waiting for a lock. */
export const LOCK_NOT_AVAILABLE = '55P03';
/** SQLSTATE 57014: statement_timeout expired. */
export const QUERY_CANCELED = '57014';
