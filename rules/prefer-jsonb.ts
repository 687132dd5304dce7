import type { ColumnDef, TypeName } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import type { Statement } from '../src/sql/parser.js';
import { alterCommands, quoteName, relationName, typeInfo, unwrap } from '../src/sql/ast.js';

const isJson = (type: TypeName | undefined) => typeInfo(type).name === 'json';

export default defineRule({
  meta: {
    id: 'prefer-jsonb',
    risk: 'low',
    tags: ['compatibility'],
    summary: 'A column of type json (CREATE TABLE, ADD COLUMN or ALTER COLUMN … TYPE) where jsonb is almost always meant.',
    rationale: [
      '`json` stores the text as written and has no equality or ordering operator. Every query that needs to ',
      'compare values of the column fails: `SELECT DISTINCT`, `UNION` (without ALL), `GROUP BY` and `ORDER BY` on it ',
      'end with `could not identify an equality operator for type json` (or an ordering operator), `WHERE doc = …` ',
      'with `operator does not exist: json = …`, and it cannot have a B-tree or GIN index. The same holds for ',
      '`json[]`. Every `->` or `->>` re-parses the text.',
      '',
      '`jsonb` stores the parsed value, compares and sorts, supports `@>` containment with GIN indexes, and is what ',
      'ORMs and most code mean by "a JSON column". Choosing it when the column is created matters: changing the ',
      'type later (`ALTER COLUMN … TYPE jsonb USING doc::jsonb`) rewrites the whole table under an ',
      '`ACCESS EXCLUSIVE` lock.',
      '',
      'Keep `json` when the exact text must survive: key order, duplicate keys and whitespace, which `jsonb` ',
      'normalizes away (for instance a signed webhook payload whose signature covers the raw bytes).',
    ].join('\n'),
    help: 'Use jsonb; keep json only when the exact text (key order, duplicate keys, whitespace) must be preserved.',
    badExample: 'ALTER TABLE orders ADD COLUMN metadata json;',
    safeRewrite: [
      '-- Any migration: adding a nullable column without a default is instant.',
      'ALTER TABLE orders ADD COLUMN metadata jsonb;',
      '-- Optional, later, in a migration outside a transaction: containment queries (metadata @> …).',
      '-- CREATE INDEX CONCURRENTLY orders_metadata_idx ON orders USING gin (metadata);',
    ].join('\n'),
  },
  create(context) {
    const report = (statement: Statement, where: string, columns: string[]) => {
      if (!columns.length) return;
      const subject = columns.length > 1 ? `columns ${columns.join(', ')} are` : `column ${columns[0]} is`;
      context.report({
        statement,
        message: `${where}: ${subject} of type json, which has no equality operator, so DISTINCT, UNION, GROUP BY, ORDER BY and = on ${columns.length > 1 ? 'them' : 'it'} fail; jsonb has them.`,
      });
    };
    const jsonColumns = (table: string, definitions: Array<ColumnDef | undefined>) =>
      definitions.filter((def) => def && isJson(def.typeName)).map((def) => `${table}.${quoteName(def!.colname ?? '?')}`);

    return {
      CreateStmt(node, statement) {
        const table = relationName(node.relation);
        report(statement, `CREATE TABLE ${table}`, jsonColumns(table, (node.tableElts ?? []).map((e) => unwrap<ColumnDef>(e, 'ColumnDef'))));
      },
      AlterTableStmt(node, statement) {
        if (node.objtype !== 'OBJECT_TABLE') return;
        const table = relationName(node.relation);
        const columns: string[] = [];
        for (const cmd of alterCommands(node.cmds)) {
          const def = unwrap<ColumnDef>(cmd.def, 'ColumnDef');
          if (cmd.subtype === 'AT_AddColumn') columns.push(...jsonColumns(table, [def]));
          // ALTER COLUMN … TYPE json: the ColumnDef carries the new type but not the column name.
          if (cmd.subtype === 'AT_AlterColumnType' && def && isJson(def.typeName)) columns.push(`${table}.${quoteName(cmd.name ?? '?')}`);
        }
        report(statement, `ALTER TABLE ${table}`, columns);
      },
    };
  },
});
