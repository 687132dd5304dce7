import type { Node, ResTarget, UpdateStmt } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { relationKey } from '../src/analysis/schema.js';
import type { Statement } from '../src/sql/parser.js';
import { alterCommands, quoteName, relationName, stringList, unwrap, walkNodes } from '../src/sql/ast.js';
import { columnCommands, isBefore, type ColumnCommand } from './support/added-columns.js';
import { isNullConstant } from './support/columns.js';

/** `nextval(…)`: a sequence default for an id column whose existing rows already have their ids. */
function isSequenceDefault(expression: unknown): boolean {
  let found = false;
  walkNodes({ root: expression }, (type, payload) => {
    if (type === 'FuncCall' && stringList(payload['funcname'] as Node[] | undefined).pop() === 'nextval') found = true;
  });
  return found;
}

/** Columns an UPDATE of the table in this file assigns: a backfill the author already wrote. */
function backfilledColumns(statements: readonly Statement[], key: string): Set<string> {
  const columns = new Set<string>();
  for (const statement of statements) {
    if (statement.type !== 'UpdateStmt') continue;
    const update = statement.ast as UpdateStmt;
    if (!update.relation || relationKey(update.relation) !== key) continue;
    for (const item of update.targetList ?? []) {
      const name = unwrap<ResTarget>(item, 'ResTarget')?.name;
      if (name) columns.add(name);
    }
  }
  return columns;
}

/**
 * The column was added earlier in this migration, or its default is put back around a type change
 * or after a DROP DEFAULT of the same migration: the default is not news for existing rows.
 */
function isRestatedDefault(commands: ColumnCommand[], current: Statement, at: number): boolean {
  return commands.some(
    (c) =>
      c.cmd.subtype === 'AT_AlterColumnType' ||
      ((c.cmd.subtype === 'AT_AddColumn' || (c.cmd.subtype === 'AT_ColumnDefault' && !c.cmd.def)) && isBefore(c, current, at)),
  );
}

export default defineRule({
  meta: {
    id: 'set-default-existing-rows',
    risk: 'low',
    tags: ['hygiene'],
    optIn: true,
    summary: 'ALTER COLUMN … SET DEFAULT on an existing column, which changes nothing for the rows already in the table.',
    rationale: [
      'A column default is used only when a row is inserted without a value for the column. `SET DEFAULT` is a ',
      'catalog change: it is instant, and it does not touch a single existing row. Rows that hold NULL keep NULL, ',
      'and rows written with the old default keep the old value. Code that expects every row to have the new value ',
      '(a report, a later `SET NOT NULL`, which fails on the first NULL) is wrong until the old rows are backfilled.',
      '',
      'pgwarden leaves the default alone when it is the expected pattern: on a column added earlier in the same ',
      'migration or a table created in it, a default put back around a type change or after a `DROP DEFAULT`, a ',
      '`nextval(…)` default (the existing rows already have their ids), `DEFAULT NULL`, a column known to be ',
      'NOT NULL, a file that also updates the column itself, and down migrations.',
      '',
      'Opt-in: on the real-world corpus nearly every `SET DEFAULT` meant "for new rows only", so the hint is ',
      'worth turning on where a team keeps mistaking defaults for backfills.',
    ].join('\n'),
    help: 'If existing rows should get the value too, backfill them in batches (e.g. 5,000 rows per transaction) outside the migration.',
    badExample: "ALTER TABLE orders ALTER COLUMN currency SET DEFAULT 'EUR';",
    safeRewrite: [
      '-- Migration (its usual transaction): instant; only rows inserted from now on get the default.',
      "SET LOCAL lock_timeout = '2s';",
      "ALTER TABLE orders ALTER COLUMN currency SET DEFAULT 'EUR';",
      '-- Backfill script, outside the migration, 5,000 rows per transaction until no row is left',
      '-- (each batch commits on its own, so row locks are short):',
      "--   UPDATE orders SET currency = 'EUR'",
      '--     WHERE id IN (SELECT id FROM orders WHERE currency IS NULL LIMIT 5000);',
    ].join('\n'),
  },
  create(context) {
    return {
      AlterTableStmt(node, statement) {
        if (node.objtype !== 'OBJECT_TABLE' || !node.relation || context.state.schema.isCreatedHere(node.relation)) return;
        // A down migration puts back the default the previous release had.
        if (context.migration?.direction === 'down') return;
        const table = context.state.schema.relation(node.relation);
        const commands = alterCommands(node.cmds);
        let backfilled: Set<string> | undefined;
        const columns = commands
          .filter((cmd, at) => {
            if (cmd.subtype !== 'AT_ColumnDefault' || !cmd.name || !cmd.def) return false;
            if (isNullConstant(cmd.def) || isSequenceDefault(cmd.def)) return false;
            if (table?.columns.get(cmd.name)?.notNull) return false;
            if (isRestatedDefault(columnCommands(context.statements, node.relation, cmd.name), statement, at)) return false;
            backfilled ??= backfilledColumns(context.statements, relationKey(node.relation!));
            return !backfilled.has(cmd.name);
          })
          .map((cmd) => `${relationName(node.relation)}.${quoteName(cmd.name!)}`);
        if (!columns.length) return;
        const subject = columns.length > 1 ? `columns ${columns.join(', ')}` : `column ${columns[0]}`;
        context.report({
          statement,
          message: `SET DEFAULT on existing ${subject} applies only to rows inserted from now on: rows already in the table keep their values (NULL stays NULL) until they are backfilled.`,
        });
      },
    };
  },
});
