import type { ColumnDef, Node } from 'libpg-query';
import { columnConstraints, typeInfo, unwrap } from '../../src/sql/ast.js';

/** Readers over a column definition (CREATE TABLE element or ALTER TABLE … ADD COLUMN). */

const SERIAL_TYPES = new Set(['smallserial', 'serial', 'bigserial', 'serial2', 'serial4', 'serial8']);

/** serial types are integers with an implicit `DEFAULT nextval(…)` from an owned sequence. */
export function isSerial(column: ColumnDef): boolean {
  const type = typeInfo(column.typeName);
  return !type.array && SERIAL_TYPES.has(type.name);
}

/** `NULL` or `NULL::type`: Postgres stores no default for it, so it is no default at all. */
export function isNullConstant(expression: Node | undefined): boolean {
  const cast = unwrap<{ arg?: Node }>(expression, 'TypeCast');
  if (cast) return isNullConstant(cast.arg);
  return unwrap<{ isnull?: boolean }>(expression, 'A_Const')?.isnull === true;
}

/** The DEFAULT expression, unless there is none or it is NULL. */
export function defaultExpression(column: ColumnDef): Node | undefined {
  const constraint = columnConstraints(column).find((c) => c.contype === 'CONSTR_DEFAULT');
  return constraint && !isNullConstant(constraint.raw_expr) ? constraint.raw_expr : undefined;
}

/** NOT NULL, written directly or implied by PRIMARY KEY. */
export function isDeclaredNotNull(column: ColumnDef): boolean {
  return columnConstraints(column).some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY');
}

/** How Postgres computes the column: IDENTITY, GENERATED … STORED or (PostgreSQL 18) VIRTUAL. */
export function generation(column: ColumnDef): 'identity' | 'stored' | 'virtual' | undefined {
  for (const constraint of columnConstraints(column)) {
    if (constraint.contype === 'CONSTR_IDENTITY') return 'identity';
    if (constraint.contype === 'CONSTR_GENERATED') return constraint.generated_kind === 'v' ? 'virtual' : 'stored';
  }
  return undefined;
}
