import type {
  AlterTableStmt,
  ClusterStmt,
  ColumnDef,
  Constraint,
  CreateTableAsStmt,
  IndexStmt,
  InsertStmt,
  Node,
  PartitionCmd,
  RangeVar,
  RefreshMatViewStmt,
  ReindexStmt,
  VacuumRelation,
  VacuumStmt,
} from 'libpg-query';
import { CURRENT } from '../../src/analysis/schema.js';
import type { AnalysisState } from '../../src/analysis/state.js';
import type { Statement } from '../../src/sql/parser.js';
import { alterCommands, columnConstraints, defElems, nodeType, quoteName, relationName, stringList, stringValue, typeInfo, unwrap, walkNodes } from '../../src/sql/ast.js';
import { defaultExpression, generation, isSerial } from './columns.js';
import { typeChange } from './types.js';
import { expressionVolatility } from './volatility.js';

/**
 * Work whose duration grows with the size of a relation that existed before the migration: a
 * rewrite, a scan, an index build, or rows read or written one by one. Catalog-only changes (a
 * nullable ADD COLUMN, a NOT VALID constraint, DROP COLUMN) take milliseconds and are not listed.
 * Relations created earlier in the migration are empty as far as the analysis knows.
 */
export interface LongWork {
  kind: 'rewrite' | 'scan' | 'index' | 'rows';
  /** The relation whose size decides how long it takes. */
  relation: RangeVar;
  /** What happens, as a verb phrase naming the relation: "rewrites orders". */
  action: string;
  /** The statement modifies rows (UPDATE, DELETE, MERGE): their row locks last until commit. */
  modifiesRows?: true;
}

export interface LongWorkContext {
  state: AnalysisState;
  postgresVersion: number;
}

/** Zone names whose offset is fixed at 0: a timestamp ↔ timestamptz change skips the rewrite there (PostgreSQL 12+). */
const UTC_ZONES = new Set(['utc', 'etc/utc', 'uct', 'etc/uct', 'gmt', 'etc/gmt', 'zulu', 'etc/zulu', 'z', '0']);

const REWRITING_SUBCOMMANDS = new Set(['AT_SetTableSpace', 'AT_SetLogged', 'AT_SetUnLogged', 'AT_SetAccessMethod', 'AT_SetExpression']);

/** The statement's long work, worked out once per statement for all the rules that ask. */
export function longWork(statement: Statement, context: LongWorkContext): readonly LongWork[] {
  return context.state.shared(statement, findLongWork, () => findLongWork(statement, context));
}

