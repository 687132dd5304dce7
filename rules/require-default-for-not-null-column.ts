import type { ColumnDef } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { alterCommands, quoteName, relationName, unwrap } from '../src/sql/ast.js';
import { defaultExpression, generation, isDeclaredNotNull, isSerial } from './support/columns.js';

export default defineRule({
  meta: {
    id: 'require-default-for-not-null-column',
    risk: 'high',
    tags: ['compatibility', 'constraint'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'ALTER TABLE … ADD COLUMN … NOT NULL without a DEFAULT on a table that existed before this migration.',
    rationale: [
      'A column added without a default is NULL in every existing row, so `NOT NULL` (or `PRIMARY KEY`, which ',
      'implies it) fails with `column "…" of relation "…" contains null values` as soon as the table has a single ',
      'row. The migration passes on an empty development database and breaks in production. `DEFAULT NULL` is ',
      'no default.\n\n',
      'Even when it succeeds, the new column breaks every `INSERT` that does not name it, so application code ',
      'deployed before the migration starts failing.\n\n',
      'With a constant default, PostgreSQL 11+ adds the column without rewriting the table (the default is stored ',
      'once in the catalog). Identity, serial and generated columns compute their own values and are not this ',
      "rule's concern; `no-add-column-rewrite` covers the rewrite they cause.",
    ].join(''),
    help: 'Give the column a constant DEFAULT, or add it nullable, backfill in batches, then set NOT NULL via a validated CHECK.',
    badExample: 'ALTER TABLE invoices ADD COLUMN currency text NOT NULL;',
    safeRewrite: [
      '-- Either: a constant default (PostgreSQL 11+ adds it without a rewrite):',
      "ALTER TABLE invoices ADD COLUMN currency text NOT NULL DEFAULT 'EUR';",
      '-- Or, when existing rows need computed values:',
      '-- Migration 1: add the column nullable (instant).',
      'ALTER TABLE invoices ADD COLUMN currency text;',
      '-- Backfill outside the migration, in batches of a few thousand rows, one transaction each:',
      '--   UPDATE invoices SET currency = … WHERE id IN (SELECT id FROM invoices WHERE currency IS NULL LIMIT 5000);',
      '-- Migration 2: prove it without a long lock, then set NOT NULL (PostgreSQL 12+ skips the scan).',
      'ALTER TABLE invoices ADD CONSTRAINT invoices_currency_not_null CHECK (currency IS NOT NULL) NOT VALID;',
      'ALTER TABLE invoices VALIDATE CONSTRAINT invoices_currency_not_null;',
      'ALTER TABLE invoices ALTER COLUMN currency SET NOT NULL;',
      'ALTER TABLE invoices DROP CONSTRAINT invoices_currency_not_null;',
    ].join('\n'),
  },
  create(context) {
    return {
      AlterTableStmt(node, statement) {
        if (node.objtype !== 'OBJECT_TABLE' || context.state.schema.isCreatedHere(node.relation)) return;
        const columns = alterCommands(node.cmds)
          .filter((cmd) => cmd.subtype === 'AT_AddColumn')
          .map((cmd) => unwrap<ColumnDef>(cmd.def, 'ColumnDef'))
          .filter((column): column is ColumnDef => !!column && needsDefault(column))
          .map((column) => `${relationName(node.relation)}.${quoteName(column.colname ?? '?')}`);
        if (!columns.length) return;
        context.report({
          statement,
          message: `ADD COLUMN ${columns.join(', ')} NOT NULL without a DEFAULT fails as soon as the table has any row, because existing rows would be NULL.`,
        });
      },
    };
  },
});

function needsDefault(column: ColumnDef): boolean {
  return isDeclaredNotNull(column) && !defaultExpression(column) && !isSerial(column) && !generation(column);
}
