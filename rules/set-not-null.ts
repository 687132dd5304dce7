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
      'table to prove no row holds a NULL. The lock blocks every read and write of the table until the migration ',
      'commits, so nothing can use the table while the scan runs, which on a large table is minutes, and every ',
      'query that arrives meanwhile queues behind the lock.\n\n',
      'The scan is skipped when a **validated** `CHECK (col IS NOT NULL)` constraint already proves it (PostgreSQL ',
      '12+). Such a check can be added `NOT VALID` (a brief lock, no scan) and validated with `VALIDATE CONSTRAINT` ',
      'in a later transaction, which scans under `SHARE UPDATE EXCLUSIVE`: reads and writes continue meanwhile. ',
      'After `SET NOT NULL` the check is redundant and can be dropped.',
    ].join(''),
    help: 'Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a separate transaction, then SET NOT NULL and drop the check (PostgreSQL 12+).',
    badExample: 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
    safeRewrite: [
      '-- Migration 1 (one transaction): reject NULL in new writes; no scan, a brief lock.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null',
      '  CHECK (customer_id IS NOT NULL) NOT VALID;',
      '',
      '-- Outside migrations, in a batch job: fix the rows that are still NULL, 5,000 per transaction,',
      '-- sleeping ~100 ms between batches, until an UPDATE touches no row; or the validation fails.',
      '--   UPDATE orders SET customer_id = …',
      '--     WHERE id IN (SELECT id FROM orders WHERE customer_id IS NULL ORDER BY id LIMIT 5000);',
      '',
      '-- Migration 2 (a later transaction): scans under SHARE UPDATE EXCLUSIVE; reads and writes continue.',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;',
      '',
      '-- Migration 3 (one transaction): PostgreSQL 12+ trusts the validated check and skips the scan.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
      'ALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;',
    ].join('\n'),
    versionNotes: [
      '- **Before PostgreSQL 12** `SET NOT NULL` always scans the table under ACCESS EXCLUSIVE, even with a ',
      'validated CHECK. Stop after migration 2 and keep the validated `CHECK (customer_id IS NOT NULL)` as the ',
      'constraint (it rejects NULL just as well; only the catalog and some tools see the column as nullable), or run ',
      '`SET NOT NULL` in a maintenance window.\n',
      '- **PostgreSQL 12+** skips the scan when a validated CHECK proves the column has no NULL, as in the safe ',
      'rewrite.\n',
      '- **PostgreSQL 18+** records NOT NULL as a named constraint that can itself be added `NOT VALID`: ',
      '`ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null NOT NULL customer_id NOT VALID;` then, in a ',
      'later transaction, `ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;`, which scans under ',
      'SHARE UPDATE EXCLUSIVE and leaves the column NOT NULL. pgwarden treats a validated NOT NULL constraint like ',
      'the CHECK.',
    ].join(''),
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
