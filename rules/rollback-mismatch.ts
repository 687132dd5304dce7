import { defineRule } from '../src/analysis/rule.js';

/** Reported by a rehearsal (src/rehearsal/); this module carries its documentation. */
export default defineRule({
  meta: {
    id: 'rollback-mismatch',
    source: 'trace',
    risk: 'medium',
    tags: ['rollback'],
    summary: 'Rehearsal: after the down migration the schema differs from the one before the up migration, or the up migration cannot run again.',
    rationale: [
      'A down migration is a promise: run it, and the database is back where it was before the up migration. A down ',
      'that forgets an index, restores a column with another type or default, or recreates a view from an older ',
      'definition breaks that promise silently. Rolling back then leaves a schema no migration describes, and ',
      'applying the up migration again (the usual next step) fails on the object that was left behind, or leaves ',
      'two versions of the same thing.',
      '',
      'The rehearsal takes a snapshot of the catalog before the up migration (schemas, extensions, tables, columns ',
      'with their types, nullability, defaults and identity, constraints, indexes with their validity, triggers, ',
      'policies, views and materialized views, sequences, enums, domains, composite types, functions), runs the up ',
      'and the down migration, takes another, and lists every difference. It then applies the up migration again, ',
      'and reports it when that fails.',
      '',
      'Not differences: column order (a column dropped and added back comes last, which no query that names its ',
      'columns can tell), a constraint the up migration of a later step validated (validation only checks existing ',
      'rows), and the creation time that `\'now\'::timestamp` bakes into a view.',
    ].join('\n'),
    help: 'Make the down migration restore exactly what the up migration changed: the finding lists each object that differs.',
    badExample: [
      '-- 0009_orders_total_bigint.up.sql',
      'ALTER TABLE orders ALTER COLUMN total_cents TYPE bigint;',
      'CREATE INDEX orders_total_idx ON orders (total_cents);',
      '',
      '-- 0009_orders_total_bigint.down.sql: the index is left behind and the type is not integer again',
      'ALTER TABLE orders ALTER COLUMN total_cents TYPE numeric;',
    ].join('\n'),
    safeRewrite: [
      '-- 0009_orders_total_bigint.down.sql: one transaction (the executor wraps it), the up steps in reverse',
      'DROP INDEX orders_total_idx;',
      'ALTER TABLE orders ALTER COLUMN total_cents TYPE integer;',
    ].join('\n'),
  },
  create() {
    return {};
  },
});
