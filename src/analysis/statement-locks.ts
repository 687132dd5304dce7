import type {
  AlterObjectSchemaStmt,
  AlterTableCmd,
  AlterTableStmt,
  ClusterStmt,
  ColumnDef,
  CommentStmt,
  Constraint,
  CopyStmt,
  CreatePolicyStmt,
  CreateStmt,
  CreateTrigStmt,
  DefElem,
  DeleteStmt,
  DropStmt,
  IndexStmt,
  InsertStmt,
  LockStmt,
  MergeStmt,
  Node,
  PartitionCmd,
  RangeVar,
  RefreshMatViewStmt,
  ReindexStmt,
  RenameStmt,
  RuleStmt,
  TruncateStmt,
  UpdateStmt,
  VacuumRelation,
  VacuumStmt,
  ViewStmt,
} from 'libpg-query';
import type { Statement } from '../sql/parser.js';
import { alterCommands, columnConstraints, defElems, dropTargets, stringList, unwrap } from '../sql/ast.js';
import { LOCK_MODES, strongerLock, type LockMode } from './locks.js';
import { relationKey, type SchemaModel } from './schema.js';

/**
 * The table-level locks a statement takes, read from its text alone (plus the schema model when
 * one is given, to find the table behind an index). Modes follow the Postgres sources
 * (`AlterTableGetLockLevel` in tablecmds.c, reloptions.c, index.c) for PostgreSQL 11 to 18.
 *
 * What it does not list, because the statement does not say which relations they are:
 * partitions and inheritance children a command recurses to, the indexes of a table (REINDEX
 * TABLE, CLUSTER and VACUUM FULL lock them too), the table a foreign key being validated or
 * dropped points at (ROW SHARE and ACCESS EXCLUSIVE respectively), the default partition of
 * ATTACH PARTITION, and the relations of database- or schema-wide commands (REINDEX SCHEMA,
 * bare CLUSTER, VACUUM without a table list). ACCESS SHARE taken by reads (SELECT, the source
 * side of INSERT … SELECT, CREATE VIEW) and locks on sequences bumped by nextval are left out:
 * they conflict only with ACCESS EXCLUSIVE or are held for an instant.
 */
export interface LockedRelation {
  schemaname?: string;
  relname: string;
}

export interface StatementLock {
  relation: LockedRelation;
  mode: LockMode;
  /** `relation` names an index; its table is listed as well when the schema model knows it. */
  index?: true;
}

export interface StatementLockOptions {
  /** Defaults to the newest release; older ones take stronger locks for a few commands. */
  postgresVersion?: number;
  /** Resolves an index name to its table (DROP INDEX, REINDEX INDEX, ALTER INDEX). */
  schema?: SchemaModel;
}

/** Storage parameters whose change must block readers (reloptions.c); all others take SHARE UPDATE EXCLUSIVE. */
const ACCESS_EXCLUSIVE_RELOPTIONS = new Set([
  'autosummarize',
  'buffering',
  'check_option',
  'fastupdate',
  'gin_pending_list_limit',
  'pages_per_range',
  'security_barrier',
  'security_invoker',
  'user_catalog_table',
]);

const TRIGGER_TOGGLES = new Set([
  'AT_EnableTrig',
  'AT_EnableAlwaysTrig',
  'AT_EnableReplicaTrig',
  'AT_EnableTrigAll',
  'AT_EnableTrigUser',
  'AT_DisableTrig',
  'AT_DisableTrigAll',
  'AT_DisableTrigUser',
]);

const PLANNER_SETTINGS = new Set(['AT_SetStatistics', 'AT_ClusterOn', 'AT_DropCluster', 'AT_SetOptions', 'AT_ResetOptions']);

/** Relation kinds whose DROP, RENAME or SET SCHEMA takes ACCESS EXCLUSIVE on the relation itself. */
const RELATION_OBJECTS = new Set([
  'OBJECT_TABLE',
  'OBJECT_VIEW',
  'OBJECT_MATVIEW',
  'OBJECT_FOREIGN_TABLE',
  'OBJECT_SEQUENCE',
]);

