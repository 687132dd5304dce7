import { createHash } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Risk } from '../analysis/risk.js';
import type { HistoryConfig } from '../config/schema.js';
import { TOOL_VERSION } from '../version.js';
import { qualifiedName, quoteIdent } from './db/ident.js';
import { redactText } from './db/redact.js';
import type { DatabaseSession } from './db/types.js';
import { DatabaseError } from './db/types.js';

/**
 * The migration history (one row per attempt to run a migration, up or down) and the audit
 * trail (one row per decision: applied, refused, overridden, failed…). Every value is a bind
 * parameter; schema and table names come from the config and are quoted.
 *
 * Row status is what happened to that attempt:
 * - `running`: started, not finished (in progress, or the process died: resolve it);
 * - `applied`: it took effect;
 * - `failed`: it failed and may have left changes behind (a non-transactional migration): an
 *   operator resolves it with `markResolved`;
 * - `rolled-back`: it failed inside its transaction, which was rolled back: nothing changed.
 *
 * A migration's state follows from its rows, oldest first (`migrationState`): an applied `up`
 * makes it applied, an applied `down` pending, `failed`/`running` make it failed/running, and a
 * rolled-back attempt changes nothing.
 */

export type Direction = 'up' | 'down';
export type HistoryStatus = 'applied' | 'failed' | 'running' | 'rolled-back';
export type MigrationState = 'applied' | 'pending' | 'failed' | 'running';
/** The surrogate key of a history row (a bigint, as text). */
export type HistoryKey = string;

export type HistoryTable = Pick<HistoryConfig, 'schema' | 'table'>;
export type AuditTarget = Pick<HistoryConfig, 'schema' | 'auditTable' | 'auditFile'>;

export interface HistoryRow {
  key: HistoryKey;
  id: string;
  direction: Direction;
  /** SHA-256 hex of the migration file that ran (the down file for `down`). */
  checksum: string;
  risk: Risk | null;
  status: HistoryStatus;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  dbUser: string | null;
  toolVersion: string | null;
  /** Set when a risk override let the migration through. */
  overrideReason: string | null;
  /** The OS user who gave the override. */
  overriddenBy: string | null;
  failedStatement: string | null;
  error: string | null;
  /** Set by `markResolved`. */
  resolvedAt: Date | null;
  resolvedBy: string | null;
}

export interface HistoryEntry extends HistoryRow {
  /** What the migration's rows add up to (see `migrationState`). */
  state: MigrationState;
  /** Checksum of the `up` run that made it applied, when `state` is `applied` (to detect an edited file). */
  appliedChecksum: string | null;
}

export interface MigrationAttempt {
  id: string;
  direction: Direction;
  checksum: string;
  risk: Risk | null;
  overrideReason?: string | null;
  overriddenBy?: string | null;
  /** Default: this pgwarden's version. */
  toolVersion?: string;
}

export interface AttemptOutcome {
  status: Exclude<HistoryStatus, 'running'>;
  /** Default: measured by the database from `started_at`. */
  durationMs?: number | null;
  error?: string | null;
  failedStatement?: string | null;
}

/** The OS user running pgwarden (`overridden_by`, the audit's `os_user`). */
export function currentOsUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (some containers).
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// Tables

/** Catalog races between two processes creating the same object. */
const RACE_CODES = new Set(['23505', '42P07', '42P06', '42710']);

/** Postgres names are at most 63 bytes: a name that would be cut gets a hash instead. */
function objectName(table: string, suffix: string): string {
  const name = `${table}_${suffix}`;
  if (Buffer.byteLength(name, 'utf8') <= 63) return name;
  return `pgwarden_${createHash('sha256').update(table).digest('hex').slice(0, 16)}_${suffix}`;
}

async function schemaExists(session: DatabaseSession, schema: string): Promise<boolean> {
  const { rows } = await session.query<{ found: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS found', [schema]);
  return rows[0]?.found === true;
}

async function relationExists(session: DatabaseSession, schema: string, name: string): Promise<boolean> {
  const { rows } = await session.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [qualifiedName(schema, name)]);
  return rows[0]?.found === true;
}

/** DDL that another process may be running at the same moment: a lost race is retried, and then finds the object. */
async function runDdl(session: DatabaseSession, sql: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await session.query(sql);
      return;
    } catch (error) {
      if (attempt < 3 && error instanceof DatabaseError && error.code !== undefined && RACE_CODES.has(error.code)) continue;
      throw error;
    }
  }
}

