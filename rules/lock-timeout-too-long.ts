import { defineRule } from '../src/analysis/rule.js';
import { lockEffect } from '../src/analysis/locks.js';
import { settingChanges } from '../src/analysis/state.js';
import type { Statement } from '../src/sql/parser.js';
import { blockingLock, lockedName } from './support/blocking-locks.js';
import { formatMilliseconds, settingMilliseconds } from './support/setting-duration.js';

/** Longer than this, the queue behind a waiting migration is an outage rather than a hiccup. */
const LIMIT_MS = 10_000;

export default defineRule({
  meta: {
    id: 'lock-timeout-too-long',
    risk: 'low',
    severity: 'warning',
    tags: ['locking', 'process'],
    summary: `lock_timeout set to 0 (no limit) or above ${LIMIT_MS / 1000}s before a statement that takes a write-blocking lock on an existing table.`,
    rationale: [
      'While a DDL statement waits for its lock (behind a long query or an idle transaction on the table), every ',
      'later query that conflicts with the requested lock queues behind it: every write for `SHARE`, every read ',
      'and write for `ACCESS EXCLUSIVE`. `lock_timeout` is how long that can last before the statement gives up: ',
      'the queued traffic waits exactly as long as the timeout. A few seconds is a hiccup the application ',
      `absorbs and the migration can be retried; a minute is an outage. Above ${LIMIT_MS / 1000}s the timeout no `,
      'longer protects the application, and `0` turns it off: the wait, and the queue, last as long as the ',
      'oldest transaction in front.',
      '',
      'pgwarden reports the setting only when a statement that takes such a lock on a table that existed before ',
      'the migration runs while it is in force; `SET lock_timeout = 0` in a file that only creates new objects ',
      '(as in a pg_dump header) is left alone.',
    ].join('\n'),
    help: "Set lock_timeout to a few seconds (e.g. SET LOCAL lock_timeout = '2s') and retry the migration when it times out.",
    badExample: ["SET lock_timeout = '5min';", 'ALTER TABLE orders ADD COLUMN note text;'].join('\n'),
    safeRewrite: [
      '-- First statement of the migration, inside its transaction:',
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN note text;',
      '-- On a lock timeout, the deploy script runs the migration again after a pause',
      '-- (a few attempts with backoff) instead of waiting minutes with traffic queued behind it.',
    ].join('\n'),
  },
  create(context) {
    const line = (statement: Statement) => context.source.positionAt(statement.start).line;
    /** The last SET of lock_timeout to a value worth reporting, while it is in force. */
    let risky: { statement: Statement; ms: number; value: string } | undefined;

    return {
      statement(statement) {
        const inForce = context.state.setting('lock_timeout');
        if (risky && (inForce === undefined || settingMilliseconds(inForce) !== risky.ms)) risky = undefined;
        const lock = risky && blockingLock(context, statement);
        if (risky && lock) {
          const name = lockedName(lock);
          const queued = lockEffect(lock.mode).reads ? `every query on ${name}` : `every write to ${name}`;
          const wait = risky.ms === 0 ? 'indefinitely' : `up to ${formatMilliseconds(risky.ms)}`;
          context.report({
            statement: risky.statement,
            lock: lock.mode,
            message: `${risky.ms === 0 ? `lock_timeout = ${risky.value} disables the lock timeout` : `lock_timeout = '${risky.value}' is longer than ${LIMIT_MS / 1000}s`}: the statement on line ${line(statement)} can wait ${wait} for ${lock.mode} on ${name}, and ${queued} queues behind it for as long.`,
          });
          risky = undefined;
        }
        for (const change of settingChanges(statement)) {
          if (change.name !== 'lock_timeout' && change.name !== '*') continue;
          const ms = change.value === undefined ? undefined : settingMilliseconds(change.value);
          risky = ms !== undefined && (ms === 0 || ms > LIMIT_MS) ? { statement, ms, value: change.value! } : undefined;
        }
      },
    };
  },
});
