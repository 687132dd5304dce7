import { defineRule } from '../src/analysis/rule.js';
import { lockEffect } from '../src/analysis/locks.js';
import type { StatementLock } from '../src/analysis/statement-locks.js';
import type { Statement } from '../src/sql/parser.js';
import { blockingLock, lockedName } from './support/blocking-locks.js';

export default defineRule({
  meta: {
    id: 'require-lock-timeout',
    risk: 'low',
    severity: 'warning',
    tags: ['locking', 'process'],
    summary: 'A statement that takes a write-blocking lock on an existing table while no lock_timeout is set.',
    rationale: [
      'Lock requests queue in order. A statement that needs SHARE or a stronger lock (most DDL: ACCESS EXCLUSIVE for ',
      'ALTER TABLE, SHARE for CREATE INDEX) has to wait for every transaction already using the table, including a ',
      'long report or a session left idle in a transaction. While it waits, every later query on the table that ',
      'conflicts with the requested lock (every write, and for ACCESS EXCLUSIVE every read) queues behind it. A DDL ',
      'statement that would run for a millisecond can take the application down for as long as the oldest ',
      'transaction lasts.',
      '',
      '`SET lock_timeout` bounds that wait: the statement fails after the timeout instead of blocking traffic, and the ',
      'migration can be retried. pgwarden reports the first unprotected statement of a file and counts the others.',
    ].join('\n'),
    help: "Start the migration with SET lock_timeout = '2s' (or SET LOCAL inside the transaction) and retry it if it times out.",
    badExample: 'ALTER TABLE orders ADD COLUMN note text;',
    safeRewrite: [
      '-- First statement of the migration, inside its transaction (SET LOCAL ends with the transaction;',
      '-- in a file that runs outside one, -- pgwarden:no-transaction, use plain SET):',
      "SET LOCAL lock_timeout = '2s';",
      '-- Fails after 2 s of waiting instead of queueing every query on orders behind it;',
      '-- on failure, run the migration again (ideally with a retry loop in the deploy script).',
      'ALTER TABLE orders ADD COLUMN note text;',
    ].join('\n'),
  },
  create(context) {
    const unprotected: Array<{ statement: Statement; lock: StatementLock }> = [];
    return {
      statement(statement) {
        if (context.state.hasTimeout('lock_timeout')) return;
        const strongest = blockingLock(context, statement);
        if (strongest) unprotected.push({ statement, lock: strongest });
      },
      end() {
        const first = unprotected[0];
        if (!first) return;
        const { mode } = first.lock;
        const name = lockedName(first.lock);
        const later = unprotected.length - 1;
        const who = later ? `this statement and ${later} later statement${later > 1 ? 's' : ''} take write-blocking locks` : 'this statement takes a write-blocking lock';
        const queued = lockEffect(mode).reads ? `every query on ${name}` : `every write to ${name}`;
        context.report({
          statement: first.statement,
          lock: mode,
          message: `No lock_timeout is set when ${who}: this one can wait indefinitely for ${mode} on ${name}, and ${queued} queues behind it meanwhile.`,
        });
      },
    };
  },
});
