import { transactionControl, transactionIncompatibility } from '../analysis/transactions.js';
import type { LockMode } from '../analysis/locks.js';
import { DatabaseError, type DatabaseSession } from '../executor/db/types.js';
import type { MigrationPart } from '../migrations/migration-set.js';
import type { Statement } from '../sql/parser.js';
import { snapshotRelations, TransactionObserver, type Observation, type ObservedLock, type RelationInfo } from './observe.js';

/** SQLSTATE 25001: the statement cannot run inside a transaction block. */
const ACTIVE_SQL_TRANSACTION = '25001';

export interface TracedStatement {
  /** 1-based among the part's top-level statements. */
  number: number;
  statement: Statement;
  line: number;
  durationMs: number;
  /**
   * False for a statement that had to run outside any transaction block (CREATE INDEX
   * CONCURRENTLY, VACUUM…): its locks end with it, before they can be seen.
   */
  observed: boolean;
  /** Locks on pre-existing relations first taken by this statement in its transaction. */
  locks: ObservedLock[];
  rewritten: RelationInfo[];
  scanned: RelationInfo[];
  /** Current names of the pre-existing relations its transaction has locked (see Observation.names). */
  names: Observation['names'];
  /** Which transaction it ran in (statements with the same number share one); undefined when unobserved. */
  transaction: number | undefined;
}

/** Where a lock ends: at the end of its own statement, at a COMMIT/ROLLBACK statement, or at the runner's COMMIT. */
export type LockRelease = { kind: 'statement' } | { kind: 'transaction-control'; statement: number } | { kind: 'migration-end' };

export interface LockSpan {
  relation: RelationInfo;
  mode: LockMode;
  /** The statement that took it. */
  takenBy: number;
  release: LockRelease;
  /** The last statement that ran while it was held. */
  heldThrough: number;
  /** From the start of the statement that took it to the end of its transaction (observation queries excluded). */
  heldMs: number;
}

export interface PartFailure {
  statement: TracedStatement;
  error: Error;
}

export interface PartTrace {
  part: MigrationPart;
  /** The runner wrapped the whole part in one transaction. */
  transactional: boolean;
  statements: TracedStatement[];
  spans: LockSpan[];
  /** The relations that existed before the part ran, by oid: the only ones observed. */
  preexisting: ReadonlyMap<number, RelationInfo>;
  /** Time spent in the migration's own statements (and the runner's BEGIN/COMMIT). */
  durationMs: number;
  failure?: PartFailure;
}

/** The statements a part runs, in order: top-level ones (DO bodies run inside their DO). */
export function topLevelStatements(part: MigrationPart): Statement[] {
  return part.analysis.statements.filter((statement) => !statement.parent);
}

export function statementText(part: MigrationPart, statement: Statement): string {
  return part.analysis.source.text.slice(statement.start, statement.end);
}

interface OpenTransaction {
  id: number;
  observer: TransactionObserver;
  statements: TracedStatement[];
}

/**
 * Runs one migration part the way the executor does (one transaction when the analysis says the
 * runner wraps it, otherwise statement by statement), observing after each statement what its
 * transaction holds. A statement outside any transaction block is run inside one of its own
 * (BEGIN; statement; COMMIT is what autocommit does) so that its locks can be seen, except the
 * statements PostgreSQL refuses inside a block. Stops at the first failing statement, leaving the
 * session outside any transaction.
 */
export interface TraceOptions {
  /**
   * Leave the runner's transaction open at the end instead of committing it (a transactional part
   * only): the caller inspects the result and rolls it back.
   */
  keepOpen?: boolean;
}

