import type { Node, RangeVar, TypeName, Constraint, ColumnDef, AlterTableCmd, DefElem } from 'libpg-query';

/** Small readers over the libpg-query AST, so rules read like the SQL they check. */

export function nodeType(node: Node | undefined): string | undefined {
  return node ? Object.keys(node)[0] : undefined;
}

export function unwrap<T>(node: Node | undefined, type: string): T | undefined {
  return node ? ((node as Record<string, unknown>)[type] as T | undefined) : undefined;
}

export function stringValue(node: Node | undefined): string | undefined {
  return unwrap<{ sval?: string }>(node, 'String')?.sval;
}

export function stringList(nodes: Node[] | undefined): string[] {
  return (nodes ?? []).map((n) => stringValue(n) ?? '');
}

/** `schema.name` as written (without a schema when none was written). */
export function relationName(relation: RangeVar | undefined): string {
  if (!relation) return '?';
  return relation.schemaname ? `${relation.schemaname}.${relation.relname}` : (relation.relname ?? '?');
}

/** Canonical internal type names → the spelling people write. */
const TYPE_SPELLING: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  bpchar: 'char',
  varchar: 'varchar',
  timestamptz: 'timestamptz',
  timestamp: 'timestamp',
  timetz: 'timetz',
};

export interface TypeInfo {
  /** Canonical lowercase name without pg_catalog: int4, varchar, text, numeric… */
  name: string;
  /** Type modifiers as integers (length, precision, scale); empty when none. */
  mods: number[];
  array: boolean;
}

export function typeInfo(type: TypeName | undefined): TypeInfo {
  const names = stringList(type?.names);
  const name = (names[names.length - 1] ?? '?').toLowerCase();
  const mods = (type?.typmods ?? []).map((m) => {
    const ival = unwrap<{ ival?: { ival?: number } }>(m, 'A_Const')?.ival;
    return ival ? (ival.ival ?? 0) : NaN;
  });
  return { name, mods, array: (type?.arrayBounds?.length ?? 0) > 0 };
}

export function typeDisplay(info: TypeInfo): string {
  const base = TYPE_SPELLING[info.name] ?? info.name;
  const mods = info.mods.length ? `(${info.mods.join(',')})` : '';
  return `${base}${mods}${info.array ? '[]' : ''}`;
}

export function columnConstraints(column: ColumnDef | undefined): readonly Constraint[] {
  return constraintsOf(column?.constraints);
}

export function alterCommands(cmds: Node[] | undefined): readonly AlterTableCmd[] {
  return commandsOf(cmds);
}

export function defElems(nodes: Node[] | undefined): readonly DefElem[] {
  return defElemsOf(nodes);
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * Reads the payloads of a list's nodes of one type, once per list (a dozen rules read each ALTER
 * TABLE's commands): the lists are never changed after parsing.
 */
function unwrapEach<T>(type: string): (nodes: Node[] | undefined) => readonly T[] {
  const lists = new WeakMap<Node[], readonly T[]>();
  return (nodes) => {
    if (!nodes) return NONE;
    let list = lists.get(nodes);
    if (!list) {
      const payloads: T[] = [];
      for (const node of nodes) {
        const payload = unwrap<T>(node, type);
        if (payload) payloads.push(payload);
      }
      lists.set(nodes, (list = payloads));
    }
    return list;
  };
}

const constraintsOf = unwrapEach<Constraint>('Constraint');
const commandsOf = unwrapEach<AlterTableCmd>('AlterTableCmd');
const defElemsOf = unwrapEach<DefElem>('DefElem');

/** Walks every node below `root`, calling `visit(type, payload)`; return false to skip children. */
export function walkNodes(root: unknown, visit: (type: string, payload: Record<string, unknown>) => boolean | void): void {
  if (Array.isArray(root)) {
    for (const item of root) walkNodes(item, visit);
    return;
  }
  if (!root || typeof root !== 'object') return;
  const record = root as Record<string, unknown>;
  // for…in, not Object.entries: this runs over every node of large view and function bodies.
  for (const key in record) {
    const value = record[key];
    if (value && typeof value === 'object') {
      const code = key.charCodeAt(0);
      const isNode = code >= 65 && code <= 90 && !Array.isArray(value);
      if (isNode && visit(key, value as Record<string, unknown>) === false) continue;
      walkNodes(value, visit);
    }
  }
}

/** The column names a constraint's CHECK expression proves NOT NULL: `CHECK (col IS NOT NULL)`. */
export function checkedNotNullColumn(constraint: Constraint): string | undefined {
  const test = unwrap<{ nulltesttype?: string; arg?: Node }>(constraint.raw_expr, 'NullTest');
  if (test?.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const ref = unwrap<{ fields?: Node[] }>(test.arg, 'ColumnRef');
  const fields = stringList(ref?.fields);
  return fields.length === 1 ? fields[0] : undefined;
}

/** The qualified names a DROP lists (`DROP TABLE a, s.b`), as RangeVar-shaped objects. */
export function dropTargets(objects: Node[] | undefined): Array<{ schemaname?: string; relname: string }> {
  return (objects ?? []).flatMap((object) => {
    const names = stringList(unwrap<{ items?: Node[] }>(object, 'List')?.items);
    const single = stringValue(object);
    const parts = names.length ? names : single ? [single] : [];
    if (!parts.length) return [];
    const relname = parts[parts.length - 1]!;
    return [parts.length > 1 ? { schemaname: parts[parts.length - 2]!, relname } : { relname }];
  });
}

/** Quotes an identifier for messages the way psql would print it when needed. */
export function quoteName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}