function findLongWork(statement: Statement, context: LongWorkContext): LongWork[] {
  const { schema } = context.state;
  const existing = (relation: RangeVar | undefined): relation is RangeVar => !!relation?.relname && !schema.isCreatedHere(relation);
  const ast = statement.ast;
  switch (statement.type) {
    case 'AlterTableStmt': {
      const stmt = ast as AlterTableStmt;
      if (stmt.objtype === 'OBJECT_INDEX') {
        if (schema.index(stmt.relation?.relname ?? '')?.createdBy === CURRENT) return [];
        return alterTableWork(stmt, context);
      }
      if (stmt.objtype !== 'OBJECT_TABLE' && stmt.objtype !== 'OBJECT_MATVIEW') return [];
      return alterTableWork(stmt, context).filter((work) => existing(work.relation));
    }
    case 'IndexStmt': {
      const stmt = ast as IndexStmt;
      // ON ONLY a partitioned parent creates an invalid index without building anything.
      if (stmt.concurrent || !stmt.relation?.inh || !existing(stmt.relation)) return [];
      return [{ kind: 'index', relation: stmt.relation, action: `builds an index on ${relationName(stmt.relation)}` }];
    }
    case 'ReindexStmt': {
      const stmt = ast as ReindexStmt;
      if (defElems(stmt.params).some((d) => d.defname === 'concurrently') || !stmt.relation) return [];
      if (stmt.kind === 'REINDEX_OBJECT_TABLE' && existing(stmt.relation)) {
        return [{ kind: 'index', relation: stmt.relation, action: `rebuilds the indexes of ${relationName(stmt.relation)}` }];
      }
      const index = schema.index(stmt.relation.relname ?? '');
      if (stmt.kind === 'REINDEX_OBJECT_INDEX' && index?.createdBy !== CURRENT) {
        return [{ kind: 'index', relation: stmt.relation, action: `rebuilds index ${relationName(stmt.relation)}` }];
      }
      return [];
    }
    case 'VacuumStmt': {
      const stmt = ast as VacuumStmt;
      const full = stmt.is_vacuumcmd && defElems(stmt.options).some((d) => d.defname === 'full' && !isOff(d.arg));
      if (!full) return [];
      return (stmt.rels ?? [])
        .map((rel) => unwrap<VacuumRelation>(rel, 'VacuumRelation')?.relation)
        .filter(existing)
        .map((relation) => ({ kind: 'rewrite' as const, relation, action: `rewrites ${relationName(relation)} (VACUUM FULL)` }));
    }
    case 'ClusterStmt': {
      const relation = (ast as ClusterStmt).relation;
      return existing(relation) ? [{ kind: 'rewrite', relation, action: `rewrites ${relationName(relation)} (CLUSTER)` }] : [];
    }
    case 'RefreshMatViewStmt': {
      const stmt = ast as RefreshMatViewStmt;
      // CONCURRENTLY keeps the view readable (EXCLUSIVE lock): long, but it blocks nobody.
      if (stmt.concurrent || !existing(stmt.relation)) return [];
      return [{ kind: 'rewrite', relation: stmt.relation, action: `recomputes materialized view ${relationName(stmt.relation)}` }];
    }
    case 'CreateTableAsStmt': {
      const stmt = ast as CreateTableAsStmt;
      if (stmt.into?.skipData) return [];
      return copiedFrom(stmt.query, existing).map((relation) => ({
        kind: 'rows',
        relation,
        action: `copies the rows of ${relationName(relation)}`,
      }));
    }
    default:
      return rowWork(statement, existing);
  }
}

/** UPDATE, DELETE and MERGE, also in a data-modifying WITH, and INSERT … SELECT from an existing table. */
function rowWork(statement: Statement, existing: (relation: RangeVar | undefined) => relation is RangeVar): LongWork[] {
  const found: LongWork[] = [];
  const visit = (type: string, node: Record<string, unknown>) => {
    const relation = node['relation'] as RangeVar | undefined;
    if (type === 'UpdateStmt' || type === 'DeleteStmt' || type === 'MergeStmt') {
      const where = node['whereClause'] as Node | undefined;
      if (!existing(relation) || (where && isTargeted(where))) return;
      const verb = type === 'UpdateStmt' ? 'updates' : type === 'DeleteStmt' ? 'deletes' : 'merges into';
      found.push({ kind: 'rows', relation, action: `${verb} rows of ${relationName(relation)}`, modifiesRows: true });
    } else if (type === 'InsertStmt') {
      const target = relationName((node as InsertStmt).relation);
      for (const source of copiedFrom((node as InsertStmt).selectStmt, existing)) {
        found.push({ kind: 'rows', relation: source, action: `copies the rows of ${relationName(source)} into ${target}` });
      }
    }
  };
  if (!['UpdateStmt', 'DeleteStmt', 'MergeStmt', 'InsertStmt', 'SelectStmt'].includes(statement.type)) return found;
  visit(statement.type, statement.ast as Record<string, unknown>);
  // Postgres allows data-modifying statements only in a WITH attached to the top-level statement.
  const withClause = (statement.ast as { withClause?: unknown }).withClause;
  if (withClause) walkNodes(withClause, (type, node) => visit(type, node));
  return found;
}

