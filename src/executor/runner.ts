import type { MigrationPart } from '../migrations/migration-set.js';
import { DatabaseError, LOCK_NOT_AVAILABLE, type DatabaseSession } from './db/types.js';
import type { Environment } from './environment.js';

/** What the runner records, whatever the history storage looks like. */
export interface RunRecorder {
  /** Inside the migration's own transaction, so both commit or neither does. */
  recordAppliedInTransaction(durationMs: number): Promise<void>;
  /** For a migration run outside a transaction: a row saying it started, then its outcome. */
  recordStarted(): Promise<void>;
  recordFinished(outcome: { ok: true; durationMs: number } | { ok: false; durationMs: number; statement: string; error: string }): Promise<void>;
}

export interface StatementToRun {
  text: string;
  /** 1-based line in its file. */
  line: number;
}

export interface RunProgress {
  statement: number;
  statements: number;
  text: string;
  attempt: number;
}

export type RunResult =
  | { ok: true; durationMs: number; attempts: number; transactional: boolean }
  | {
      ok: false;
      durationMs: number;
      attempts: number;
      transactional: boolean;
      error: Error;
      /** The statement that failed, when one did. */
      failed: StatementToRun | undefined;
    };

/** The statements a part runs, in order: top-level ones only (DO bodies run inside their DO). */
export function statementsOf(part: MigrationPart): StatementToRun[] {
  const { source, statements } = part.analysis;
  return statements
    .filter((statement) => !statement.parent)
    .map((statement) => ({ text: source.text.slice(statement.start, statement.end), line: source.positionAt(statement.start).line }));
}

/** Whether the part runs inside one transaction: the analysis decided it, the runner follows. */
export function isTransactional(part: MigrationPart): boolean {
  return part.analysis.runnerTransaction;
}

export interface RunOptions {
  session: DatabaseSession;
  environment: Environment;
  part: MigrationPart;
  recorder: RunRecorder;
  onProgress?: (progress: RunProgress) => void;
  onRetry?: (attempt: number, delayMs: number, error: Error) => void;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs one migration part. A transactional part runs in one transaction together with its
 * history row and is retried with backoff after a lock timeout; a part that cannot run in a
 * transaction runs statement by statement, and a failure leaves it marked failed with the
 * statement that failed.
 */
export async function runPart(options: RunOptions): Promise<RunResult> {
  return isTransactional(options.part) ? runInTransaction(options) : runStatementByStatement(options);
}

async function runInTransaction(options: RunOptions): Promise<RunResult> {
  const { session, environment, recorder } = options;
  const statements = statementsOf(options.part);
  const sleep = options.sleep ?? wait;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    let current: StatementToRun | undefined;
    try {
      await session.query('BEGIN');
      await applyTimeouts(session, environment, true);
      for (const [index, statement] of statements.entries()) {
        current = statement;
        options.onProgress?.({ statement: index + 1, statements: statements.length, text: statement.text, attempt });
        await session.query(statement.text);
      }
      current = undefined;
      await recorder.recordAppliedInTransaction(Date.now() - started);
      await session.query('COMMIT');
      return { ok: true, durationMs: Date.now() - started, attempts: attempt, transactional: true };
    } catch (error) {
      await rollback(session);
      const failure = error instanceof Error ? error : new Error(String(error));
      const retries = environment.lockRetries;
      if (failure instanceof DatabaseError && failure.code === LOCK_NOT_AVAILABLE && attempt <= retries) {
        const delay = environment.retryDelayMs * 2 ** (attempt - 1);
        options.onRetry?.(attempt, delay, failure);
        await sleep(delay);
        continue;
      }
      return { ok: false, durationMs: Date.now() - started, attempts: attempt, transactional: true, error: failure, failed: current };
    }
  }
}

async function runStatementByStatement(options: RunOptions): Promise<RunResult> {
  const { session, environment, recorder } = options;
  const statements = statementsOf(options.part);
  const started = Date.now();
  await recorder.recordStarted();
  try {
    await applyTimeouts(session, environment, false);
    for (const [index, statement] of statements.entries()) {
      options.onProgress?.({ statement: index + 1, statements: statements.length, text: statement.text, attempt: 1 });
      try {
        await session.query(statement.text);
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        // The file may have opened a transaction of its own; leave the session clean.
        await rollback(session);
        await recorder.recordFinished({ ok: false, durationMs: Date.now() - started, statement: statement.text, error: failure.message });
        return { ok: false, durationMs: Date.now() - started, attempts: 1, transactional: false, error: failure, failed: statement };
      }
    }
    await recorder.recordFinished({ ok: true, durationMs: Date.now() - started });
    return { ok: true, durationMs: Date.now() - started, attempts: 1, transactional: false };
  } finally {
    await resetTimeouts(session, environment);
  }
}

/** Per-environment timeouts, set with bind parameters (SET itself takes none). */
async function applyTimeouts(session: DatabaseSession, environment: Environment, local: boolean): Promise<void> {
  if (environment.lockTimeoutMs !== undefined) {
    await session.query('SELECT set_config($1, $2, $3)', ['lock_timeout', `${environment.lockTimeoutMs}ms`, local]);
  }
  if (environment.statementTimeoutMs !== undefined) {
    await session.query('SELECT set_config($1, $2, $3)', ['statement_timeout', `${environment.statementTimeoutMs}ms`, local]);
  }
}

async function resetTimeouts(session: DatabaseSession, environment: Environment): Promise<void> {
  if (environment.lockTimeoutMs !== undefined) await session.query('RESET lock_timeout').catch(() => undefined);
  if (environment.statementTimeoutMs !== undefined) await session.query('RESET statement_timeout').catch(() => undefined);
}

async function rollback(session: DatabaseSession): Promise<void> {
  // ROLLBACK outside a transaction is only a warning; a broken connection is reported elsewhere.
  await session.query('ROLLBACK').catch(() => undefined);
}