export async function tracePart(
  session: DatabaseSession,
  part: MigrationPart,
  postgresVersion: number,
  options: TraceOptions = {},
): Promise<PartTrace> {
  const transactional = part.analysis.runnerTransaction;
  const statements = topLevelStatements(part);
  const source = part.analysis.source;
  const trace: PartTrace = { part, transactional, statements: [], spans: [], preexisting: new Map(), durationMs: 0 };
  let preexisting: ReadonlyMap<number, RelationInfo> | undefined;
  let transactions = 0;
  let open: OpenTransaction | undefined;

  const timed = async (sql: string): Promise<number> => {
    const started = performance.now();
    await session.query(sql);
    const elapsed = performance.now() - started;
    trace.durationMs += elapsed;
    return elapsed;
  };
  const startTransaction = async (): Promise<OpenTransaction> => {
    const snapshot = await snapshotRelations(session);
    preexisting ??= trace.preexisting = snapshot.relations;
    const observer = new TransactionObserver(session, preexisting);
    observer.begin(snapshot);
    return { id: ++transactions, observer, statements: [] };
  };
  const endTransaction = (transaction: OpenTransaction, release: LockRelease, endMs: number): void => {
    let remaining = endMs;
    for (const traced of [...transaction.statements].reverse()) {
      remaining += traced.durationMs;
      for (const lock of traced.locks) {
        trace.spans.push({ ...lock, takenBy: traced.number, release, heldThrough: transaction.statements.at(-1)!.number, heldMs: remaining });
      }
    }
  };
  const fail = async (traced: TracedStatement, error: unknown): Promise<PartTrace> => {
    await session.query('ROLLBACK').catch(() => undefined);
    trace.failure = { statement: traced, error: error instanceof Error ? error : new Error(String(error)) };
    trace.spans.sort((a, b) => a.takenBy - b.takenBy);
    return trace;
  };

  if (transactional) {
    await timed('BEGIN');
    open = await startTransaction();
  } else {
    preexisting = trace.preexisting = (await snapshotRelations(session)).relations;
  }

  for (const [index, statement] of statements.entries()) {
    const text = source.text.slice(statement.start, statement.end);
    const traced: TracedStatement = {
      number: index + 1,
      statement,
      line: source.positionAt(statement.start).line,
      durationMs: 0,
      observed: false,
      locks: [],
      rewritten: [],
      scanned: [],
      names: new Map(),
      transaction: undefined,
    };
    trace.statements.push(traced);
    const control = transactionControl(statement);
    try {
      if (control === 'begin') {
        traced.durationMs = await timed(text);
        open ??= await startTransaction();
        continue;
      }
      if (control === 'commit' || control === 'rollback') {
        traced.durationMs = await timed(text);
        if (open) endTransaction(open, { kind: 'transaction-control', statement: traced.number }, 0);
        open = undefined;
        continue;
      }
      if (open) {
        traced.durationMs = await timed(text);
        await record(open, traced);
        continue;
      }
      if (transactionIncompatibility(statement, postgresVersion)) {
        traced.durationMs = await timed(text);
        continue;
      }
      await session.query('BEGIN');
      const own = await startTransaction();
      try {
        traced.durationMs = await timed(text);
      } catch (error) {
        await session.query('ROLLBACK').catch(() => undefined);
        // Refused inside a block after all (a statement the analysis does not know): run it bare.
        if (!(error instanceof DatabaseError && error.code === ACTIVE_SQL_TRANSACTION)) throw error;
        traced.durationMs = await timed(text);
        continue;
      }
      await record(own, traced);
      const commitMs = await timed('COMMIT');
      endTransaction(own, { kind: 'statement' }, commitMs);
    } catch (error) {
      return fail(traced, error);
    }
  }

  if (open) {
    // The runner's own COMMIT (or, for a file that left its block open, the one that closes it).
    const commitMs = options.keepOpen && transactional ? 0 : await timed('COMMIT');
    endTransaction(open, { kind: 'migration-end' }, commitMs);
  }
  trace.spans.sort((a, b) => a.takenBy - b.takenBy);
  return trace;

  async function record(transaction: OpenTransaction, traced: TracedStatement): Promise<void> {
    const observation = await transaction.observer.observe();
    traced.observed = true;
    traced.transaction = transaction.id;
    traced.locks = observation.locks;
    traced.rewritten = observation.rewritten;
    traced.scanned = observation.scanned;
    traced.names = observation.names;
    transaction.statements.push(traced);
  }
}
