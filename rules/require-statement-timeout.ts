import { defineRule } from '../src/analysis/rule.js';
import { blocksTraffic } from '../src/analysis/locks.js';
import type { StatementLock } from '../src/analysis/statement-locks.js';
import type { Statement } from '../src/sql/parser.js';
import { lockedName, strongestLock, transactionLocks } from './support/held-locks.js';
import { isTimeoutOn } from './support/durations.js';
import { longWork, type LongWork } from './support/long-work.js';

interface Unbounded {
  statement: Statement;
  work: LongWork;
  /** What waits while it runs. */
  blocked: string;
}

export default defineRule({
  meta: {
    id: 'require-statement-timeout',
    risk: 'low',
    severity: 'warning',
    tags: ['locking', 'process'],
    summary:
      'A statement that can run for a long time while holding a lock that blocks traffic on an existing table, with no statement_timeout set.',
    rationale: [
      'Some migration statements take time in proportion to the data: a table rewrite (`ALTER COLUMN … TYPE`, a',
      'volatile `ADD COLUMN … DEFAULT`, `SET TABLESPACE`, `VACUUM FULL`, `CLUSTER`), a validation scan (`SET NOT NULL`,',
      'a constraint added without `NOT VALID`), a non-concurrent index build, a `REFRESH MATERIALIZED VIEW`, an',
      '`UPDATE` or `DELETE` over many rows. While they run they hold their lock (for a rewrite, `ACCESS EXCLUSIVE`: no',
      'reads, no writes; for an index build, `SHARE`: no writes; for an UPDATE, the row locks of every row it',
      'changed), plus every lock taken earlier in the same transaction.',
      '',
      'A table that turns out ten times larger than in staging, a slow disk or an unexpected sequential scan turns a',
      'planned ten-second step into a half-hour outage, and nothing stops it but a person cancelling it by hand.',
      '`SET statement_timeout` puts a ceiling on it: past the timeout Postgres cancels the statement, the transaction',
      'rolls back and the locks are released. The migration fails, visibly, instead of blocking production.',
      '',
      'pgwarden reports the first unbounded statement of a file and counts the others. Statements that block no',
      'traffic are left alone: `CREATE INDEX CONCURRENTLY`, `REINDEX CONCURRENTLY`, a plain `VALIDATE CONSTRAINT`',
      '(`SHARE UPDATE EXCLUSIVE`) or `INSERT … SELECT` in their own transaction may run long but only slow the',
      'migration itself, and a timeout would just leave an invalid index behind. Catalog-only changes (a nullable',
      '`ADD COLUMN`, `DROP COLUMN`, a `NOT VALID` constraint) finish in milliseconds once they have their lock;',
      'bounding the wait for that lock is `lock_timeout`’s job (see `require-lock-timeout`).',
    ].join('\n'),
    help: "Set statement_timeout to the longest outage you accept (SET LOCAL statement_timeout = '5min' in the transaction), and run the migration again in a quieter hour or rewrite the step if it times out.",
    badExample: 'CREATE INDEX orders_created_at_idx ON orders (created_at);',
    safeRewrite: [
      '-- First statements of the migration, inside its transaction:',
      "SET LOCAL lock_timeout = '2s';          -- bounds the wait for the lock",
      "SET LOCAL statement_timeout = '5min';   -- bounds how long writes to orders are blocked",
      'CREATE INDEX orders_created_at_idx ON orders (created_at);',
      '-- Better still, build the index without blocking writes, in a migration that runs outside a',
      '-- transaction (no statement_timeout needed: it blocks nobody):',
      '--   CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_idx ON orders (created_at);',
    ].join('\n'),
    versionNotes: [
      'PostgreSQL 17 adds `transaction_timeout`, which bounds a whole transaction, idle time included; a migration ',
      'that sets it is not reported.',
    ].join(''),
  },
  create(context) {
    const locks = transactionLocks(context.state);
    const unbounded: Unbounded[] = [];
    const bounded = () =>
      context.state.hasTimeout('statement_timeout') ||
      (context.postgresVersion >= 17 && isTimeoutOn(context.state.setting('transaction_timeout')));

    return {
      statement(statement) {
        const work = bounded() ? undefined : longWork(statement, context)[0];
        if (work) {
          const blocking = (list: readonly StatementLock[]) => list.filter((l) => blocksTraffic(l.mode));
          const lock = strongestLock(blocking(locks.locksOf(statement))) ?? strongestLock(blocking(locks.held()));
          if (lock) unbounded.push({ statement, work, blocked: `${lock.mode} on ${lockedName(lock)}` });
          else if (work.modifiesRows) unbounded.push({ statement, work, blocked: `the row locks of every row it changes` });
        }
      },
      end() {
        const first = unbounded[0];
        if (!first) return;
        const later = unbounded.length - 1;
        const others = later ? ` (${later} later statement${later > 1 ? 's' : ''} too)` : '';
        context.report({
          statement: first.statement,
          message: `No statement_timeout is set when this statement ${first.work.action}, holding ${first.blocked} for as long as it runs${others}.`,
        });
      },
    };
  },
});
