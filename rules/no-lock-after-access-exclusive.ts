import { defineRule } from '../src/analysis/rule.js';
import { blocksTraffic, strongerLock } from '../src/analysis/locks.js';
import type { StatementLock } from '../src/analysis/statement-locks.js';
import type { Statement } from '../src/sql/parser.js';
import { describeHeld, lockedName, namesItsTable, strongestLock, transactionLocks, type HeldLock } from './support/held-locks.js';
import { longWork } from './support/long-work.js';

interface Wait {
  statement: Statement;
  wanted: StatementLock;
  held: readonly HeldLock[];
  transactionId: number;
  bounded: boolean;
  later: number;
}

export default defineRule({
  meta: {
    id: 'no-lock-after-access-exclusive',
    risk: 'medium',
    tags: ['locking', 'transaction'],
    lock: 'ACCESS EXCLUSIVE',
    summary:
      'A statement that must queue for a write-blocking lock on another existing table while its transaction already holds ACCESS EXCLUSIVE on one.',
    rationale: [
      'A transaction keeps every lock it took until it ends. After a statement has taken `ACCESS EXCLUSIVE` on',
      'table A, a later statement of the same transaction that needs `SHARE` or a stronger lock on table B (another',
      '`ALTER TABLE`, `CREATE INDEX`, `DROP`, `TRUNCATE`, a trigger) has to wait until every transaction using B',
      'finishes: a long report, a batch job, a session left idle in a transaction. While it waits, A stays locked',
      'against every read and write, so an outage on A lasts as long as the slowest query on B. Locks held on',
      'several tables at once also invite deadlocks with application transactions that touch the same tables in',
      'the other order; Postgres then cancels one of the two after `deadlock_timeout`.',
      '',
      'Without `lock_timeout` the wait has no bound. With it, the statement gives up after the timeout and the',
      'migration fails and can be retried, so the finding drops to low risk: A is still blocked for up to the',
      'timeout at every such statement.',
      '',
      'pgwarden reports the first such statement of each transaction and counts the others. Statements that also',
      'scan, rewrite or change many rows are reported by `no-slow-statement-after-access-exclusive` instead, and',
      'several statements on the same table are no concern here: the lock is already held. Tables created earlier',
      'in the migration are not locked against anyone.',
    ].join('\n'),
    help: 'Change one existing table per transaction (split the migration or COMMIT in between), and set lock_timeout so a lock wait fails fast.',
    badExample: [
      '-- one migration, one transaction',
      'ALTER TABLE orders DROP COLUMN legacy_status;',
      'ALTER TABLE customers ADD COLUMN tier text;',
    ].join('\n'),
    safeRewrite: [
      '-- Migration 1 (its own transaction): only orders is locked, for milliseconds.',
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE orders DROP COLUMN legacy_status;',
      '',
      '-- Migration 2 (its own transaction): only customers is locked.',
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE customers ADD COLUMN tier text;',
    ].join('\n'),
  },
  create(context) {
    const locks = transactionLocks(context.state);
    let pending: Wait | undefined;

    const flush = () => {
      if (!pending) return;
      const { statement, wanted, held, bounded, later } = pending;
      pending = undefined;
      const locked = describeHeld(held, (s) => context.source.positionAt(s.start).line);
      const others = later ? ` (${later} later statement${later > 1 ? 's' : ''} of the transaction lock further tables)` : '';
      const wait = bounded ? 'for up to lock_timeout' : 'with no lock_timeout to bound the wait';
      context.report({
        statement,
        risk: bounded ? 'low' : 'medium',
        lock: wanted.mode,
        relation: wanted.relation,
        message:
          `This statement queues for ${wanted.mode} on ${lockedName(wanted)} behind every transaction using it, ${wait}, ` +
          `while the transaction holds ${locked.text}: ${locked.plural ? 'they stay' : 'it stays'} blocked for reads and writes meanwhile${others}.`,
      });
    };

    return {
      statement(statement) {
        if (pending && pending.transactionId !== context.state.transactionId) flush();
        // Locks of unknown identity (see namesItsTable) may be on the very table requested next.
        const heldExclusive = locks.heldExclusiveNamed();
        if (heldExclusive.length) {
          // A lock the transaction already holds at least as strongly is granted at once.
          const alreadyHeld = (lock: StatementLock) => {
            const held = locks.heldOn(lock);
            return !!held && strongerLock(held.mode, lock.mode) === held.mode;
          };
          const own = locks.locksOf(statement);
          const wanted = strongestLock(own.filter((lock) => namesItsTable(lock) && blocksTraffic(lock.mode) && !alreadyHeld(lock)));
          // no-slow-statement-after-access-exclusive reports slow statements that extend a held lock, wait included.
          const reportedAsSlow = locks.exclusiveExtendedBy(statement).length > 0 && longWork(statement, context).length > 0;
          if (wanted && !reportedAsSlow) {
            if (pending) pending.later++;
            else {
              pending = {
                statement,
                wanted,
                held: heldExclusive,
                transactionId: context.state.transactionId,
                bounded: context.state.hasTimeout('lock_timeout'),
                later: 0,
              };
            }
          }
        }
      },
      end: flush,
    };
  },
});
