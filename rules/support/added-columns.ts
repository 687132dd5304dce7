import type { AlterTableCmd, AlterTableStmt, ColumnDef, RangeVar } from 'libpg-query';
import { relationKey } from '../../src/analysis/schema.js';
import type { Statement } from '../../src/sql/parser.js';
import { alterCommands, unwrap } from '../../src/sql/ast.js';

export interface ColumnCommand {
  statement: Statement;
  cmd: AlterTableCmd;
  /** The command's place in its ALTER TABLE statement. */
  at: number;
}

function columnOf(cmd: AlterTableCmd): string | undefined {
  return cmd.subtype === 'AT_AddColumn' ? unwrap<ColumnDef>(cmd.def, 'ColumnDef')?.colname : cmd.name;
}

/** Every ALTER TABLE command of this migration on `table.column` (ADD COLUMN included), in file order. */
export function columnCommands(statements: readonly Statement[], relation: RangeVar | undefined, column: string): ColumnCommand[] {
  if (!relation) return [];
  const key = relationKey(relation);
  return statements.flatMap((statement) => {
    if (statement.type !== 'AlterTableStmt') return [];
    const alter = statement.ast as AlterTableStmt;
    if (!alter.relation || relationKey(alter.relation) !== key) return [];
    return alterCommands(alter.cmds).flatMap((cmd, at) => (columnOf(cmd) === column ? [{ statement, cmd, at }] : []));
  });
}

/** Whether `command` comes before the command at `at` of `current`. */
export function isBefore(command: ColumnCommand, current: Statement, at: number): boolean {
  return command.statement.index < current.index || (command.statement === current && command.at < at);
}

/**
 * Whether ALTER TABLE … ADD COLUMN created `table.column` earlier in this migration, before the
 * command at `at` of `current`. Such a column has no reader and no row written by deployed code yet.
 */
export function isColumnAddedHere(statements: readonly Statement[], current: Statement, at: number, relation: RangeVar | undefined, column: string): boolean {
  return columnCommands(statements, relation, column).some((c) => c.cmd.subtype === 'AT_AddColumn' && isBefore(c, current, at));
}