/** The existing tables a query reads from (its FROM clauses, joins and subqueries), not its WITH queries. */
function copiedFrom(query: Node | undefined, existing: (relation: RangeVar | undefined) => relation is RangeVar): RangeVar[] {
  const tables: RangeVar[] = [];
  const withQueries = new Set<string>();
  walkNodes({ query }, (type, node) => {
    if (type === 'CommonTableExpr' && typeof node['ctename'] === 'string') withQueries.add(node['ctename']);
  });
  walkNodes({ query }, (type, node) => {
    const relation = node as RangeVar;
    if (type !== 'RangeVar' || (!relation.schemaname && withQueries.has(relation.relname ?? ''))) return;
    if (existing(relation)) tables.push(relation);
  });
  return tables;
}

function alterTableWork(stmt: AlterTableStmt, context: LongWorkContext): LongWork[] {
  const relation = stmt.relation;
  if (!relation) return [];
  const table = context.state.schema.relation(relation);
  const name = relationName(relation);
  const found: LongWork[] = [];
  for (const cmd of alterCommands(stmt.cmds)) {
    const subtype = cmd.subtype ?? '';
    if (REWRITING_SUBCOMMANDS.has(subtype)) {
      found.push({ kind: 'rewrite', relation, action: `rewrites ${name}` });
    } else if (subtype === 'AT_AddColumn') {
      found.push(...addColumnWork(unwrap<ColumnDef>(cmd.def, 'ColumnDef'), relation, context));
    } else if (subtype === 'AT_AlterColumnType' && cmd.name) {
      const def = unwrap<ColumnDef>(cmd.def, 'ColumnDef');
      const oldType = table?.columns.get(cmd.name)?.type;
      const column = `${name}.${quoteName(cmd.name)}`;
      if (def?.raw_default || def?.collClause || !oldType) {
        found.push({ kind: 'rewrite', relation, action: `rewrites ${name} to change the type of ${column}` });
        continue;
      }
      const cost = typeChange(oldType, typeInfo(def?.typeName));
      const timeZone = context.state.setting('timezone')?.toLowerCase();
      const utc = context.postgresVersion >= 12 && timeZone !== undefined && UTC_ZONES.has(timeZone);
      if (cost === 'rewrite' || (cost === 'timestamp-time-zone' && !utc)) {
        found.push({ kind: 'rewrite', relation, action: `rewrites ${name} to change the type of ${column}` });
      } else if (cost === 'timestamp-time-zone') {
        found.push({ kind: 'index', relation, action: `rebuilds the indexes on ${column}` });
      }
    } else if (subtype === 'AT_SetNotNull' && cmd.name) {
      const column = table?.columns.get(cmd.name);
      const proven =
        context.postgresVersion >= 12 && [...(table?.constraints.values() ?? [])].some((c) => c.validated && c.notNullColumn === cmd.name);
      if (!column?.notNull && !proven) found.push({ kind: 'scan', relation, action: `scans ${name} to check ${quoteName(cmd.name)} for NULLs` });
    } else if (subtype === 'AT_AddConstraint') {
      const constraint = unwrap<Constraint>(cmd.def, 'Constraint');
      // PostgreSQL 18: ADD CONSTRAINT … NOT NULL col scans like SET NOT NULL.
      const work =
        constraint?.contype === 'CONSTR_NOTNULL' && !constraint.skip_validation
          ? { kind: 'scan' as const, relation, action: `scans ${name} to check it for NULLs` }
          : constraintWork(constraint, relation);
      if (work) found.push(work);
    } else if (subtype === 'AT_ValidateConstraint') {
      found.push({ kind: 'scan', relation, action: `scans ${name} to validate ${quoteName(cmd.name ?? '?')}` });
    } else if (subtype === 'AT_AttachPartition') {
      const partition = unwrap<PartitionCmd>(cmd.def, 'PartitionCmd')?.name;
      if (partition) found.push({ kind: 'scan', relation: partition, action: `scans partition ${relationName(partition)} to check its bound` });
    }
  }
  return found;
}

