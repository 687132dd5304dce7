import type { CreateStmt, CreateTableAsStmt, RangeVar } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { relationKey } from '../src/analysis/schema.js';
import type { Statement } from '../src/sql/parser.js';
import { dropTargets, relationName } from '../src/sql/ast.js';

/** The table a statement creates (CREATE TABLE, CREATE TABLE … AS, SELECT … INTO). */
function createdTable(statement: Statement): RangeVar | undefined {
  if (statement.type === 'CreateStmt') return (statement.ast as CreateStmt).relation;
  if (statement.type === 'CreateTableAsStmt') {
    const stmt = statement.ast as CreateTableAsStmt;
    return stmt.objtype === 'OBJECT_TABLE' ? stmt.into?.rel : undefined;
  }
  return undefined;
}

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
      'keys (and locks the referencing tables too) instead of failing.\n\n',
      'A `DROP TABLE [IF EXISTS] t` followed by `CREATE TABLE t` (what Rails writes for `create_table … force: true`, ',
      'and what "recreate the table" scripts do) is the same loss: the new table starts empty.',
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
    const line = (statement: Statement) => context.source.positionAt(statement.start).line;
    /** The later statement of this file that creates the table again, if one does. */
    const recreation = (drop: Statement, target: RangeVar) =>
      context.statements.find((s) => s.index > drop.index && relationKey(createdTable(s) ?? { relname: '' }) === relationKey(target));

    return {
      DropStmt(node, statement) {
        if (node.removeType !== 'OBJECT_TABLE') return;
        const targets = dropTargets(node.objects)
          .map((target) => target as RangeVar)
          .filter((target) => !context.state.schema.isCreatedHere(target));
        if (!targets.length) return;
        const names = targets.map(relationName);
        const recreated = targets.flatMap((target) => {
          const create = recreation(statement, target);
          if (!create) return [];
          return create.type === 'CreateStmt'
            ? [`the CREATE TABLE on line ${line(create)} recreates ${relationName(target)} empty`]
            : [`the CREATE TABLE … AS on line ${line(create)} refills ${relationName(target)} with only the rows its query returns`];
        });
        const cascade = node.behavior === 'DROP_CASCADE' ? ' CASCADE also drops the views and foreign keys that depend on it.' : '';
        context.report({
          statement,
          message: `DROP TABLE ${names.join(', ')} deletes ${names.length > 1 ? 'the tables' : 'the table'} and all rows${recreated.length ? `; ${recreated.join(', ')}` : ''}.${cascade}`,
        });
      },
    };
  },
});
