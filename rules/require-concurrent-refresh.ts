import { defineRule } from '../src/analysis/rule.js';
import { relationName } from '../src/sql/ast.js';

export default defineRule({
  meta: {
    id: 'require-concurrent-refresh',
    risk: 'medium',
    tags: ['locking'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY on a materialized view that existed before this migration.',
    rationale: [
      'A plain `REFRESH MATERIALIZED VIEW` re-runs the query and swaps in the result while holding an ',
      '`ACCESS EXCLUSIVE` lock on the view: every `SELECT` from it waits for the whole refresh, which takes as ',
      'long as the view query itself.\n\n',
      '`REFRESH MATERIALIZED VIEW CONCURRENTLY` builds the new result aside and applies the differences under an ',
      '`EXCLUSIVE` lock, which still lets `SELECT` read the old contents. It needs a `UNIQUE` index on the view ',
      'covering all rows (no `WHERE`, plain column names), cannot run on a view that was never populated, and ',
      'is slower when most rows change.\n\n',
      '`WITH NO DATA` is quick but leaves the view unscannable: every query on it fails until the next refresh.',
    ].join(''),
    help: 'Use REFRESH MATERIALIZED VIEW CONCURRENTLY; it needs a unique index on the view (CREATE UNIQUE INDEX CONCURRENTLY … ON the view first).',
    badExample: 'REFRESH MATERIALIZED VIEW daily_sales;',
    safeRewrite: [
      '-- Migration 1, once, a migration of its own run outside a transaction: the unique index',
      '-- CONCURRENTLY requires (plain column names, no WHERE), built without blocking reads.',
      '-- pgwarden:no-transaction',
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS daily_sales_day_key ON daily_sales (day);',
      '',
      '-- Migration 2 (or the scheduled job; it may run inside a transaction): readers keep reading the',
      '-- old rows while the new result is computed; other refreshes and DDL on the view wait.',
      'REFRESH MATERIALIZED VIEW CONCURRENTLY daily_sales;',
    ].join('\n'),
    versionNotes: [
      '- **PostgreSQL 9.4+** has `REFRESH MATERIALIZED VIEW CONCURRENTLY` (every supported version). Unlike ',
      '`CREATE INDEX CONCURRENTLY`, it may run inside a transaction block.\n',
      '- **Every version**: `CONCURRENTLY` refuses a view that was never populated (created `WITH NO DATA`); the first ',
      'refresh has to be a plain one, ideally before anything reads the view.',
    ].join(''),
  },
  create(context) {
    return {
      RefreshMatViewStmt(node, statement) {
        if (node.concurrent || !node.relation || context.state.schema.isCreatedHere(node.relation)) return;
        const view = relationName(node.relation);
        if (node.skipData) {
          context.report({
            statement,
            message: `REFRESH MATERIALIZED VIEW ${view} WITH NO DATA empties the view: every query on it fails until it is refreshed again.`,
            help: 'Refresh with data (CONCURRENTLY when the view has a unique index) instead of leaving it unpopulated.',
          });
          return;
        }
        context.report({
          statement,
          message: `REFRESH MATERIALIZED VIEW ${view} without CONCURRENTLY blocks every read of the view under an ACCESS EXCLUSIVE lock until the refresh finishes.`,
        });
      },
    };
  },
});
