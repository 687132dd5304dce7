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
      '-- Either: a constant default. PostgreSQL 11+ stores it in the catalog: no rewrite, a brief lock.',
      "SET lock_timeout = '2s';",
      "ALTER TABLE invoices ADD COLUMN currency text NOT NULL DEFAULT 'EUR';",
      '',
      '-- Or, when existing rows need computed values:',
      '-- Migration 1 (one transaction): add the column nullable (catalog only).',
      "SET lock_timeout = '2s';",
      'ALTER TABLE invoices ADD COLUMN currency text;',
      '',
      '-- Deploy: the application writes currency on every insert and update.',
      '-- Backfill outside migrations, in a batch job: 5,000 rows per transaction, walking the primary key',
      '-- from min(id) to max(id), sleeping ~100 ms between batches so replicas and VACUUM keep up:',
      '--   UPDATE invoices SET currency = …',
      '--     WHERE id >= :start AND id < :start + 5000 AND currency IS NULL;',
      '',
      '-- Migration 2 (one transaction): reject NULL in new writes; no scan, a brief lock.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE invoices ADD CONSTRAINT invoices_currency_not_null CHECK (currency IS NOT NULL) NOT VALID;',
      '',
      '-- Migration 3 (a later transaction): check the old rows under SHARE UPDATE EXCLUSIVE;',
      '-- reads and writes continue while it scans.',
      'ALTER TABLE invoices VALIDATE CONSTRAINT invoices_currency_not_null;',
      '',
      '-- Migration 4 (one transaction): PostgreSQL 12+ trusts the validated check and skips the scan.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE invoices ALTER COLUMN currency SET NOT NULL;',
      'ALTER TABLE invoices DROP CONSTRAINT invoices_currency_not_null;',
    ].join('\n'),
    versionNotes: [
      '- **Before PostgreSQL 11** any non-NULL default rewrites the whole table under ACCESS EXCLUSIVE: use the ',
      'nullable-column path even for a constant.\n',
      '- **PostgreSQL 11+** adds a column with a constant (non-volatile) default without touching the rows.\n',
      '- **PostgreSQL 12+** is needed for the last step of the second path: `SET NOT NULL` skips its scan only when ',
      'a validated `CHECK (col IS NOT NULL)` proves it. On 11 and older keep the validated CHECK and leave out ',
      '`SET NOT NULL`.\n',
      '- **PostgreSQL 18+** can add the NOT NULL itself as `NOT VALID` ',
      '(`ADD CONSTRAINT invoices_currency_not_null NOT NULL currency NOT VALID`) and validate it in a later ',
      'transaction, which makes the column NOT NULL: two steps instead of migrations 2 to 4.',
    ].join(''),
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
