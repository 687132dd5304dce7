import { defineRule } from '../src/analysis/rule.js';

/** Reported by a rehearsal (src/rehearsal/); this module carries its documentation. */
export default defineRule({
  meta: {
    id: 'observed-blocking-lock',
    source: 'trace',
    risk: 'medium',
    tags: ['locking', 'transaction'],
    summary: 'Rehearsal: a lock that blocks writes (or reads) is held while a later statement of the same transaction scans or rewrites a table.',
    rationale: [
      'Locks last until the end of the transaction, not the end of the statement that took them. An instant ',
      'statement that takes `ACCESS EXCLUSIVE` (most `ALTER TABLE` forms) or `SHARE` (`CREATE INDEX`) becomes a long ',
      'outage when a later statement in the same transaction reads a whole table: a backfill `UPDATE`, a ',
      '`VALIDATE CONSTRAINT`, an index build, a foreign key that checks existing rows. Every query on the locked ',
      'table waits for that scan, and the scan grows with the table.',
      '',
      'The rehearsal sees both halves: which locks the transaction holds on relations that existed before the ',
      'migration after each statement (`pg_locks`), and which of those tables a statement read in full ',
      '(sequential scans, `pg_stat_get_xact_numscans`) or rewrote. A scan counts even on an empty table, so no ',
      'seed data is needed. A later statement that takes at least as strong a lock on the same table itself is not ',
      'counted: it would block traffic anyway, and its own rule reports it.',
    ].join('\n'),
    help: 'End the transaction after the statement that takes the lock: move the slow statement into its own migration (batched for a backfill).',
    badExample: [
      '-- 0011_orders_region.up.sql: one transaction',
      'ALTER TABLE orders ADD COLUMN region text;         -- ACCESS EXCLUSIVE on orders, instant',
      "UPDATE orders SET region = 'eu';                   -- scans orders while the lock is held",
    ].join('\n'),
    safeRewrite: [
      '-- Migration 1 (one transaction): instant.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN region text;',
      '-- Migration 2 (outside a transaction, -- pgwarden:no-transaction): backfill in batches of',
      '-- 5,000 rows per transaction, repeated until it updates no row; only ROW EXCLUSIVE, no outage.',
      "UPDATE orders SET region = 'eu'",
      '  WHERE id IN (SELECT id FROM orders WHERE region IS NULL LIMIT 5000);',
    ].join('\n'),
  },
  create() {
    return {};
  },
});
