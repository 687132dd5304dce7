import { defineRule } from '../src/analysis/rule.js';
import { alterCommands, quoteName, relationName } from '../src/sql/ast.js';
import { isColumnAddedHere } from './support/added-columns.js';

export default defineRule({
  meta: {
    id: 'no-drop-not-null',
    risk: 'low',
    tags: ['compatibility', 'constraint'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'ALTER COLUMN … DROP NOT NULL on a column that existed before this migration.',
    rationale: [
      '`DROP NOT NULL` only changes the catalog: the `ACCESS EXCLUSIVE` lock it takes is held for an instant and no ',
      'row is read. Nothing breaks when it runs either, because every existing row and every write of the deployed ',
      'code still has a value.',
      '',
      'What changes is the promise readers rely on. Once any writer stores a NULL, every reader that assumed the ',
      'column is always set gets a value it may not handle: another service or a report reading the table, an ORM ',
      'model whose field is not optional, `WHERE x NOT IN (SELECT col …)`, which returns no row at all as soon as ',
      '`col` holds one NULL, or arithmetic and string concatenation that turn NULL.',
      '',
      'The risk is low because the statement itself is safe online and the breakage arrives later, with code the ',
      'team deploys. It is also the expected first step when a column is being retired (drop NOT NULL, stop ',
      'writing it, then drop it): the finding is a reminder to update the readers before any writer stores NULL.',
      '',
      'Down migrations are not reported: they restore the schema the previous release was written for.',
    ].join('\n'),
    help: 'Make every reader handle NULL and deploy that before any writer stores NULL; when the column is being retired, this is the expected first step.',
    badExample: 'ALTER TABLE orders ALTER COLUMN shipping_address DROP NOT NULL;',
    safeRewrite: [
      '-- Deploy 1 (application): every reader of orders.shipping_address handles NULL',
      '-- (model types, NOT IN subqueries, exports, other services).',
      '-- Migration (inside its usual transaction): instant, no row is read.',
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE orders ALTER COLUMN shipping_address DROP NOT NULL;',
      '-- Deploy 2 (application): writers may now store NULL.',
    ].join('\n'),
  },
  create(context) {
    return {
      AlterTableStmt(node, statement) {
        if (node.objtype !== 'OBJECT_TABLE' || context.state.schema.isCreatedHere(node.relation)) return;
        // A down migration restores the schema the previous release was written for, NULLs included.
        if (context.migration?.direction === 'down') return;
        const table = context.state.schema.relation(node.relation);
        const commands = alterCommands(node.cmds);
        const columns = commands
          .filter((cmd, at) => {
            if (cmd.subtype !== 'AT_DropNotNull' || !cmd.name) return false;
            // A column the model knows to be nullable already: DROP NOT NULL does nothing.
            if (table?.columns.get(cmd.name)?.notNull === false) return false;
            return !isColumnAddedHere(context.statements, statement, at, node.relation, cmd.name);
          })
          .map((cmd) => `${relationName(node.relation)}.${quoteName(cmd.name!)}`);
        if (!columns.length) return;
        const subject = columns.length > 1 ? `columns ${columns.join(', ')}` : `column ${columns[0]}`;
        context.report({
          statement,
          message: `DROP NOT NULL lets ${subject} hold NULL: readers that assume a value (other services, reports, non-optional model fields, NOT IN subqueries) break once a writer stores one.`,
        });
      },
    };
  },
});
