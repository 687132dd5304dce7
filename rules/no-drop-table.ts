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
    rationale: [
      'Dropping a table deletes its rows, indexes, triggers and grants at once, and cannot be undone without a ',
      'restore. Application code that still reads or writes the table starts failing the moment the migration ',
      'commits, and in a rolling deploy old instances are still running that code.\n\n',
      '`DROP TABLE` takes an `ACCESS EXCLUSIVE` lock on the table and also on every table it has a foreign key to ',
      '(the key’s triggers live there). The drop itself takes milliseconds, but it first waits for every running ',
      'transaction that touched any of those tables, and all reads and writes of them queue behind it meanwhile. ',
      'It fails while other tables’ foreign keys or views depend on it; `CASCADE` drops those views and foreign ',
      'keys (and locks the referencing tables too) instead of failing.',
    ].join(''),
    help: 'Stop reading and writing the table in a deploy first; drop it in a later migration after a backup.',
    badExample: 'DROP TABLE legacy_orders;',
    safeRewrite: [
      '-- Deploy 1 (application): stop reading and writing legacy_orders; ship it and watch the logs.',
      '',
      '-- Migration 1 (optional, one transaction): rename first, so a forgotten reader fails loudly',
      '-- while the data is still there to rename back.',
      "SET lock_timeout = '2s';",
      '-- pgwarden-disable-next-statement no-rename-table -- no code uses legacy_orders since deploy 1',
      'ALTER TABLE legacy_orders RENAME TO legacy_orders_deprecated;',
      '',
      '-- Outside migrations, by hand: back it up.',
      '--   pg_dump --table=legacy_orders_deprecated --format=custom --file=legacy_orders.dump "$DATABASE_URL"',
      '',
      '-- Migration 2 (a later release, once nothing has touched it). No CASCADE: a forgotten view or',
      '-- foreign key makes the drop fail instead of going with it.',
      "SET lock_timeout = '2s';",
      '-- pgwarden-disable-next-statement no-drop-table -- unused since release 41, dump in legacy_orders.dump',
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
