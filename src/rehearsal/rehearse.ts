import { DatabaseError, type DatabaseSession } from '../executor/db/types.js';
import type { Migration, MigrationPart } from '../migrations/migration-set.js';
import { diffCatalogs, snapshotCatalog, type CatalogDifference } from './catalog.js';
import type { ServerVersion } from './scratch.js';
import { statementText, topLevelStatements, tracePart, type PartFailure, type PartTrace } from './trace.js';

export type MigrationStatus = 'applied' | 'rehearsed' | 'failed' | 'not-rehearsed';

export type RollbackStatus = 'verified' | 'mismatch' | 'failed' | 'not-verified' | 'none';

export interface RollbackCheck {
  status: RollbackStatus;
  /** Before the up migration vs after its down migration. */
  differences: CatalogDifference[];
  /** Running the up migration again after the down failed: the down left something behind. */
  reapplyError?: Error;
  /** Why it was not verified. */
  note?: string;
}

export interface MigrationRehearsal {
  migration: Migration;
  /**
   * `applied`: before --from, run to reach the schema (not traced); `rehearsed`: traced and, with
   * a down part, rolled back and applied again; `failed`: its up part failed (the ones after it
   * are `not-rehearsed`).
   */
  status: MigrationStatus;
  up?: PartTrace;
  down?: PartTrace;
  rollback: RollbackCheck;
  /** Why it was not rehearsed, or why the run stopped after it. */
  note?: string;
  /** Wall time: the traced up, the down, the schema comparisons and the second up. */
  durationMs: number;
}

export interface Rehearsal {
  /** Where it ran, safe to print. */
  database: string;
  server: ServerVersion;
  migrations: MigrationRehearsal[];
  seed?: { path: string; durationMs: number };
  durationMs: number;
}

export interface RehearseOptions {
  session: DatabaseSession;
  database: string;
  server: ServerVersion;
  migrations: readonly Migration[];
  /** First migration to rehearse; the ones before it are only applied. Default: the first. */
  from?: string;
  /** Last migration to run. Default: the last. */
  to?: string;
  /** SQL run after the migrations before `from`, so that rewrites and validations touch rows. */
  seed?: { path: string; text: string };
  onMigration?: (rehearsal: MigrationRehearsal, index: number, total: number) => void;
}

/** The seed did not run: the rehearsal cannot start (a setup error, not a finding). */
export class SeedError extends Error {}

/**
 * Replays migrations on a scratch database: the ones before `from` are applied as the executor
 * would, then each one from `from` on is traced statement by statement; one with a down part is
 * rolled back, the schema compared with the one before it, and the up part run again. When both
 * parts run in a transaction, the down and the second up share one that is rolled back, so the
 * next migration finds exactly what the up left, even after a wrong down; otherwise they are
 * committed, and a second up that fails stops the run. The first failing up part stops the run
 * too: the migrations after it depend on it.
 */
export async function rehearse(options: RehearseOptions): Promise<Rehearsal> {
  const started = performance.now();
  const { session, migrations } = options;
  const fromIndex = options.from === undefined ? 0 : migrations.findIndex((m) => m.id === options.from);
  const toIndex = options.to === undefined ? migrations.length - 1 : migrations.findIndex((m) => m.id === options.to);
  if (fromIndex < 0) throw new RangeError(`no migration has the id ${options.from}`);
  if (toIndex < 0) throw new RangeError(`no migration has the id ${options.to}`);
  const selected = migrations.slice(0, toIndex + 1);
  const rehearsal: Rehearsal = { database: options.database, server: options.server, migrations: [], durationMs: 0 };
  const version = options.server.major;

  let stopped: string | undefined;
  for (const [index, migration] of selected.entries()) {
    if (index === fromIndex && options.seed && !stopped) {
      const seedStarted = performance.now();
      try {
        await session.query(options.seed.text);
      } catch (error) {
        await session.query('ROLLBACK').catch(() => undefined);
        throw new SeedError(`the seed ${options.seed.path} failed: ${(error as Error).message}`);
      }
      rehearsal.seed = { path: options.seed.path, durationMs: performance.now() - seedStarted };
    }
    const migrationStarted = performance.now();
    let result: MigrationRehearsal;
    if (stopped) {
      result = { migration, status: 'not-rehearsed', rollback: { status: 'none', differences: [] }, note: stopped, durationMs: 0 };
    } else if (index < fromIndex) {
      result = await applyOnly(session, migration, version);
    } else {
      result = await rehearseOne(session, migration, version);
    }
    result.durationMs = performance.now() - migrationStarted;
    if (!stopped && result.status === 'failed') stopped = `${migration.id} failed, and the migrations after it depend on it`;
    else if (!stopped && stopsRun(result)) stopped = result.note;
    rehearsal.migrations.push(result);
    options.onMigration?.(result, index + 1, selected.length);
  }
  rehearsal.durationMs = performance.now() - started;
  return rehearsal;
}

/**
 * After a down that failed part-way outside a transaction, or an up that could not run again
 * outside one, the schema is not the one the next migration expects (the note says why).
 */
function stopsRun(result: MigrationRehearsal): boolean {
  return result.status === 'rehearsed' && result.note !== undefined;
}