function addColumnWork(column: ColumnDef | undefined, relation: RangeVar, context: LongWorkContext): LongWork[] {
  if (!column) return [];
  const name = relationName(relation);
  const found: LongWork[] = [];
  const expression = defaultExpression(column);
  const volatility = expression ? expressionVolatility(expression).volatility : 'non-volatile';
  const rewrites =
    generation(column) === 'identity' ||
    generation(column) === 'stored' ||
    isSerial(column) ||
    (expression !== undefined && (volatility !== 'non-volatile' || context.postgresVersion < 11));
  if (rewrites) found.push({ kind: 'rewrite', relation, action: `rewrites ${name} to fill ${quoteName(column.colname ?? '?')}` });
  for (const constraint of columnConstraints(column)) {
    const work = constraintWork(constraint, relation);
    if (work) found.push(work);
  }
  return found;
}

function constraintWork(constraint: Constraint | undefined, relation: RangeVar): LongWork | undefined {
  if (!constraint || constraint.skip_validation) return undefined;
  const name = relationName(relation);
  const label = (kind: string) => (constraint.conname ? `constraint ${quoteName(constraint.conname)}` : `a new ${kind} constraint`);
  switch (constraint.contype) {
    case 'CONSTR_CHECK':
      return { kind: 'scan', relation, action: `scans ${name} to validate ${label('CHECK')}` };
    case 'CONSTR_FOREIGN':
      return { kind: 'scan', relation, action: `scans ${name} to validate ${label('foreign key')}` };
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE':
      // USING INDEX adopts an index built before.
      if (constraint.indexname) return undefined;
      return { kind: 'index', relation, action: `builds the index of ${label(constraint.contype === 'CONSTR_UNIQUE' ? 'UNIQUE' : 'PRIMARY KEY')} on ${name}` };
    case 'CONSTR_EXCLUSION':
      return { kind: 'index', relation, action: `builds the index of ${label('exclusion')} on ${name}` };
    default:
      return undefined;
  }
}

/** `FULL false`, `FULL 0`, `FULL off`. */
function isOff(arg: Node | undefined): boolean {
  if (!arg) return false;
  const integer = unwrap<{ ival?: number }>(arg, 'Integer');
  if (integer) return (integer.ival ?? 0) === 0;
  const text = unwrap<{ sval?: string }>(arg, 'String')?.sval?.toLowerCase();
  return text !== undefined && ['false', 'off', 'no', '0'].includes(text);
}

/**
 * A WHERE clause that picks rows deliberately rather than a share of the table: WHERE CURRENT OF,
 * `id = constant` or `id IN (constants)` in a conjunct, or a subquery with LIMIT (one batch).
 */
export function isTargeted(where: Node): boolean {
  if (nodeType(where) === 'CurrentOfExpr') return true;
  let batched = false;
  walkNodes({ where }, (type, node) => {
    if (type === 'SelectStmt' && node['limitCount']) batched = true;
  });
  return batched || conjuncts(where).some(pinsId);
}

function conjuncts(where: Node): Node[] {
  const bool = unwrap<{ boolop?: string; args?: Node[] }>(where, 'BoolExpr');
  return bool?.boolop === 'AND_EXPR' ? (bool.args ?? []).flatMap(conjuncts) : [where];
}

function pinsId(condition: Node): boolean {
  const expr = unwrap<{ kind?: string; name?: Node[]; lexpr?: Node; rexpr?: Node }>(condition, 'A_Expr');
  if (!expr || stringValue(expr.name?.[0]) !== '=') return false;
  const column = stringList(unwrap<{ fields?: Node[] }>(expr.lexpr, 'ColumnRef')?.fields).pop();
  if (column?.toLowerCase() !== 'id') return false;
  if (expr.kind === 'AEXPR_OP') return isConstant(expr.rexpr);
  if (expr.kind === 'AEXPR_IN') return (unwrap<{ items?: Node[] }>(expr.rexpr, 'List')?.items ?? []).every(isConstant);
  return false;
}

function isConstant(node: Node | undefined): boolean {
  const type = nodeType(node);
  if (type === 'TypeCast') return isConstant(unwrap<{ arg?: Node }>(node, 'TypeCast')?.arg);
  return type === 'A_Const' || type === 'ParamRef';
}
