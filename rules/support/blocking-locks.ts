import type { LockStmt, RefreshMatViewStmt } from 'libpg-query';
import { blocksTraffic, strongerLock } from '../../src/analysis/locks.js';
import type { RuleContext } from '../../src/analysis/rule.js';
import type { StatementLock } from '../../src/analysis/statement-locks.js';
import type { Statement } from '../../src/sql/parser.js';
import { preExistingLocks } from './held-locks.js';

/**
 * The strongest lock the statement takes that blocks other sessions' writes (SHARE or stronger)
 * on a relation that existed before this migration: the wait that lock_timeout bounds. Undefined
 * for NOWAIT (fails at once instead of queueing) and for REFRESH … CONCURRENTLY, whose EXCLUSIVE
 * lock on a materialized view stops no traffic.
 */
export function blockingLock(context: Pick<RuleContext, 'state' | 'postgresVersion'>, statement: Statement): StatementLock | undefined {
  if (statement.type === 'LockStmt' && (statement.ast as LockStmt).nowait) return undefined;
  if (statement.type === 'RefreshMatViewStmt' && (statement.ast as RefreshMatViewStmt).concurrent) return undefined;
  let strongest: StatementLock | undefined;
  for (const lock of preExistingLocks(context.state, statement)) {
    if (blocksTraffic(lock.mode) && (!strongest || strongerLock(strongest.mode, lock.mode) !== strongest.mode)) strongest = lock;
  }
  return strongest;
}

/** How a finding names the relation behind a lock: queries wait on the table of an index. */
export function lockedName(lock: StatementLock): string {
  const { schemaname, relname } = lock.relation;
  const name = schemaname ? `${schemaname}.${relname}` : relname;
  return lock.index ? `the table of index ${name}` : name;
}
