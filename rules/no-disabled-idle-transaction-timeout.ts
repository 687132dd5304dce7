import { defineRule } from '../src/analysis/rule.js';
import { blocksTraffic } from '../src/analysis/locks.js';
import type { Statement } from '../src/sql/parser.js';
import { lockedName, transactionLocks } from './support/held-locks.js';
import { formatMs, isTimeoutOn, settingMs } from './support/durations.js';

/** Longer than any pause between a migration's statements, and already an outage for a locked table. */
const LONGEST_REASONABLE_MS = 5 * 60_000;

export default defineRule({
  meta: {
    id: 'no-disabled-idle-transaction-timeout',
    risk: 'low',
    severity: 'warning',
    tags: ['locking', 'process'],
    summary:
      'The migration turns idle_in_transaction_session_timeout off (or above 5 minutes) and then holds a write-blocking lock on an existing table in a transaction.',
    rationale: [
      '`idle_in_transaction_session_timeout` ends a session that sits inside an open transaction without sending',
      'anything. It is the safety net for a migration whose client stops talking in the middle of its transaction:',
      'a deploy job killed by a CI timeout on a machine that vanishes, a network partition, a runner blocked on a',
      'prompt or on application code between two statements. The server keeps the transaction open and its locks',
      'held until the timeout fires or TCP keepalive notices the dead peer, which by default takes over two hours.',
      'For a table held in `ACCESS EXCLUSIVE` (most `ALTER TABLE` forms) that is two hours in which no query can',
      'read or write it; for `SHARE` (a plain `CREATE INDEX`), two hours without writes.',
      '',
      'Servers and roles commonly set the timeout, and pgwarden cannot see that, so a migration that does not',
      'mention it is not reported. What it reports is a migration that removes the net itself:',
      "`SET idle_in_transaction_session_timeout = 0` (a line `pg_dump` writes at the top of every dump, so it comes",
      'along when a dump is pasted into a migration) or a value above 5 minutes, followed in a transaction by a',
      'statement that blocks writes to a table that existed before. Statements outside a transaction block are never',
      'idle in one, so no-transaction migrations are not affected.',
    ].join('\n'),
    help: "Remove the SET, or set a short value for the migration (SET LOCAL idle_in_transaction_session_timeout = '30s').",
    badExample: [
      'SET idle_in_transaction_session_timeout = 0;',
      'ALTER TABLE orders ADD COLUMN note text;',
    ].join('\n'),
    safeRewrite: [
      '-- Inside the migration transaction: a stalled client releases its locks after 30 s.',
      "SET LOCAL idle_in_transaction_session_timeout = '30s';",
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN note text;',
    ].join('\n'),
    versionNotes: [
      '`idle_in_transaction_session_timeout` exists since PostgreSQL 9.6. PostgreSQL 17 adds `transaction_timeout`, ',
      'which bounds the whole transaction, idle time included; a migration that sets it is not reported.',
    ].join(''),
  },
  create(context) {
    const locks = transactionLocks(context.state);
    let seenValue: string | undefined;
    let setter: Statement | undefined;
    let previous: Statement | undefined;
    let reported = false;

    return {
      statement(statement) {
        const value = context.state.setting('idle_in_transaction_session_timeout');
        if (value !== seenValue) {
          seenValue = value;
          setter = value === undefined ? undefined : previous;
        }
        if (!statement.parent) previous = statement;
        if (reported || !context.state.inTransaction || value === undefined) return;
        const ms = settingMs(value);
        if (ms === undefined || (ms !== 0 && ms <= LONGEST_REASONABLE_MS)) return;
        if (context.postgresVersion >= 17 && isTimeoutOn(context.state.setting('transaction_timeout'))) return;
        const lock = locks.locksOf(statement).find((l) => blocksTraffic(l.mode));
        if (!lock) return;
        reported = true;
        const where = context.source.positionAt(statement.start).line;
        const limit = ms === 0 ? 'is off' : `is ${formatMs(ms)}`;
        const span = ms === 0 ? 'until TCP keepalive notices, two hours by default' : `for ${formatMs(ms)}`;
        context.report({
          statement: setter ?? statement,
          lock: lock.mode,
          relation: lock.relation,
          message:
            `idle_in_transaction_session_timeout ${limit} when the statement at line ${where} takes ${lock.mode} on ${lockedName(lock)}: ` +
            `if the migration client stalls inside the transaction, ${lockedName(lock)} stays locked ${span}.`,
        });
      },
    };
  },
});
