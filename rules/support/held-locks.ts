import { strongerLock } from '../../src/analysis/locks.js';
import { CURRENT, relationKey } from '../../src/analysis/schema.js';
import type { AnalysisState } from '../../src/analysis/state.js';
import type { StatementLock } from '../../src/analysis/statement-locks.js';
import type { Statement } from '../../src/sql/parser.js';
import type { DropStmt } from 'libpg-query';
import { dropTargets } from '../../src/sql/ast.js';

const DROPPED_RELATIONS = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE', 'OBJECT_SEQUENCE']);

/** A lock the current transaction holds, and the statement that took it first in that mode. */
export interface HeldLock extends StatementLock {
  statement: Statement;
}

/** `orders`, or `the table of index orders_idx` when only the index is known. */
export function lockedName(lock: StatementLock): string {
  const { schemaname, relname } = lock.relation;
  const name = schemaname ? `${schemaname}.${relname}` : relname;
  return lock.index ? `the table of index ${name}` : name;
}

/**
 * "the ACCESS EXCLUSIVE lock taken on orders at line 3", or for several relations the first three
 * with their lines and a count of the rest.
 */
export function describeHeld(held: readonly HeldLock[], lineOf: (statement: Statement) => number): { text: string; plural: boolean } {
  const seen = new Map<string, HeldLock>();
  for (const lock of held) if (!seen.has(lockedName(lock))) seen.set(lockedName(lock), lock);
  const locks = [...seen.values()];
  const mode = locks.every((lock) => lock.mode === locks[0]!.mode) ? `${locks[0]!.mode} ` : '';
  if (locks.length === 1) return { text: `the ${mode}lock taken on ${lockedName(locks[0]!)} at line ${lineOf(locks[0]!.statement)}`, plural: false };
  const shown = locks.slice(0, 3).map((lock) => `${lockedName(lock)} (line ${lineOf(lock.statement)})`);
  const rest = locks.length - shown.length;
  const list = rest ? `${shown.join(', ')} and ${rest} more` : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)!}`;
  return { text: `the ${mode}locks taken on ${list}`, plural: true };
}

/**
 * The lock names the table it blocks: not an index whose table the analysis does not know, nor a
 * name computed at run time (the `${…}` placeholder of a TS/JS migration's dynamic SQL). Two locks
 * of unknown identity may be on the same table.
 */
export function namesItsTable(lock: StatementLock): boolean {
  return !lock.index && !/^\$\{.*\}$/s.test(lock.relation.relname);
}

/** The strongest of some locks (the first listed on a tie). */
export function strongestLock<T extends StatementLock>(locks: readonly T[]): T | undefined {
  return locks.reduce<T | undefined>((a, b) => (a && strongerLock(a.mode, b.mode) === a.mode ? a : b), undefined);
}

/** Identifies the relation a lock is on: two locks with one key are on the same table, or the same index. */
function lockKey(lock: StatementLock): string {
  return `${lock.index ? 'index' : 'rel'}:${relationKey(lock.relation)}`;
}

/** The held locks in the orders and selections the rules ask for, worked out once per change. */
interface HeldView {
  all: HeldLock[];
  /** ACCESS EXCLUSIVE ones. */
  exclusive: HeldLock[];
  /** ACCESS EXCLUSIVE ones on a table of known identity (see namesItsTable), and their lockKeys. */
  exclusiveNamed: HeldLock[];
  exclusiveNamedKeys: string[];
}

/** A statement's locks, as they stood while it was the current statement. */
interface Recorded {
  statement: Statement;
  transactionId: number;
  inTransaction: boolean;
  locks: readonly StatementLock[];
  dropped: ReadonlySet<string>;
}

/**
 * The table locks a migration's transaction holds until it ends, on relations that existed before
 * the migration (locks on relations created in it block nobody). One per analysis, shared by the
 * rules (see `transactionLocks`): `held()` gives the locks taken by the statements before the
 * one the rules are looking at; each statement is recorded once the rules are done with it.
 */
export class TransactionLocks {
  private transactionId = Number.NaN;
  /** By lockKey: one lock per relation, the strongest taken. */
  private readonly locks = new Map<string, HeldLock>();
  /** Derived from `locks`, until they change. */
  private current: HeldView | undefined;
  private pending: Recorded | undefined;

  constructor(private readonly state: AnalysisState) {
    state.afterRules((statement) => this.record(statement));
  }

  /** Locks taken by earlier statements of the transaction the current statement runs in. */
  held(): readonly HeldLock[] {
    return this.view().all;
  }

  /** The held ACCESS EXCLUSIVE locks on tables of known identity (see namesItsTable). */
  heldExclusiveNamed(): readonly HeldLock[] {
    return this.view().exclusiveNamed;
  }

  /** The held lock on the relation `lock` is on (the same table, or the same index). */
  heldOn(lock: StatementLock): HeldLock | undefined {
    this.view();
    return this.locks.get(lockKey(lock));
  }

  /**
   * The ACCESS EXCLUSIVE locks held before a statement that the statement keeps in force longer: all
   * of them except those on relations it takes ACCESS EXCLUSIVE on itself (it blocks those anyway).
   * A held lock on a table of unknown identity counts only when the statement takes no ACCESS
   * EXCLUSIVE lock, since that table may be the statement's own.
   */
  exclusiveExtendedBy(statement: Statement): readonly HeldLock[] {
    return this.state.shared(statement, EXTENDED, () => {
      const view = this.view();
      const ownExclusive = this.locksOf(statement).filter((lock) => lock.mode === 'ACCESS EXCLUSIVE');
      if (!ownExclusive.length) return view.exclusive;
      const own = new Set(ownExclusive.map(lockKey));
      return view.exclusiveNamed.filter((_, i) => !own.has(view.exclusiveNamedKeys[i]!));
    });
  }

  /** The locks a statement takes on relations that existed before the migration. */
  locksOf(statement: Statement): readonly StatementLock[] {
    return preExistingLocks(this.state, statement);
  }

  private view(): HeldView {
    if (this.pending) this.flush();
    this.sync(this.state.transactionId);
    if (!this.current) {
      const view: HeldView = { all: [], exclusive: [], exclusiveNamed: [], exclusiveNamedKeys: [] };
      this.locks.forEach((lock, key) => {
        view.all.push(lock);
        if (lock.mode !== 'ACCESS EXCLUSIVE') return;
        view.exclusive.push(lock);
        if (!namesItsTable(lock)) return;
        view.exclusiveNamed.push(lock);
        view.exclusiveNamedKeys.push(key);
      });
      this.current = view;
    }
    return this.current;
  }

/**
   * Adds the statement's locks to those its transaction holds. Outside a block they end with the
   * statement, except inside a DO block, whose statements share the DO statement's transaction.
   */
  private record(statement: Statement): void {
    if (this.pending) this.flush();
    this.pending = {
      statement,
      transactionId: this.state.transactionId,
      inTransaction: this.state.inTransaction,
      locks: this.locksOf(statement),
      dropped: droppedRelations(statement),
    };
  }

  private flush(): void {
    const { statement, transactionId, inTransaction, locks, dropped } = this.pending!;
    this.pending = undefined;
    this.sync(transactionId);
    if (!inTransaction && !statement.parent) return;
    for (const lock of locks) {
      const key = lockKey(lock);
      // A dropped table or view is gone for its users whether or not its lock is still held.
      if (!lock.index && dropped.has(relationKey(lock.relation))) {
        if (this.locks.delete(key)) this.current = undefined;
        continue;
      }
      const before = this.locks.get(key);
      if (before && strongerLock(before.mode, lock.mode) === before.mode) continue;
      this.locks.set(key, { ...lock, statement });
      this.current = undefined;
    }
  }

  private sync(transactionId: number): void {
    if (transactionId === this.transactionId) return;
    this.transactionId = transactionId;
    this.locks.clear();
    this.current = undefined;
  }
}

/**
 * The locks a statement takes on relations that existed before the migration (locks on relations
 * created in it block nobody), worked out once per statement for every rule.
 */
export function preExistingLocks(state: AnalysisState, statement: Statement): readonly StatementLock[] {
  return state.shared(statement, preExistingLocks, () => {
    const { schema } = state;
    return state.locksOf(statement).filter((lock) =>
      lock.index ? schema.index(lock.relation.relname)?.createdBy !== CURRENT : !schema.isCreatedHere(lock.relation),
    );
  });
}

/** Names TransactionLocks.exclusiveExtendedBy's per-statement fact. */
const EXTENDED = {};

const trackers = new WeakMap<AnalysisState, TransactionLocks>();

/** The analysis' one TransactionLocks: its bookkeeping is done once per statement for all rules. */
export function transactionLocks(state: AnalysisState): TransactionLocks {
  let tracker = trackers.get(state);
  if (!tracker) trackers.set(state, (tracker = new TransactionLocks(state)));
  return tracker;
}

const NOTHING_DROPPED: ReadonlySet<string> = new Set();

/** The tables, views and sequences a DROP removes (not indexes: DROP INDEX leaves the table locked). */
function droppedRelations(statement: Statement): ReadonlySet<string> {
  if (statement.type !== 'DropStmt') return NOTHING_DROPPED;
  const stmt = statement.ast as DropStmt;
  if (!DROPPED_RELATIONS.has(stmt.removeType ?? '')) return NOTHING_DROPPED;
  return new Set(dropTargets(stmt.objects).map((target) => relationKey(target)));
}
