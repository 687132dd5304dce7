import { defineRule } from '../src/analysis/rule.js';

/** Reported by a rehearsal (src/rehearsal/); this module carries its documentation. */
export default defineRule({
  meta: {
    id: 'rollback-failed',
    source: 'trace',
    risk: 'high',
    tags: ['rollback'],
    summary: 'Rehearsal: the down migration fails when run right after its up migration.',
    rationale: [
      'A down migration is run when something has already gone wrong, usually in a hurry. If it fails then, the ',
      'team is left with a half-deployed schema and no tested way back, and a down that fails outside a transaction ',
      'leaves the schema in a state nobody wrote.',
      '',
      'The rehearsal runs the up migration, then the down migration, on a scratch database. The finding points at ',
      'the statement PostgreSQL refuses, with the error. Common causes: dropping objects in the wrong order ',
      '(a table before the view that reads it), dropping something the up migration never created, or reversing ',
      'a data change that cannot be reversed.',
      '',
      'A down part that refuses on purpose (a `DO` block that raises an exception to say the change is ',
      'irreversible) is not reported: it is the explicit refusal `require-rollback` recommends.',
    ].join('\n'),
    help: 'Make the down migration undo exactly what the up migration did, in reverse order; or make it refuse explicitly with RAISE EXCEPTION.',
    badExample: [
      '-- 0008_order_totals_view.up.sql',
      'CREATE VIEW order_totals AS SELECT account_id, sum(total_cents) AS total FROM orders GROUP BY account_id;',
      '',
      '-- 0008_order_totals_view.down.sql: the view is order_totals, not order_total',
      'DROP VIEW order_total;',
    ].join('\n'),
    safeRewrite: [
      '-- 0008_order_totals_view.down.sql: one transaction (the executor wraps it)',
      'DROP VIEW order_totals;',
    ].join('\n'),
  },
  create() {
    return {};
  },
});
