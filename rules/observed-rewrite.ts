import { defineRule } from '../src/analysis/rule.js';

/** Reported by a rehearsal (src/rehearsal/); this module carries its documentation. */
export default defineRule({
  meta: {
    id: 'observed-rewrite',
    source: 'trace',
    risk: 'high',
    tags: ['rewrite', 'locking'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'Rehearsal: a statement rewrote a table that existed before the migration (its relfilenode changed).',
    rationale: [
      'PostgreSQL rewrites a table by copying every row into new files and rebuilding every index, under an ',
      '`ACCESS EXCLUSIVE` lock: nothing can read or write the table until the copy is done, which on a large table ',
      'takes minutes to hours and needs as much free disk as the table and its indexes.',
      '',
      'Static rules predict rewrites from the SQL (`no-column-type-change`, `no-add-column-rewrite`, ',
      '`no-table-rewrite`), but whether a type change or a default needs one depends on the types involved and the ',
      'server version. A rehearsal does not guess: after each statement it compares `pg_class.relfilenode` of every ',
      'relation that existed before the migration, and a table with new files was rewritten, whatever the statement. ',
      'This does not need data: the files change even for an empty table. Tables created earlier in the same ',
      'migration are not reported (nobody else can be using them), nor are `TRUNCATE` (which empties the table, see ',
      '`no-truncate`) and `REFRESH MATERIALIZED VIEW` (see `require-concurrent-refresh`).',
    ].join('\n'),
    help: 'Avoid the rewrite: add a new column and backfill it in batches, or change the type in steps that PostgreSQL can do without copying.',
    badExample: [
      '-- 0010_orders_total_numeric.up.sql: integer to numeric copies every row',
      'ALTER TABLE orders ALTER COLUMN total_cents TYPE numeric(12, 2);',
    ].join('\n'),
    safeRewrite: [
      '-- Migration 1 (one transaction): a new nullable column, no rewrite.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN total numeric(12, 2);',
      '-- Deploy code that writes both columns.',
      '-- Migration 2 (outside a transaction, -- pgwarden:no-transaction): backfill in batches of',
      '-- 5,000 rows per transaction, repeated until it updates no row.',
      'UPDATE orders SET total = total_cents / 100.0',
      '  WHERE id IN (SELECT id FROM orders WHERE total IS NULL LIMIT 5000);',
      '-- Migration 3 (one transaction): switch reads to the new column, then drop the old one in a later release.',
    ].join('\n'),
    versionNotes: [
      'What rewrites changes with the version: before PostgreSQL 11 `ADD COLUMN … DEFAULT` rewrote the table even ',
      'for a constant; since 12 `timestamp` to `timestamptz` does not when the session time zone is UTC; binary-',
      'coercible changes (`varchar(n)` to a longer `varchar` or to `text`) never do. The default rehearsal database, ',
      'PGlite, is PostgreSQL 18: rehearse on a scratch database of your own server version with ',
      '`--database postgres://…` to see what your production server will do.',
    ].join(''),
  },
  create() {
    return {};
  },
});
