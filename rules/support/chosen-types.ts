import type { AlterTableStmt, ColumnDef, CreateStmt, RangeVar, TypeName } from 'libpg-query';
import type { RuleContext, RuleVisitors } from '../../src/analysis/rule.js';
import type { Statement } from '../../src/sql/parser.js';
import type { SourceFile } from '../../src/sql/source.js';
import { alterCommands, quoteName, typeInfo, unwrap, type TypeInfo } from '../../src/sql/ast.js';

/**
 * The column types a migration chooses: columns of CREATE TABLE, ADD COLUMN, and the new type of
 * ALTER COLUMN … TYPE. What the style rules that prefer one type over another judge. Temporary
 * tables are left out: they hold no data beyond the session, so their types are no design choice
 * to review.
 */
export interface ChosenType {
  /** `table.column`, quoted where needed. */
  column: string;
  type: TypeInfo;
  /** How the type was spelled in the tree, e.g. to tell `"char"` from `char`. */
  typeName: TypeName;
  via: 'create' | 'add' | 'alter';
}

export function chosenTypes(statement: Statement): ChosenType[] {
  if (statement.type === 'CreateStmt') {
    const node = statement.ast as CreateStmt;
    if (node.relation?.relpersistence === 't') return [];
    return (node.tableElts ?? []).flatMap((element) => chosen(node.relation, unwrap<ColumnDef>(element, 'ColumnDef'), 'create'));
  }
  if (statement.type === 'AlterTableStmt') {
    const node = statement.ast as AlterTableStmt;
    if (node.objtype !== 'OBJECT_TABLE') return [];
    return alterCommands(node.cmds).flatMap((cmd) => {
      const def = unwrap<ColumnDef>(cmd.def, 'ColumnDef');
      if (cmd.subtype === 'AT_AddColumn') return chosen(node.relation, def, 'add');
      if (cmd.subtype === 'AT_AlterColumnType') return chosen(node.relation, def && { ...def, colname: cmd.name }, 'alter');
      return [];
    });
  }
  return [];
}

function chosen(table: RangeVar | undefined, column: ColumnDef | undefined, via: ChosenType['via']): ChosenType[] {
  if (!column?.typeName || !column.colname) return [];
  const tableName = table?.schemaname ? `${quoteName(table.schemaname)}.${quoteName(table.relname ?? '?')}` : quoteName(table?.relname ?? '?');
  return [{ column: `${tableName}.${quoteName(column.colname)}`, type: typeInfo(column.typeName), typeName: column.typeName, via }];
}

/** The finding's range: the type's first word (`varchar` of `varchar(255)`). */
export function typeRange(source: SourceFile, statement: Statement, typeName: TypeName): { start: number; end: number } | undefined {
  if (typeName.location === undefined || typeName.location < 0) return undefined;
  const start = source.byteToIndex(statement.byteBase + typeName.location);
  const word = /"(?:[^"]|"")*"|[\p{L}\p{N}_$.]+/uy;
  word.lastIndex = start;
  const match = word.exec(source.text);
  return { start, end: start + (match ? match[0].length : 0) };
}

/** What a type-preference rule says about one chosen type; undefined when it has nothing to say. */
export type TypeVerdict = (chosen: ChosenType) => { message: string; help?: string } | undefined;

/**
 * The visitors of a rule judging the column types migrations choose, reported at the type. Down
 * migrations are skipped: they restore the types an earlier migration chose, judged there.
 */
export function chosenTypeVisitors(context: Pick<RuleContext, 'migration' | 'source' | 'report'>, judge: TypeVerdict): RuleVisitors {
  const check = (statement: Statement) => {
    if (context.migration?.direction === 'down') return;
    for (const chosen of chosenTypes(statement)) {
      const verdict = judge(chosen);
      if (verdict) context.report({ statement, ...typeRange(context.source, statement, chosen.typeName), ...verdict });
    }
  };
  return { CreateStmt: (_node, statement) => check(statement), AlterTableStmt: (_node, statement) => check(statement) };
}