async function applyOnly(session: DatabaseSession, migration: Migration, version: number): Promise<MigrationRehearsal> {
  const none: RollbackCheck = { status: 'none', differences: [] };
  const unparsed = parseFailure(migration.up);
  if (unparsed) return { migration, status: 'failed', rollback: none, note: unparsed, durationMs: 0 };
  if (migration.up.analysis.runnerTransaction) {
    const failure = await applyPart(session, migration.up);
    if (!failure) return { migration, status: 'applied', rollback: none, durationMs: 0 };
  }
  // Traced to learn which statement fails and why; a failed transaction left nothing behind.
  const up = await tracePart(session, migration.up, version);
  if (!up.failure) return { migration, status: 'applied', rollback: none, durationMs: 0 };
  return { migration, status: 'failed', up, rollback: none, durationMs: 0 };
}

async function rehearseOne(session: DatabaseSession, migration: Migration, version: number): Promise<MigrationRehearsal> {
  const none: RollbackCheck = { status: 'none', differences: [] };
  const unparsed = parseFailure(migration.up);
  if (unparsed) return { migration, status: 'failed', rollback: none, note: unparsed, durationMs: 0 };

  const down = migration.down && topLevelStatements(migration.down).length ? migration.down : undefined;
  const downProblem = down ? parseFailure(down) : undefined;
  const verify = !!down && !downProblem;
  const before = verify ? await snapshotCatalog(session) : undefined;

  const up = await tracePart(session, migration.up, version);
  if (up.failure) return { migration, status: 'failed', up, rollback: none, durationMs: 0 };
  if (!down) return { migration, status: 'rehearsed', up, rollback: { ...none, ...(migration.down ? { note: 'its down part is empty' } : {}) }, durationMs: 0 };
  if (downProblem) {
    return { migration, status: 'rehearsed', up, rollback: { status: 'not-verified', differences: [], note: downProblem }, durationMs: 0 };
  }

  // Both parts in one transaction each: the down runs, is compared, the up is tried again, and
  // all of it is rolled back, leaving the database as the up left it (even when the down is wrong).
  const contained = down.analysis.runnerTransaction && migration.up.analysis.runnerTransaction;
  const downTrace = await tracePart(session, down, version, { keepOpen: contained });
  if (downTrace.failure && refusesOnPurpose(downTrace.failure)) {
    const note = `its down part refuses to run: ${downTrace.failure.error.message}`;
    return { migration, status: 'rehearsed', up, down: downTrace, rollback: { status: 'not-verified', differences: [], note }, durationMs: 0 };
  }
  if (downTrace.failure) {
    const note = downTrace.transactional ? undefined : `the down part of ${migration.id} failed part-way outside a transaction`;
    return { migration, status: 'rehearsed', up, down: downTrace, rollback: { status: 'failed', differences: [] }, ...(note ? { note } : {}), durationMs: 0 };
  }
  const differences = diffCatalogs(before!, await snapshotCatalog(session));
  const reapplyError = contained ? await reapplyAndRollBack(session, migration.up) : await applyPart(session, migration.up);
  const rollback: RollbackCheck = {
    status: differences.length || reapplyError ? 'mismatch' : 'verified',
    differences,
    ...(reapplyError ? { reapplyError } : {}),
  };
  const note = reapplyError && !contained ? `${migration.id} could not be applied again after its down part` : undefined;
  return { migration, status: 'rehearsed', up, down: downTrace, rollback, ...(note ? { note } : {}), durationMs: 0 };
}

/** Inside the down part's open transaction: runs the up part again, then rolls everything back. */
async function reapplyAndRollBack(session: DatabaseSession, up: MigrationPart): Promise<Error | undefined> {
  const statements = topLevelStatements(up).map((statement) => statementText(up, statement));
  try {
    if (statements.length) await session.query(`${statements.join('\n;\n')}\n;`);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    await session.query('ROLLBACK');
  }
}

/** SQLSTATE P0001: RAISE EXCEPTION. */
const RAISE_EXCEPTION = 'P0001';

/** A DO block that raises: the down part says the change cannot be undone (what require-rollback recommends). */
function refusesOnPurpose(failure: PartFailure): boolean {
  return failure.statement.statement.type === 'DoStmt' && failure.error instanceof DatabaseError && failure.error.code === RAISE_EXCEPTION;
}

function parseFailure(part: MigrationPart): string | undefined {
  const errors = part.report.parseErrors;
  if (!errors.length) return undefined;
  const first = errors[0]!;
  return `${part.path} does not parse (line ${first.line}: ${first.message})`;
}

/**
 * Runs a part as the executor does, without tracing: a transactional part in one round trip. A
 * failure leaves the session outside any transaction and is returned, not thrown.
 */
async function applyPart(session: DatabaseSession, part: MigrationPart): Promise<Error | undefined> {
  const statements = topLevelStatements(part).map((statement) => statementText(part, statement));
  if (!statements.length) return undefined;
  try {
    if (part.analysis.runnerTransaction) {
      // A line break before each semicolon: a statement may end in a -- comment.
      await session.query(`BEGIN;\n${statements.join('\n;\n')}\n;\nCOMMIT;`);
    } else {
      for (const text of statements) await session.query(text);
    }
    return undefined;
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    return error instanceof Error ? error : new Error(String(error));
  }
}
