import type { Node, ResTarget, SelectStmt } from 'libpg-query';
import { nodeType, stringList, stringValue, unwrap } from '../../src/sql/ast.js';

/**
 * The column names a query produces, the way PostgreSQL names them when it creates a view or a
 * table from it (FigureColname in parse_target.c): the alias, else a name inferred from the
 * expression, else `?column?`. An entry is undefined when pgwarden cannot tell (`*`, subqueries,
 * expression kinds it does not model); callers compare only the names they know.
 */
export function outputColumnNames(select: SelectStmt | undefined): Array<string | undefined> {
  if (!select) return [];
  // UNION/INTERSECT/EXCEPT take their column names from the leftmost query.
  if (select.op && select.op !== 'SETOP_NONE') return outputColumnNames(select.larg);
  // VALUES lists are named column1, column2, …: never a duplicate.
  if (select.valuesLists) return [];
  return (select.targetList ?? []).map((item) => {
    const target = unwrap<ResTarget>(item, 'ResTarget');
    return target?.name ?? inferredName(target?.val)?.name;
  });
}

/** Applies a column-name list (`CREATE VIEW v (a, b)`, `CREATE TABLE t (a, b) AS`) over the first columns. */
export function renamedColumns(names: Array<string | undefined>, aliases: Node[] | undefined): Array<string | undefined> {
  const renamed = stringList(aliases);
  return names.length >= renamed.length ? [...renamed, ...names.slice(renamed.length)] : renamed;
}

interface InferredName {
  name: string;
  /** PostgreSQL's strength: 2 for a real name, 1 for a fallback (type name, `case`), 0 for `?column?`. */
  strength: 0 | 1 | 2;
}

const UNNAMED: InferredName = { name: '?column?', strength: 0 };

/** Expression kinds PostgreSQL names `?column?`. */
const UNNAMED_KINDS = new Set(['A_Const', 'BoolExpr', 'NullTest', 'BooleanTest', 'ParamRef']);

function inferredName(node: Node | undefined): InferredName | undefined {
  const type = nodeType(node);
  if (!node || !type) return undefined;
  if (UNNAMED_KINDS.has(type)) return UNNAMED;
  switch (type) {
    case 'ColumnRef': {
      const fields = unwrap<{ fields?: Node[] }>(node, 'ColumnRef')?.fields ?? [];
      const last = stringValue(fields[fields.length - 1]);
      return last === undefined ? undefined : { name: last, strength: 2 };
    }
    case 'FuncCall': {
      const name = stringList(unwrap<{ funcname?: Node[] }>(node, 'FuncCall')?.funcname).pop();
      return name ? { name, strength: 2 } : undefined;
    }
    case 'A_Expr':
      return unwrap<{ kind?: string }>(node, 'A_Expr')?.kind === 'AEXPR_NULLIF' ? { name: 'nullif', strength: 2 } : UNNAMED;
    case 'TypeCast': {
      const cast = unwrap<{ arg?: Node; typeName?: { names?: Node[] } }>(node, 'TypeCast');
      const inner = inferredName(cast?.arg);
      if (!inner) return undefined;
      if (inner.strength === 2) return inner;
      const typeName = stringList(cast?.typeName?.names).pop();
      return typeName ? { name: typeName, strength: 1 } : undefined;
    }
    case 'CoalesceExpr':
      return { name: 'coalesce', strength: 2 };
    case 'A_ArrayExpr':
      return { name: 'array', strength: 2 };
    case 'RowExpr':
      return { name: 'row', strength: 2 };
    default:
      return undefined;
  }
}