/*
 * Each object is looked up before it is created: `CREATE … IF NOT EXISTS` checks the CREATE
 * privilege before it checks existence, and a migration user may lack it on a database where
 * the tables are already there.
 */
async function ensureSchema(session: DatabaseSession, schema: string): Promise<void> {
  if (!(await schemaExists(session, schema))) await runDdl(session, `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
}

async function ensureHistoryTable(session: DatabaseSession, cfg: HistoryTable): Promise<void> {
  const table = qualifiedName(cfg.schema, cfg.table);
  if (!(await relationExists(session, cfg.schema, cfg.table))) {
    await runDdl(
      session,
      `CREATE TABLE IF NOT EXISTS ${table} (
        seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        id text NOT NULL,
        direction text NOT NULL,
        checksum text NOT NULL,
        risk text,
        status text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        finished_at timestamptz,
        duration_ms integer,
        db_user text DEFAULT current_user,
        tool_version text,
        override_reason text,
        overridden_by text,
        failed_statement text,
        error text,
        resolved_at timestamptz,
        resolved_by text
      )`,
    );
  }
  const index = objectName(cfg.table, 'id_idx');
  if (!(await relationExists(session, cfg.schema, index))) {
    await runDdl(session, `CREATE INDEX IF NOT EXISTS ${quoteIdent(index)} ON ${table} (id, seq)`);
  }
}

async function ensureAuditTable(session: DatabaseSession, cfg: Pick<HistoryConfig, 'schema' | 'auditTable'>): Promise<void> {
  await ensureSchema(session, cfg.schema);
  if (await relationExists(session, cfg.schema, cfg.auditTable)) return;
  await runDdl(
    session,
    `CREATE TABLE IF NOT EXISTS ${qualifiedName(cfg.schema, cfg.auditTable)} (
      seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT clock_timestamp(),
      environment text,
      action text NOT NULL,
      migration_id text,
      risk text,
      max_risk text,
      os_user text,
      db_user text DEFAULT current_user,
      detail jsonb
    )`,
  );
}

/**
 * Creates the history schema and table (and the audit table, unless the audit goes to
 * `auditFile`) when missing. Safe to run from two processes at once. Run it outside a
 * transaction: each statement commits on its own, so a lost race can be retried.
 */
export async function ensureHistory(session: DatabaseSession, cfg: HistoryConfig): Promise<void> {
  await ensureSchema(session, cfg.schema);
  await ensureHistoryTable(session, cfg);
  if (!cfg.auditFile) await ensureAuditTable(session, cfg);
}

// ---------------------------------------------------------------------------------------------
// Reading

interface RawHistoryRow {
  key: string;
  id: string;
  direction: string;
  checksum: string;
  risk: string | null;
  status: string;
  started_at: Date | string;
  finished_at: Date | string | null;
  duration_ms: number | null;
  db_user: string | null;
  tool_version: string | null;
  override_reason: string | null;
  overridden_by: string | null;
  failed_statement: string | null;
  error: string | null;
  resolved_at: Date | string | null;
  resolved_by: string | null;
}

const SELECT_ROW = `SELECT seq::text AS key, id, direction, checksum, risk, status, started_at, finished_at, duration_ms,
  db_user, tool_version, override_reason, overridden_by, failed_statement, error, resolved_at, resolved_by`;

const DIRECTIONS: readonly string[] = ['up', 'down'];
const STATUSES: readonly string[] = ['applied', 'failed', 'running', 'rolled-back'];
const RISKS: readonly string[] = ['low', 'medium', 'high'];

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function toRow(raw: RawHistoryRow, table: string): HistoryRow {
  const unexpected = (column: string, value: string): Error =>
    new Error(`unexpected ${column} ${JSON.stringify(value)} in ${table} row ${raw.key} (written by a newer pgwarden?)`);
  if (!DIRECTIONS.includes(raw.direction)) throw unexpected('direction', raw.direction);
  if (!STATUSES.includes(raw.status)) throw unexpected('status', raw.status);
  if (raw.risk !== null && !RISKS.includes(raw.risk)) throw unexpected('risk', raw.risk);
  return {
    key: raw.key,
    id: raw.id,
    direction: raw.direction as Direction,
    checksum: raw.checksum,
    risk: raw.risk as Risk | null,
    status: raw.status as HistoryStatus,
    startedAt: toDate(raw.started_at),
    finishedAt: raw.finished_at === null ? null : toDate(raw.finished_at),
    durationMs: raw.duration_ms === null ? null : Number(raw.duration_ms),
    dbUser: raw.db_user,
    toolVersion: raw.tool_version,
    overrideReason: raw.override_reason,
    overriddenBy: raw.overridden_by,
    failedStatement: raw.failed_statement,
    error: raw.error,
    resolvedAt: raw.resolved_at === null ? null : toDate(raw.resolved_at),
    resolvedBy: raw.resolved_by,
  };
}

/** Every history row, oldest first; empty when the table does not exist yet (nothing is created). */
export async function readHistoryRows(session: DatabaseSession, cfg: HistoryTable): Promise<HistoryRow[]> {
  if (!(await relationExists(session, cfg.schema, cfg.table))) return [];
  const table = qualifiedName(cfg.schema, cfg.table);
  const { rows } = await session.query<RawHistoryRow>(`${SELECT_ROW} FROM ${table} ORDER BY seq`);
  return rows.map((raw) => toRow(raw, table));
}

/** A migration's state from its rows, oldest first. No rows: pending. */
export function migrationState(rows: readonly HistoryRow[]): { state: MigrationState; appliedChecksum: string | null } {
  let state: MigrationState = 'pending';
  let appliedChecksum: string | null = null;
  for (const row of rows) {
    if (row.status === 'rolled-back') continue;
    if (row.status === 'applied') {
      state = row.direction === 'up' ? 'applied' : 'pending';
      appliedChecksum = row.direction === 'up' ? row.checksum : null;
    } else {
      state = row.status;
    }
  }
  return { state, appliedChecksum: state === 'applied' ? appliedChecksum : null };
}

/**
 * The latest row of each migration id, with the state its rows add up to, in the order the
 * migrations first appear in the history. Empty when the table does not exist yet.
 */
export async function readHistory(session: DatabaseSession, cfg: HistoryTable): Promise<Map<string, HistoryEntry>> {
  const byId = new Map<string, HistoryRow[]>();
  for (const row of await readHistoryRows(session, cfg)) {
    const rows = byId.get(row.id);
    if (rows) rows.push(row);
    else byId.set(row.id, [row]);
  }
  const entries = new Map<string, HistoryEntry>();
  for (const [id, rows] of byId) entries.set(id, { ...rows[rows.length - 1]!, ...migrationState(rows) });
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Writing

function redactor(session: DatabaseSession): (text: string | null | undefined) => string | null {
  return (text) => (text === null || text === undefined ? null : session.redact ? session.redact(text) : redactText(text));
}

/** duration_ms is an integer column; measured durations (performance.now) are not integers. */
function roundMs(ms: number | null | undefined): number | null {
  return ms === null || ms === undefined ? null : Math.max(0, Math.round(ms));
}

function attemptParams(attempt: MigrationAttempt): unknown[] {
  return [
    attempt.id,
    attempt.direction,
    attempt.checksum,
    attempt.risk,
    attempt.toolVersion ?? TOOL_VERSION,
    attempt.overrideReason ?? null,
    attempt.overriddenBy ?? null,
  ];
}

/** Inserts a `running` row for an attempt that is starting; returns its key for `finishMigration`. */
export async function startMigration(session: DatabaseSession, cfg: HistoryTable, attempt: MigrationAttempt): Promise<HistoryKey> {
  const { rows } = await session.query<{ key: string }>(
    `INSERT INTO ${qualifiedName(cfg.schema, cfg.table)}
       (id, direction, checksum, risk, tool_version, override_reason, overridden_by, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'running')
     RETURNING seq::text AS key`,
    attemptParams(attempt),
  );
  return rows[0]!.key;
}

/** Closes a `running` row: its outcome, finished_at, duration (error and statement redacted). */
export async function finishMigration(session: DatabaseSession, cfg: HistoryTable, key: HistoryKey, outcome: AttemptOutcome): Promise<void> {
  const redact = redactor(session);
  const table = qualifiedName(cfg.schema, cfg.table);
  const { rowCount } = await session.query(
    `UPDATE ${table}
        SET status = $2,
            finished_at = clock_timestamp(),
            duration_ms = COALESCE($3::integer, round(extract(epoch FROM clock_timestamp() - started_at) * 1000)::integer),
            error = $4,
            failed_statement = $5
      WHERE seq = $1::bigint`,
    [key, outcome.status, roundMs(outcome.durationMs), redact(outcome.error), redact(outcome.failedStatement)],
  );
  if (rowCount === 0) throw new Error(`no history row ${key} in ${table}`);
}

/**
 * Inserts a finished attempt in one statement. `startedAt` defaults to now minus `durationMs`.
 * Runs on the caller's session, so inside the caller's transaction when one is open.
 */
export async function recordAttempt(
  session: DatabaseSession,
  cfg: HistoryTable,
  attempt: MigrationAttempt,
  outcome: AttemptOutcome & { startedAt?: Date },
): Promise<HistoryKey> {
  const redact = redactor(session);
  const durationMs = roundMs(outcome.durationMs ?? (outcome.startedAt ? Date.now() - outcome.startedAt.getTime() : null));
  const { rows } = await session.query<{ key: string }>(
    `INSERT INTO ${qualifiedName(cfg.schema, cfg.table)}
       (id, direction, checksum, risk, tool_version, override_reason, overridden_by,
        status, duration_ms, started_at, finished_at, error, failed_statement)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::integer,
             COALESCE($10::timestamptz, clock_timestamp() - COALESCE($9::integer, 0) * interval '1 millisecond'),
             clock_timestamp(), $11, $12)
     RETURNING seq::text AS key`,
    [
      ...attemptParams(attempt),
      outcome.status,
      durationMs,
      outcome.startedAt ? outcome.startedAt.toISOString() : null,
      redact(outcome.error),
      redact(outcome.failedStatement),
    ],
  );
  return rows[0]!.key;
}

/**
 * Records an applied migration. Call it between the migration's last statement and COMMIT, so
 * the migration and its history row commit (or roll back) together.
 */
export function recordApplied(
  session: DatabaseSession,
  cfg: HistoryTable,
  attempt: MigrationAttempt & { durationMs?: number; startedAt?: Date },
): Promise<HistoryKey> {
  const { durationMs, startedAt, ...rest } = attempt;
  return recordAttempt(session, cfg, rest, {
    status: 'applied',
    ...(durationMs === undefined ? {} : { durationMs }),
    ...(startedAt === undefined ? {} : { startedAt }),
  });
}

/**
 * An operator's resolution of a migration whose last attempt failed (or was left `running` by a
 * process that died): `applied` if its changes are in place, `pending` if they are not (undone
 * by hand). The attempt's row keeps its error and gets `resolved_at`/`resolved_by`; its status
 * becomes `applied` or `rolled-back`, whichever makes the migration's state the one asked for.
 * Hold the migration lock while calling it, so a `running` row is not one in progress.
 */
export async function markResolved(
  session: DatabaseSession,
  cfg: HistoryTable,
  id: string,
  as: 'applied' | 'pending',
  options: { by?: string } = {},
): Promise<HistoryRow> {
  const table = qualifiedName(cfg.schema, cfg.table);
  const latest = await session.query<{ key: string; direction: string; status: string }>(
    `SELECT seq::text AS key, direction, status FROM ${table} WHERE id = $1 ORDER BY seq DESC LIMIT 1`,
    [id],
  );
  const row = latest.rows[0];
  if (!row) throw new Error(`migration ${id} has no history in ${table}: nothing to resolve`);
  if (row.status !== 'failed' && row.status !== 'running') {
    throw new Error(`migration ${id} does not need resolving: its last ${row.direction} run is ${row.status}`);
  }
  // Up resolved as applied took effect; a down resolved as pending (the migration is gone) took effect too.
  const tookEffect = (as === 'applied') === (row.direction === 'up');
  const { rows } = await session.query<RawHistoryRow>(
    `UPDATE ${table}
        SET status = $2, resolved_at = clock_timestamp(), resolved_by = $3, finished_at = COALESCE(finished_at, clock_timestamp())
      WHERE seq = $1::bigint
     RETURNING seq::text AS key, id, direction, checksum, risk, status, started_at, finished_at, duration_ms,
               db_user, tool_version, override_reason, overridden_by, failed_statement, error, resolved_at, resolved_by`,
    [row.key, tookEffect ? 'applied' : 'rolled-back', options.by ?? currentOsUser()],
  );
  return toRow(rows[0]!, table);
}

// ---------------------------------------------------------------------------------------------
// Audit

export type AuditAction = 'apply' | 'down' | 'refused' | 'failed' | 'override' | 'resolve' | (string & Record<never, never>);

export interface AuditEntry {
  environment: string | null;
  action: AuditAction;
  migrationId?: string | null;
  risk?: Risk | null;
  maxRisk?: Risk | null;
  /** Default: `currentOsUser()`. */
  osUser?: string;
  /** Default: the session's `current_user`; null without a session. */
  dbUser?: string | null;
  detail?: Record<string, unknown> | null;
  /** Default: now. */
  at?: Date;
}

/** One audit record as stored: a row of the audit table, or one line of the audit file. */
export interface AuditRecord {
  at: string;
  environment: string | null;
  action: string;
  migrationId: string | null;
  risk: Risk | null;
  maxRisk: Risk | null;
  osUser: string;
  dbUser: string | null;
  detail: Record<string, unknown> | null;
}

async function sessionUser(session: DatabaseSession | null): Promise<string | null> {
  if (!session) return null;
  try {
    const { rows } = await session.query<{ user: string }>('SELECT current_user AS "user"');
    return rows[0]?.user ?? null;
  } catch {
    return null;
  }
}

/**
 * Appends to the audit trail: one line of JSON to `auditFile` (relative to `cwd`) when the
 * config names one, else a row of the audit table (created when missing). Call it outside any
 * migration transaction, so refusals and failures are kept when the migration rolls back.
 * Every text is redacted with the session's secrets. Without a session and without
 * `auditFile` there is nowhere to write: it throws.
 */
export async function recordAudit(
  session: DatabaseSession | null,
  cfg: AuditTarget,
  entry: AuditEntry,
  options: { cwd?: string } = {},
): Promise<AuditRecord> {
  const redact = (text: string): string => (session?.redact ? session.redact(text) : redactText(text));
  const redactNullable = (text: string | null | undefined): string | null => (text === null || text === undefined ? null : redact(text));
  const detail = entry.detail
    ? (JSON.parse(JSON.stringify(entry.detail, (_key, value: unknown) => (typeof value === 'string' ? redact(value) : value))) as Record<
        string,
        unknown
      >)
    : null;
  const record: AuditRecord = {
    at: (entry.at ?? new Date()).toISOString(),
    environment: redactNullable(entry.environment),
    action: redact(entry.action),
    migrationId: redactNullable(entry.migrationId),
    risk: entry.risk ?? null,
    maxRisk: entry.maxRisk ?? null,
    osUser: redact(entry.osUser ?? currentOsUser()),
    dbUser: entry.dbUser !== undefined ? redactNullable(entry.dbUser) : await sessionUser(session),
    detail,
  };

  if (cfg.auditFile) {
    const file = path.resolve(options.cwd ?? process.cwd(), cfg.auditFile);
    await mkdir(path.dirname(file), { recursive: true });
    await appendFile(file, `${JSON.stringify(record)}\n`, 'utf8');
    return record;
  }
  if (!session) throw new Error('cannot write the audit trail: no database session, and history.auditFile is not set');

  const insert = (): Promise<unknown> =>
    session.query(
      `INSERT INTO ${qualifiedName(cfg.schema, cfg.auditTable)}
         (at, environment, action, migration_id, risk, max_risk, os_user, db_user, detail)
       VALUES ($1::timestamptz, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`,
      [
        record.at,
        record.environment,
        record.action,
        record.migrationId,
        record.risk,
        record.maxRisk,
        record.osUser,
        record.dbUser,
        detail === null ? null : JSON.stringify(detail),
      ],
    );
  try {
    await insert();
  } catch (error) {
    // 42P01 undefined_table, 3F000 invalid_schema_name: the trail is written before ensureHistory ran.
    if (!(error instanceof DatabaseError) || (error.code !== '42P01' && error.code !== '3F000')) throw error;
    await ensureAuditTable(session, cfg);
    await insert();
  }
  return record;
}

/** The audit rows, oldest first (for `pgwarden status` and tests); empty when the table does not exist. */
export async function readAudit(session: DatabaseSession, cfg: Pick<HistoryConfig, 'schema' | 'auditTable'>): Promise<AuditRecord[]> {
  if (!(await relationExists(session, cfg.schema, cfg.auditTable))) return [];
  const { rows } = await session.query<{
    at: Date | string;
    environment: string | null;
    action: string;
    migration_id: string | null;
    risk: Risk | null;
    max_risk: Risk | null;
    os_user: string;
    db_user: string | null;
    detail: Record<string, unknown> | null;
  }>(
    `SELECT at, environment, action, migration_id, risk, max_risk, os_user, db_user, detail
       FROM ${qualifiedName(cfg.schema, cfg.auditTable)} ORDER BY seq`,
  );
  return rows.map((r) => ({
    at: toDate(r.at).toISOString(),
    environment: r.environment,
    action: r.action,
    migrationId: r.migration_id,
    risk: r.risk,
    maxRisk: r.max_risk,
    osUser: r.os_user,
    dbUser: r.db_user,
    detail: r.detail,
  }));
}