/** Objects that live on a table (`name ON table`): commenting on or dropping them locks the table. */
const TABLE_MEMBERS = new Set(['OBJECT_TABCONSTRAINT', 'OBJECT_TRIGGER', 'OBJECT_POLICY', 'OBJECT_RULE']);

export function statementLocks(statement: Statement, options: StatementLockOptions = {}): StatementLock[] {
  const version = options.postgresVersion ?? Number.POSITIVE_INFINITY;
  const locks = new LockList(options.schema);
  const ast = statement.ast;
  switch (statement.type) {
    case 'AlterTableStmt':
      alterTableLocks(ast as AlterTableStmt, version, locks);
      break;
    case 'IndexStmt': {
      const stmt = ast as IndexStmt;
      locks.add(stmt.relation, stmt.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
      break;
    }
    case 'DropStmt':
      dropLocks(ast as DropStmt, locks);
      break;
    case 'TruncateStmt':
      for (const relation of rangeVars((ast as TruncateStmt).relations)) locks.add(relation, 'ACCESS EXCLUSIVE');
      break;
    case 'RenameStmt':
      renameLocks(ast as RenameStmt, version, locks);
      break;
    case 'AlterObjectSchemaStmt': {
      const stmt = ast as AlterObjectSchemaStmt;
      if (RELATION_OBJECTS.has(stmt.objectType ?? '')) locks.add(stmt.relation, 'ACCESS EXCLUSIVE');
      break;
    }
    case 'ClusterStmt':
      locks.add((ast as ClusterStmt).relation, 'ACCESS EXCLUSIVE');
      break;
    case 'VacuumStmt': {
      const stmt = ast as VacuumStmt;
      const full = stmt.is_vacuumcmd && defElems(stmt.options).some((d) => d.defname === 'full' && booleanOption(d));
      for (const rel of stmt.rels ?? []) {
        const relation = unwrap<VacuumRelation>(rel, 'VacuumRelation')?.relation;
        locks.add(relation, full ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE');
      }
      break;
    }
    case 'RefreshMatViewStmt': {
      const stmt = ast as RefreshMatViewStmt;
      locks.add(stmt.relation, stmt.concurrent ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE');
      break;
    }
    case 'CreateTrigStmt':
      locks.add((ast as CreateTrigStmt).relation, 'SHARE ROW EXCLUSIVE');
      break;
    case 'RuleStmt':
      locks.add((ast as RuleStmt).relation, 'ACCESS EXCLUSIVE');
      break;
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
      locks.add((ast as CreatePolicyStmt).table, 'ACCESS EXCLUSIVE');
      break;
    case 'LockStmt': {
      const stmt = ast as LockStmt;
      // LockStmt.mode numbers follow LOCK_MODES: AccessShareLock = 1 … AccessExclusiveLock = 8.
      const mode = LOCK_MODES[(stmt.mode ?? 8) - 1] ?? 'ACCESS EXCLUSIVE';
      for (const relation of rangeVars(stmt.relations)) locks.add(relation, mode);
      break;
    }
    case 'ReindexStmt':
      reindexLocks(ast as ReindexStmt, locks);
      break;
    case 'CreateStmt':
      createTableLocks(ast as CreateStmt, locks);
      break;
    case 'ViewStmt': {
      const stmt = ast as ViewStmt;
      // OR REPLACE swaps the definition of an existing view under ACCESS EXCLUSIVE.
      if (stmt.replace) locks.add(stmt.view, 'ACCESS EXCLUSIVE');
      break;
    }
    case 'CommentStmt':
      commentLocks(ast as CommentStmt, locks);
      break;
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
      locks.add((ast as InsertStmt | UpdateStmt | DeleteStmt | MergeStmt).relation, 'ROW EXCLUSIVE');
      break;
    case 'CopyStmt': {
      const stmt = ast as CopyStmt;
      if (stmt.is_from) locks.add(stmt.relation, 'ROW EXCLUSIVE');
      break;
    }
    default:
      break;
  }
  return locks.list();
}

function alterTableLocks(stmt: AlterTableStmt, version: number, locks: LockList): void {
  const objtype = stmt.objtype ?? 'OBJECT_TABLE';
  if (objtype === 'OBJECT_TYPE') return; // ALTER TYPE on a composite type: no table involved.
  const isIndex = objtype === 'OBJECT_INDEX';
  const cmds = alterCommands(stmt.cmds);
  const mode = cmds.reduce<LockMode | undefined>((m, cmd) => strongerLock(m, alterCommandLock(cmd, version)), undefined);
  if (!mode) return;
  if (isIndex) locks.addIndex(stmt.relation, mode, undefined);
  else locks.add(stmt.relation, mode);
  for (const other of cmds.flatMap(alterCommandOtherLocks)) locks.add(other.relation, other.mode);
  for (const cmd of cmds) {
    if (cmd.subtype === 'AT_DropConstraint' && cmd.name) locks.addForeignKeyTargets(stmt.relation, cmd.name);
  }
}

/** The lock one ALTER TABLE subcommand needs on the altered relation; the statement takes the strongest. */
function alterCommandLock(cmd: AlterTableCmd, postgresVersion = Number.POSITIVE_INFINITY): LockMode {
  const subtype = cmd.subtype ?? '';
  if (subtype === 'AT_ValidateConstraint' || PLANNER_SETTINGS.has(subtype)) return 'SHARE UPDATE EXCLUSIVE';
  if (TRIGGER_TOGGLES.has(subtype)) return 'SHARE ROW EXCLUSIVE';
  switch (subtype) {
    case 'AT_AddConstraint':
      return unwrap<Constraint>(cmd.def, 'Constraint')?.contype === 'CONSTR_FOREIGN' ? 'SHARE ROW EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    case 'AT_SetRelOptions':
    case 'AT_ResetRelOptions': {
      const names = defElems(unwrap<{ items?: Node[] }>(cmd.def, 'List')?.items).map((d) => d.defname ?? '');
      return names.some((n) => ACCESS_EXCLUSIVE_RELOPTIONS.has(n)) ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE';
    }
    case 'AT_AttachPartition':
      // Lowered from ACCESS EXCLUSIVE in PostgreSQL 12.
      return postgresVersion >= 12 ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    case 'AT_DetachPartition':
      return unwrap<PartitionCmd>(cmd.def, 'PartitionCmd')?.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    case 'AT_DetachPartitionFinalize':
      return 'SHARE UPDATE EXCLUSIVE';
    default:
      return 'ACCESS EXCLUSIVE';
  }
}

/** Locks a subcommand takes on relations other than the altered one. */
function alterCommandOtherLocks(cmd: AlterTableCmd): Array<{ relation: RangeVar | undefined; mode: LockMode }> {
  switch (cmd.subtype) {
    case 'AT_AddConstraint': {
      const constraint = unwrap<Constraint>(cmd.def, 'Constraint');
      return constraint?.contype === 'CONSTR_FOREIGN' ? [{ relation: constraint.pktable, mode: 'SHARE ROW EXCLUSIVE' }] : [];
    }
    case 'AT_AddColumn':
      return columnConstraints(unwrap<ColumnDef>(cmd.def, 'ColumnDef'))
        .filter((c) => c.contype === 'CONSTR_FOREIGN')
        .map((c) => ({ relation: c.pktable, mode: 'SHARE ROW EXCLUSIVE' as const }));
    case 'AT_AttachPartition':
      return [{ relation: unwrap<PartitionCmd>(cmd.def, 'PartitionCmd')?.name, mode: 'ACCESS EXCLUSIVE' }];
    case 'AT_DetachPartition': {
      const partition = unwrap<PartitionCmd>(cmd.def, 'PartitionCmd');
      return [{ relation: partition?.name, mode: partition?.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE' }];
    }
    case 'AT_DetachPartitionFinalize':
      return [{ relation: unwrap<PartitionCmd>(cmd.def, 'PartitionCmd')?.name, mode: 'SHARE UPDATE EXCLUSIVE' }];
    default:
      return [];
  }
}

function dropLocks(stmt: DropStmt, locks: LockList): void {
  const type = stmt.removeType ?? '';
  if (type === 'OBJECT_INDEX') {
    // DROP INDEX locks the index's table in the same mode as the index.
    const mode: LockMode = stmt.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    for (const target of dropTargets(stmt.objects)) locks.addIndex(target, mode, mode);
  } else if (RELATION_OBJECTS.has(type)) {
    for (const target of dropTargets(stmt.objects)) {
      locks.add(target, 'ACCESS EXCLUSIVE');
      locks.addForeignKeyTargets(target);
    }
  } else if (TABLE_MEMBERS.has(type)) {
    for (const object of stmt.objects ?? []) locks.add(memberTable(object), 'ACCESS EXCLUSIVE');
  }
}

function renameLocks(stmt: RenameStmt, version: number, locks: LockList): void {
  const type = stmt.renameType ?? '';
  if (type === 'OBJECT_INDEX') {
    // ALTER INDEX … RENAME takes SHARE UPDATE EXCLUSIVE since PostgreSQL 12.
    const mode: LockMode = version >= 12 ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    locks.addIndex(stmt.relation, mode, undefined);
  } else if (RELATION_OBJECTS.has(type) || type === 'OBJECT_COLUMN' || TABLE_MEMBERS.has(type)) {
    locks.add(stmt.relation, 'ACCESS EXCLUSIVE');
  }
}

function reindexLocks(stmt: ReindexStmt, locks: LockList): void {
  const concurrent = defElems(stmt.params).some((d) => d.defname === 'concurrently' && booleanOption(d));
  if (stmt.kind === 'REINDEX_OBJECT_INDEX') {
    // The index is rebuilt under ACCESS EXCLUSIVE while its table is held in SHARE (no writes).
    if (concurrent) locks.addIndex(stmt.relation, 'SHARE UPDATE EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE');
    else locks.addIndex(stmt.relation, 'ACCESS EXCLUSIVE', 'SHARE');
  } else if (stmt.kind === 'REINDEX_OBJECT_TABLE') {
    locks.add(stmt.relation, concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
  }
}

function createTableLocks(stmt: CreateStmt, locks: LockList): void {
  const self = stmt.relation ? relationKey(stmt.relation) : undefined;
  // A partition locks its parent ACCESS EXCLUSIVE; a plain inheritance child, SHARE UPDATE EXCLUSIVE.
  const parentMode: LockMode = stmt.partbound ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE';
  for (const parent of rangeVars(stmt.inhRelations)) locks.add(parent, parentMode);
  for (const element of stmt.tableElts ?? []) {
    const constraints = [
      ...columnConstraints(unwrap<ColumnDef>(element, 'ColumnDef')),
      ...[unwrap<Constraint>(element, 'Constraint')].filter((c): c is Constraint => !!c),
    ];
    for (const constraint of constraints) {
      if (constraint.contype !== 'CONSTR_FOREIGN' || !constraint.pktable) continue;
      if (relationKey(constraint.pktable) === self) continue;
      locks.add(constraint.pktable, 'SHARE ROW EXCLUSIVE');
    }
  }
}

function commentLocks(stmt: CommentStmt, locks: LockList): void {
  const type = stmt.objtype ?? '';
  const names = stringList(unwrap<{ items?: Node[] }>(stmt.object, 'List')?.items);
  if (!names.length) return;
  // COMMENT ON looks its object up with SHARE UPDATE EXCLUSIVE.
  const mode: LockMode = 'SHARE UPDATE EXCLUSIVE';
  if (RELATION_OBJECTS.has(type)) locks.add(fromNames(names), mode);
  else if (type === 'OBJECT_INDEX') locks.addIndex(fromNames(names), mode, undefined);
  else if (type === 'OBJECT_COLUMN' || TABLE_MEMBERS.has(type)) locks.add(fromNames(names.slice(0, -1)), mode);
}

/** The table named by `name ON table` objects (trigger, policy, rule, constraint): all names but the last. */
function memberTable(object: Node): LockedRelation | undefined {
  const names = stringList(unwrap<{ items?: Node[] }>(object, 'List')?.items);
  return names.length > 1 ? fromNames(names.slice(0, -1)) : undefined;
}

function fromNames(names: string[]): LockedRelation | undefined {
  const relname = names[names.length - 1];
  if (!relname) return undefined;
  const schemaname = names.length > 1 ? names[names.length - 2] : undefined;
  return schemaname ? { schemaname, relname } : { relname };
}

function rangeVars(nodes: Node[] | undefined): RangeVar[] {
  return (nodes ?? []).map((n) => unwrap<RangeVar>(n, 'RangeVar')).filter((r): r is RangeVar => !!r);
}

/** A DefElem read the way Postgres' defGetBoolean does: no value means true. */
function booleanOption(def: DefElem): boolean {
  if (!def.arg) return true;
  const integer = unwrap<{ ival?: number }>(def.arg, 'Integer');
  if (integer) return (integer.ival ?? 0) !== 0;
  const text = unwrap<{ sval?: string }>(def.arg, 'String')?.sval?.toLowerCase();
  if (text !== undefined) return !['false', 'off', 'no', '0'].includes(text);
  const bool = unwrap<{ boolval?: boolean }>(def.arg, 'Boolean');
  return bool ? !!bool.boolval : true;
}

/** Collects locks, one entry per relation with the strongest mode. */
class LockList {
  private readonly entries = new Map<string, StatementLock>();

  constructor(private readonly schema: SchemaModel | undefined) {}

  add(relation: RangeVar | LockedRelation | undefined, mode: LockMode, index?: true): void {
    if (!relation?.relname) return;
    const clean: LockedRelation = relation.schemaname
      ? { schemaname: relation.schemaname, relname: relation.relname }
      : { relname: relation.relname };
    const key = `${index ? 'index' : 'rel'}:${relationKey(clean)}`;
    const existing = this.entries.get(key);
    const strongest = strongerLock(existing?.mode, mode) ?? mode;
    this.entries.set(key, { relation: clean, mode: strongest, ...(index ? { index } : {}) });
  }

  /** An index lock, plus `tableMode` on the index's table when the schema model knows it. */
  addIndex(index: RangeVar | LockedRelation | undefined, mode: LockMode, tableMode: LockMode | undefined): void {
    if (!index?.relname) return;
    this.add(index, mode, true);
    const table = tableMode ? this.schema?.index(index.relname)?.table : undefined;
    if (table && tableMode) this.add(fromNames(table.split('.')), tableMode);
  }

  /**
   * Dropping a foreign key (with its table, or by name) removes its triggers on the referenced
   * table, which takes ACCESS EXCLUSIVE there too; known when the schema model has the key.
   */
  addForeignKeyTargets(table: RangeVar | LockedRelation | undefined, constraint?: string): void {
    const model = table?.relname ? this.schema?.relations.get(relationKey(table)) : undefined;
    if (!model) return;
    const keys = constraint === undefined ? [...model.constraints.values()] : [model.constraints.get(constraint)].filter((c) => !!c);
    for (const key of keys) {
      if (key.kind === 'foreign' && key.references && key.references !== model.name) {
        this.add(fromNames(key.references.split('.')), 'ACCESS EXCLUSIVE');
      }
    }
  }

  list(): StatementLock[] {
    return [...this.entries.values()];
  }
}
