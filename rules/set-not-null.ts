import { defineRule } from '../src/analysis/rule.js';
import type { RelationModel } from '../src/analysis/schema.js';
import { alterCommands, quoteName, relationName } from '../src/sql/ast.js';

export default defineRule({
  meta: {
    id: 'set-not-null',
    risk: 'medium',
    tags: ['locking', 'constraint'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'ALTER COLUMN … SET NOT NULL on a table that existed before this migration, without a validated NOT NULL check.',
    rationale: [
      '`ALTER TABLE … ALTER COLUMN … SET NOT NULL` takes an `ACCESS EXCLUSIVE` lock and then reads the whole ',
      'table to prove no row holds a NULL. Nothing can read or write the table until that scan finishes, which on ',
      'a large table is minutes, and every query that arrives meanwhile queues behind the lock.\n\n',
      'Since PostgreSQL 12 the scan is skipped when a **validated** `CHECK (col IS NOT NULL)` constraint already ',
      'proves it. Such a check can be added `NOT VALID` (instant, no scan) and validated with ',
      '`VALIDATE CONSTRAINT`, which scans under `SHARE UPDATE EXCLUSIVE`: reads and writes continue meanwhile. ',
      'After `SET NOT NULL` the check is redundant and can be dropped. PostgreSQL 18 can do the same with a ',
      '`NOT NULL` constraint: `ADD CONSTRAINT … NOT NULL col NOT VALID`, then `VALIDATE CONSTRAINT`.\n\n',
      'Before PostgreSQL 12, `SET NOT NULL` always scans the table under `ACCESS EXCLUSIVE`.',
    ].join(''),
    help: 'Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a separate transaction, then SET NOT NULL and drop the check (PostgreSQL 12+).',
    badExample: 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
    safeRewrite: [
      '-- Migration 1 (transaction 1): instant, only checks new writes.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null',
      '  CHECK (customer_id IS NOT NULL) NOT VALID;',
      '-- Migration 2 (transaction 2): scans under SHARE UPDATE EXCLUSIVE; reads and writes continue.',
      '-- Backfill any NULL rows in batches first, or the validation fails.',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;',
      '-- Migration 3: PostgreSQL 12+ uses the validated check and skips the scan.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
      'ALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;',
    ].join('\n'),
  },
  create(context) {
    /** A validated CHECK (col IS NOT NULL) or NOT NULL constraint lets PostgreSQL 12+ skip the scan. */
    const isProven = (table: RelationModel | undefined, column: string): boolean =>
      context.postgresVersion >= 12 &&
      [...(table?.constraints.values() ?? [])].some((c) => c.validated && c.notNullColumn === column);

    return {
      AlterTableStmt(node, statement) {
        if (node.objtype !== 'OBJECT_TABLE' || !node.relation) return;
        const table = context.state.schema.relation(node.relation);
        const scanned = alterCommands(node.cmds)
          .filter((cmd) => cmd.subtype === 'AT_SetNotNull' && cmd.name)
          .map((cmd) => cmd.name!)
          // SET NOT NULL on a column that already is NOT NULL does nothing.
          .filter((column) => !table?.columns.get(column)?.notNull && !isProven(table, column));
        if (!scanned.length || context.state.schema.isCreatedHere(node.relation)) return;

        const columns = scanned.map((column) => `${relationName(node.relation)}.${quoteName(column)}`).join(', ');
        const before12 = context.postgresVersion < 12;
        context.report({
          statement,
          message: before12
            ? `SET NOT NULL on ${columns} scans the whole table under an ACCESS EXCLUSIVE lock that blocks reads and writes; before PostgreSQL 12 the scan cannot be skipped.`
            : `SET NOT NULL on ${columns} scans the whole table under an ACCESS EXCLUSIVE lock that blocks reads and writes, because no validated CHECK (… IS NOT NULL) proves it first.`,
          ...(before12
            ? {
                help: 'Before PostgreSQL 12, keep a validated CHECK (col IS NOT NULL) constraint (added NOT VALID, then VALIDATE CONSTRAINT) instead of SET NOT NULL, or run it in a maintenance window.',
              }
            : {}),
        });
      },
    };
  },
});
