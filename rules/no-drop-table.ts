import type { RangeVar } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { dropTargets, relationName } from '../src/sql/ast.js';

export default defineRule({
  meta: {
    id: 'no-drop-table',
    risk: 'high',
    tags: ['data-loss', 'locking'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'DROP TABLE on a table that existed before this migration.',
    rationale:
      'Dropping a table deletes its rows, indexes and grants at once, and cannot be undone without a restore. ' +
      'Application code that still reads or writes the table starts failing the moment the migration commits, ' +
      'and in a rolling deploy old instances are still running that code.',
    help: 'Stop reading and writing the table in a deploy first; drop it in a later migration after a backup.',
    badExample: 'DROP TABLE legacy_orders;',
    safeRewrite: [
      '-- Deploy 1 (application): stop reading and writing legacy_orders; ship and watch the logs.',
      '-- Optional: rename first so a forgotten reader fails loudly but the data is still there.',
      'ALTER TABLE legacy_orders RENAME TO legacy_orders_deprecated;',
      '-- Take a backup: pg_dump --table=legacy_orders_deprecated --format=custom > legacy_orders.dump',
      '-- Migration in a later release, once nothing has touched it:',
      'DROP TABLE legacy_orders_deprecated;',
    ].join('\n'),
  },
  create(context) {
    return {
      DropStmt(node, statement) {
        if (node.removeType !== 'OBJECT_TABLE') return;
        const names = dropTargets(node.objects)
          .filter((target) => !context.state.schema.isCreatedHere(target as RangeVar))
          .map((target) => relationName(target as RangeVar));
        if (!names.length) return;
        const cascade = node.behavior === 'DROP_CASCADE' ? ' CASCADE also drops the views and foreign keys that depend on it.' : '';
        context.report({
          statement,
          message: `DROP TABLE ${names.join(', ')} deletes ${names.length > 1 ? 'the tables' : 'the table'} and all rows.${cascade}`,
        });
      },
    };
  },
});
