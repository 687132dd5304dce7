import type {
  AlterEnumStmt,
  AlterTableStmt,
  ColumnDef,
  Constraint,
  CreateEnumStmt,
  CreateFunctionStmt,
  CreateSeqStmt,
  CreateStmt,
  CreateTableAsStmt,
  CreateTrigStmt,
  DropStmt,
  IndexElem,
  IndexStmt,
  Node,
  RangeVar,
  RenameStmt,
  ViewStmt,
} from 'libpg-query';
import type { Statement } from '../sql/parser.js';
import {
  alterCommands,
  checkedNotNullColumn,
  columnConstraints,
  defElems,
  stringList,
  typeInfo,
  unwrap,
  walkNodes,
  type TypeInfo,
} from '../sql/ast.js';

/**
 * What the analysis knows of the database's objects, built by replaying statements. It is a help,
 * never a precondition: an object the model has not seen is treated as a pre-existing one.
 */
export interface ColumnModel {
  name: string;
  type: TypeInfo;
  notNull: boolean;
  hasDefault: boolean;
}

export interface ConstraintModel {
  name: string;
  kind: 'check' | 'foreign' | 'unique' | 'primary' | 'exclusion' | 'not-null';
  validated: boolean;
  /** Key columns (primary, unique, exclusion) or referencing columns (foreign); empty for checks. */
  columns: string[];
  /** For a foreign key: the referenced table (relationKey). */
  references?: string;
  /** For `CHECK (col IS NOT NULL)` and NOT NULL constraints (PostgreSQL 18): the column it proves. */
  notNullColumn?: string;
  createdBy: string;
}

export interface RelationModel {
  name: string;
  kind: 'table' | 'view' | 'materialized view';
  columns: Map<string, ColumnModel>;
  constraints: Map<string, ConstraintModel>;
  /** For views: what their query reads. */
  reads?: ViewDependencies;
  /** A partitioned table (`PARTITION BY`): no CONCURRENTLY index builds, no NOT VALID foreign keys. */
  partitioned?: boolean;
  /** The migration that created it; CURRENT for the one under analysis. */
  createdBy: string;
}

/** The relations a view's query names and the column names it refers to (`*` expanded when created). */
export interface ViewDependencies {
  relations: Set<string>;
  columns: Map<string, Set<string>>;
}

export interface IndexModel {
  name: string;
  table: string;
  /** Key columns in order; an expression key is the empty string. */
  columns: string[];
  unique: boolean;
  partial: boolean;
  createdBy: string;
}

/** A function or procedure whose body is stored as text and resolves names only when it runs. */
export interface RoutineModel {
  name: string;
  /** The body, lower-cased, for finding names it mentions. */
  body: string;
  /** Returns trigger: only its triggers call it. */
  trigger: boolean;
  createdBy: string;
}

export interface TriggerModel {
  name: string;
  table: string;
  routine: string;
  createdBy: string;
}

export interface EnumModel {
  name: string;
  values: string[];
  createdBy: string;
}

export interface SequenceModel {
  name: string;
  createdBy: string;
}

/** Objects that would break, or be dropped with CASCADE, when a relation or column goes away. */
export interface Dependents {
  views: RelationModel[];
  /** Routines whose body names the relation (and the column, when one is given). */
  routines: RoutineModel[];
}

export const CURRENT = '<current>';
/** Objects first seen being altered: they existed before, created by a migration we did not read. */
export const PREEXISTING = '<pre-existing>';

export function relationKey(relation: RangeVar | { schemaname?: string; relname?: string }): string {
  const schema = relation.schemaname;
  return schema && schema !== 'public' ? `${schema}.${relation.relname}` : (relation.relname ?? '');
}

function keyFromNames(names: string[]): string {
  return relationKey({ schemaname: names.length > 1 ? names[names.length - 2] : undefined, relname: names[names.length - 1] });
}

export class SchemaModel {
  readonly relations = new Map<string, RelationModel>();
  readonly indexes = new Map<string, IndexModel>();
  readonly routines = new Map<string, RoutineModel>();
  readonly triggers = new Map<string, TriggerModel>();
  readonly enums = new Map<string, EnumModel>();
  readonly sequences = new Map<string, SequenceModel>();
  private migration = CURRENT;
  /** Everything created while applying the migration under analysis, for `commit`. */
  private fresh: Array<{ createdBy: string }> = [];
  /** The key columns of the full indexes, by table, until a statement is applied (see keysOf). */
  private indexKeys: Map<string, string[][]> | undefined;

  /** Statements applied from now on are recorded as created by `id`. */
  setMigration(id: string): void {
    this.migration = id;
  }

  /** Records what the migration just analysed (applied as CURRENT) created as created by `id`. */
  commit(id: string): void {
    for (const object of this.fresh) if (object.createdBy === CURRENT) object.createdBy = id;
    this.fresh = [];
  }

  /** Remembers an object created by the migration under analysis, for `commit`. */
  private track<T extends { createdBy: string }>(object: T): T {
    if (object.createdBy === CURRENT) this.fresh.push(object);
    return object;
  }

  /** The table an index (by name) or a relation is on, when the model knows it is partitioned. */
  isPartitioned(target: { index: string } | { relation: RangeVar | undefined }): boolean {
    const key = 'index' in target ? this.indexes.get(target.index)?.table : target.relation && relationKey(target.relation);
    return key !== undefined && this.relations.get(key)?.partitioned === true;
  }

  /** Whether anything can still call a routine: a trigger function is called only by its triggers. */
  isCallable(routine: RoutineModel): boolean {
    return !routine.trigger || valuesWhere(this.triggers, (trigger) => trigger.routine === routine.name).length > 0;
  }

  /** Indexes and key constraints of a table, as lists of key columns. */
  keysOf(table: string): string[][] {
    if (!this.indexKeys) {
      this.indexKeys = new Map();
      for (const index of this.indexes.values()) {
        if (index.partial) continue;
        const keys = this.indexKeys.get(index.table);
        if (keys) keys.push(index.columns);
        else this.indexKeys.set(index.table, [index.columns]);
      }
    }
    const keys = [...(this.indexKeys.get(table) ?? [])];
    const relation = this.relations.get(table);
    for (const constraint of relation?.constraints.values() ?? []) {
      if (constraint.kind === 'primary' || constraint.kind === 'unique' || constraint.kind === 'exclusion') keys.push(constraint.columns);
    }
    return keys;
  }

  /** What depends on a relation, or on one of its columns, other than objects listed in `except`. */
  dependents(table: string, column?: string, except: ReadonlySet<string> = new Set()): Dependents {
    const views = valuesWhere(this.relations, (view) => {
      if (!view.reads || view.name === table || except.has(view.name) || !view.reads.relations.has(table)) return false;
      return column === undefined || (view.reads.columns.get(table)?.has(column) ?? false);
    });
    const bare = table.slice(table.lastIndexOf('.') + 1);
    // A column is attributed to a body only when named with its table (`orders.total`): bare
    // column names such as `id` are everywhere.
    const routines = valuesWhere(this.routines, (routine) =>
      column === undefined ? mentions(routine.body, bare) : mentions(routine.body, `${bare}.${column}`),
    );
    // Trigger functions reach the table's columns through NEW and OLD without naming the table.
    for (const trigger of this.triggers.values()) {
      if (trigger.table !== table || column === undefined) continue;
      const routine = this.routines.get(trigger.routine);
      if (routine && !routines.includes(routine) && new RegExp(`\\b(?:new|old)\\s*\\.\\s*"?${escapeRegExp(column.toLowerCase())}\\b`).test(routine.body)) {
        routines.push(routine);
      }
    }
    return { views, routines };
  }

  relation(relation: RangeVar | undefined): RelationModel | undefined {
    return relation ? this.relations.get(relationKey(relation)) : undefined;
  }

  /** The relation, or a placeholder for one that existed before anything the model has read. */
  private relationOrPlaceholder(relation: RangeVar | undefined): RelationModel | undefined {
    if (!relation) return undefined;
    const known = this.relation(relation);
    if (known) return known;
    const current = this.migration;
    this.migration = PREEXISTING;
    const placeholder = this.addRelation(relation, 'table');
    this.migration = current;
    return placeholder;
  }

  /** True when the relation was created by the migration under analysis. */
  isCreatedHere(relation: RangeVar | undefined): boolean {
    return this.relation(relation)?.createdBy === CURRENT;
  }

  index(name: string): IndexModel | undefined {
    return this.indexes.get(name);
  }

  apply(statement: Statement): void {
    this.indexKeys = undefined;
    switch (statement.type) {
      case 'CreateStmt':
        return this.createTable(statement.ast as CreateStmt);
      case 'CreateTableAsStmt': {
        const stmt = statement.ast as CreateTableAsStmt;
        const into = stmt.into?.rel;
        if (!into) return;
        const view = stmt.objtype === 'OBJECT_MATVIEW';
        const model = this.addRelation(into, view ? 'materialized view' : 'table');
        if (view) model.reads = this.dependenciesOf(stmt.query);
        return;
      }
      case 'ViewStmt': {
        const stmt = statement.ast as ViewStmt;
        if (!stmt.view) return;
        // CREATE OR REPLACE VIEW keeps the view (and what depends on it) but changes what it reads.
        const model = this.relation(stmt.view) ?? this.addRelation(stmt.view, 'view');
        model.reads = this.dependenciesOf(stmt.query);
        return;
      }
      case 'AlterTableStmt':
        return this.alterTable(statement.ast as AlterTableStmt);
      case 'IndexStmt': {
        const stmt = statement.ast as IndexStmt;
        if (stmt.idxname && stmt.relation) {
          this.indexes.set(
            stmt.idxname,
            this.track({
              name: stmt.idxname,
              table: relationKey(stmt.relation),
              columns: (stmt.indexParams ?? []).map((param) => unwrap<IndexElem>(param, 'IndexElem')?.name ?? ''),
              unique: !!stmt.unique,
              partial: !!stmt.whereClause,
              createdBy: this.migration,
            }),
          );
        }
        return;
      }
      case 'DropStmt':
        return this.drop(statement.ast as DropStmt);
      case 'RenameStmt':
        return this.rename(statement.ast as RenameStmt);
      case 'CreateFunctionStmt':
        return this.createRoutine(statement.ast as CreateFunctionStmt);
      case 'CreateTrigStmt': {
        const stmt = statement.ast as CreateTrigStmt;
        const routine = stringList(stmt.funcname).pop();
        if (stmt.trigname && stmt.relation && routine) {
          const table = relationKey(stmt.relation);
          this.triggers.set(`${table}.${stmt.trigname}`, this.track({ name: stmt.trigname, table, routine, createdBy: this.migration }));
        }
        return;
      }
      case 'CreateEnumStmt': {
        const stmt = statement.ast as CreateEnumStmt;
        const name = stringList(stmt.typeName).join('.');
        if (name) this.enums.set(name, this.track({ name, values: stringList(stmt.vals), createdBy: this.migration }));
        return;
      }
      case 'AlterEnumStmt': {
        const stmt = statement.ast as AlterEnumStmt;
        const model = this.enums.get(stringList(stmt.typeName).join('.'));
        if (!model || !stmt.newVal) return;
        if (stmt.oldVal) model.values = model.values.map((v) => (v === stmt.oldVal ? stmt.newVal! : v));
        else if (!model.values.includes(stmt.newVal)) {
          const at = stmt.newValNeighbor ? model.values.indexOf(stmt.newValNeighbor) : -1;
          if (at < 0) model.values.push(stmt.newVal);
          else model.values.splice(stmt.newValIsAfter ? at + 1 : at, 0, stmt.newVal);
        }
        return;
      }
      case 'CreateSeqStmt': {
        const stmt = statement.ast as CreateSeqStmt;
        if (stmt.sequence) this.sequences.set(relationKey(stmt.sequence), this.track({ name: relationKey(stmt.sequence), createdBy: this.migration }));
        return;
      }
      default:
        return;
    }
  }

  /**
   * The relations and columns a view's query refers to. A qualified column (`p.name`) belongs to the
   * relation its qualifier names; an unqualified one to the relations of the innermost enclosing
   * FROM list that have such a column. `*` and `alias.*` stand for every column the relations have now.
   */
  private dependenciesOf(query: Node | undefined): ViewDependencies {
    const relations = new Set<string>();
    const aliases = new Map<string, string>();
    walkNodes(query, (type, payload) => {
      if (type !== 'RangeVar') return;
      const range = payload as RangeVar;
      const key = relationKey(range);
      relations.add(key);
      aliases.set(range.alias?.aliasname ?? range.relname ?? key, key);
    });
    const columns = new Map<string, Set<string>>([...relations].map((key) => [key, new Set<string>()]));
    const use = (key: string | undefined, column: string) => {
      if (key) columns.get(key)?.add(column);
    };
    const hasColumn = (key: string, column: string) => this.relations.get(key)?.columns.has(column) ?? false;

    const visitSelect = (select: SelectNode, outer: string[][]) => {
      if (select.larg || select.rarg) {
        if (select.larg) visitSelect(select.larg, outer);
        if (select.rarg) visitSelect(select.rarg, outer);
        return;
      }
      const scopes = [fromRelations(select.fromClause), ...outer];
      walkNodes(select, (type, payload) => {
        if (type === 'SelectStmt') {
          visitSelect(payload as SelectNode, scopes);
          return false;
        }
        if (type !== 'ColumnRef') return;
        const fields = (payload as { fields?: Node[] }).fields ?? [];
        const star = fields.length > 0 && 'A_Star' in fields[fields.length - 1]!;
        const names = stringList(star ? fields.slice(0, -1) : fields);
        const qualifier = star ? names[names.length - 1] : names[names.length - 2];
        const column = star ? undefined : names[names.length - 1];
        const targets = qualifier !== undefined ? [aliases.get(qualifier)] : star ? scopes[0]! : undefined;
        if (column === undefined) {
          for (const key of targets ?? []) for (const name of (key && this.relations.get(key)?.columns.keys()) || []) use(key, name);
        } else if (targets) {
          for (const key of targets) use(key, column);
        } else {
          const scope = scopes.find((keys) => keys.some((key) => hasColumn(key, column)));
          for (const key of scope ?? []) if (hasColumn(key, column)) use(key, column);
        }
        return false;
      });
    };
    const root = unwrap<SelectNode>(query, 'SelectStmt');
    if (root) visitSelect(root, []);
    return { relations, columns };
  }

  private createRoutine(stmt: CreateFunctionStmt): void {
    const name = stringList(stmt.funcname).pop();
    if (!name) return;
    const as = defElems(stmt.options).find((option) => option.defname === 'as');
    const body = stringList(unwrap<{ items?: Node[] }>(as?.arg, 'List')?.items).join('\n');
    // A BEGIN ATOMIC body is parsed and bound when created: Postgres tracks what it uses.
    if (!body) return;
    const trigger = typeInfo(stmt.returnType).name === 'trigger';
    this.routines.set(name, this.track({ name, body: body.toLowerCase(), trigger, createdBy: this.migration }));
  }

  private addRelation(relation: RangeVar, kind: RelationModel['kind']): RelationModel {
    const model: RelationModel = this.track({
      name: relationKey(relation),
      kind,
      columns: new Map(),
      constraints: new Map(),
      createdBy: this.migration,
    });
    this.relations.set(model.name, model);
    return model;
  }

  private createTable(stmt: CreateStmt): void {
    if (!stmt.relation) return;
    if (stmt.if_not_exists && this.relation(stmt.relation)) return;
    const table = this.addRelation(stmt.relation, 'table');
    if (stmt.partspec) table.partitioned = true;
    for (const element of stmt.tableElts ?? []) {
      const column = unwrap<ColumnDef>(element, 'ColumnDef');
      if (column) this.addColumn(table, column);
      const constraint = unwrap<Constraint>(element, 'Constraint');
      if (constraint) this.addConstraint(table, constraint);
    }
  }

  private addColumn(table: RelationModel, column: ColumnDef): void {
    const constraints = columnConstraints(column);
    const model: ColumnModel = {
      name: column.colname ?? '?',
      type: typeInfo(column.typeName),
      notNull: constraints.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY'),
      hasDefault: constraints.some((c) => c.contype === 'CONSTR_DEFAULT' || c.contype === 'CONSTR_IDENTITY'),
    };
    table.columns.set(model.name, model);
    for (const constraint of constraints) this.addConstraint(table, constraint, model.name);
  }

  private addConstraint(table: RelationModel, constraint: Constraint, column?: string): void {
    const kinds: Record<string, ConstraintModel['kind']> = {
      CONSTR_CHECK: 'check',
      CONSTR_FOREIGN: 'foreign',
      CONSTR_UNIQUE: 'unique',
      CONSTR_PRIMARY: 'primary',
      CONSTR_EXCLUSION: 'exclusion',
    };
    if (constraint.contype === 'CONSTR_NOTNULL' && !column) {
      // PostgreSQL 18: a table-level NOT NULL constraint (ADD CONSTRAINT name NOT NULL col).
      const proved = stringList(constraint.keys)[0];
      if (!proved) return;
      const name = constraint.conname ?? `${table.name}_${proved}_not_null`;
      const validated = !constraint.skip_validation;
      table.constraints.set(name, this.track({ name, kind: 'not-null', validated, columns: [proved], notNullColumn: proved, createdBy: this.migration }));
      if (validated) this.markNotNull(table, proved);
      return;
    }
    const kind = kinds[constraint.contype ?? ''];
    if (!kind) return;
    const name = constraint.conname ?? `${table.name}_${column ?? table.constraints.size}_${kind}`;
    const notNullColumn = kind === 'check' ? checkedNotNullColumn(constraint) : undefined;
    const keys = kind === 'foreign' ? stringList(constraint.fk_attrs) : kind === 'exclusion' ? exclusionColumns(constraint) : stringList(constraint.keys);
    table.constraints.set(
      name,
      this.track({
        name,
        kind,
        validated: !constraint.skip_validation,
        columns: keys.length || !column || kind === 'check' ? keys : [column],
        ...(notNullColumn ? { notNullColumn } : {}),
        ...(kind === 'foreign' && constraint.pktable ? { references: relationKey(constraint.pktable) } : {}),
        createdBy: this.migration,
      }),
    );
    if (kind === 'primary') {
      for (const key of keys.length ? keys : column ? [column] : []) {
        const col = table.columns.get(key);
        if (col) col.notNull = true;
      }
    }
  }

  private markNotNull(table: RelationModel, column: string): void {
    const model = table.columns.get(column);
    if (model) model.notNull = true;
  }

  private alterTable(stmt: AlterTableStmt): void {
    // Constraints added to and validated on a table we never saw created still matter later.
    const table = stmt.objtype === 'OBJECT_TABLE' ? this.relationOrPlaceholder(stmt.relation) : this.relation(stmt.relation);
    if (!table) return;
    for (const cmd of alterCommands(stmt.cmds)) {
      const column = cmd.name ? table.columns.get(cmd.name) : undefined;
      switch (cmd.subtype) {
        case 'AT_AddColumn': {
          const def = unwrap<ColumnDef>(cmd.def, 'ColumnDef');
          if (def) this.addColumn(table, def);
          break;
        }
        case 'AT_DropColumn':
          if (!cmd.name) break;
          if (cmd.behavior === 'DROP_CASCADE') for (const view of this.dependents(table.name, cmd.name).views) this.dropRelation(view.name, true);
          table.columns.delete(cmd.name);
          break;
        case 'AT_AlterColumnType': {
          const def = unwrap<ColumnDef>(cmd.def, 'ColumnDef');
          if (column && def) column.type = typeInfo(def.typeName);
          break;
        }
        case 'AT_SetNotNull':
          if (column) column.notNull = true;
          break;
        case 'AT_DropNotNull':
          if (column) column.notNull = false;
          break;
        case 'AT_ColumnDefault':
          if (column) column.hasDefault = !!cmd.def;
          break;
        case 'AT_AddConstraint': {
          const constraint = unwrap<Constraint>(cmd.def, 'Constraint');
          if (constraint) this.addConstraint(table, constraint);
          break;
        }
        case 'AT_ValidateConstraint': {
          const constraint = cmd.name ? table.constraints.get(cmd.name) : undefined;
          if (constraint) constraint.validated = true;
          if (constraint?.kind === 'not-null' && constraint.notNullColumn) this.markNotNull(table, constraint.notNullColumn);
          break;
        }
        case 'AT_DropConstraint':
          if (cmd.name) table.constraints.delete(cmd.name);
          break;
        default:
          break;
      }
    }
  }

  private drop(stmt: DropStmt): void {
    for (const object of stmt.objects ?? []) {
      const names = stringList(unwrap<{ items?: Node[] }>(object, 'List')?.items);
      switch (stmt.removeType) {
        case 'OBJECT_INDEX':
          if (names.length) this.indexes.delete(names[names.length - 1]!);
          break;
        case 'OBJECT_TABLE':
        case 'OBJECT_VIEW':
        case 'OBJECT_MATVIEW':
        case 'OBJECT_FOREIGN_TABLE':
          if (names.length) this.dropRelation(keyFromNames(names), stmt.behavior === 'DROP_CASCADE');
          break;
        case 'OBJECT_SEQUENCE':
          if (names.length) this.sequences.delete(keyFromNames(names));
          break;
        case 'OBJECT_FUNCTION':
        case 'OBJECT_PROCEDURE':
        case 'OBJECT_ROUTINE': {
          const name = stringList(unwrap<{ objname?: Node[] }>(object, 'ObjectWithArgs')?.objname).pop();
          if (name) this.routines.delete(name);
          break;
        }
        case 'OBJECT_TYPE': {
          const typeNames = stringList(unwrap<{ names?: Node[] }>(object, 'TypeName')?.names);
          this.enums.delete(typeNames.join('.'));
          break;
        }
        case 'OBJECT_TRIGGER':
          if (names.length >= 2) this.triggers.delete(`${keyFromNames(names.slice(0, -1))}.${names[names.length - 1]}`);
          break;
        default:
          break;
      }
    }
  }

  /** Drops a relation with its indexes and triggers, and with CASCADE the views that read it. */
  private dropRelation(key: string, cascade: boolean): void {
    this.relations.delete(key);
    this.indexes.forEach((index, name) => {
      if (index.table === key) this.indexes.delete(name);
    });
    this.triggers.forEach((trigger, name) => {
      if (trigger.table === key) this.triggers.delete(name);
    });
    if (!cascade) return;
    for (const view of this.dependents(key).views) this.dropRelation(view.name, true);
  }

  private rename(stmt: RenameStmt): void {
    if (!stmt.newname) return;
    if (stmt.renameType === 'OBJECT_TABLE' || stmt.renameType === 'OBJECT_VIEW' || stmt.renameType === 'OBJECT_MATVIEW') {
      const table = this.relation(stmt.relation);
      if (!table || !stmt.relation) return;
      const oldName = table.name;
      this.relations.delete(oldName);
      table.name = relationKey({ schemaname: stmt.relation.schemaname, relname: stmt.newname });
      this.relations.set(table.name, table);
      for (const index of this.indexes.values()) if (index.table === oldName) index.table = table.name;
      for (const trigger of this.triggers.values()) if (trigger.table === oldName) trigger.table = table.name;
      // Views refer to relations by OID: they follow the rename.
      for (const view of this.relations.values()) {
        const columns = view.reads?.columns.get(oldName);
        if (!view.reads?.relations.delete(oldName)) continue;
        view.reads.relations.add(table.name);
        view.reads.columns.delete(oldName);
        if (columns) view.reads.columns.set(table.name, columns);
      }
    } else if (stmt.renameType === 'OBJECT_COLUMN') {
      const table = this.relation(stmt.relation);
      const column = stmt.subname ? table?.columns.get(stmt.subname) : undefined;
      if (!table || !column) return;
      table.columns.delete(column.name);
      for (const view of this.relations.values()) {
        const used = view.reads?.columns.get(table.name);
        if (used?.delete(column.name)) used.add(stmt.newname);
      }
      for (const index of this.indexes.values()) {
        if (index.table === table.name) index.columns = index.columns.map((c) => (c === column.name ? stmt.newname! : c));
      }
      for (const constraint of table.constraints.values()) constraint.columns = constraint.columns.map((c) => (c === column.name ? stmt.newname! : c));
      column.name = stmt.newname;
      table.columns.set(column.name, column);
    } else if (stmt.renameType === 'OBJECT_FUNCTION' || stmt.renameType === 'OBJECT_PROCEDURE' || stmt.renameType === 'OBJECT_ROUTINE') {
      const name = stringList(unwrap<{ objname?: Node[] }>(stmt.object, 'ObjectWithArgs')?.objname).pop();
      const routine = name ? this.routines.get(name) : undefined;
      if (!routine) return;
      this.routines.delete(routine.name);
      for (const trigger of this.triggers.values()) if (trigger.routine === routine.name) trigger.routine = stmt.newname;
      routine.name = stmt.newname;
      this.routines.set(routine.name, routine);
    } else if (stmt.renameType === 'OBJECT_TRIGGER') {
      const table = stmt.relation ? relationKey(stmt.relation) : undefined;
      const trigger = table && stmt.subname ? this.triggers.get(`${table}.${stmt.subname}`) : undefined;
      if (!trigger) return;
      this.triggers.delete(`${trigger.table}.${trigger.name}`);
      trigger.name = stmt.newname;
      this.triggers.set(`${trigger.table}.${trigger.name}`, trigger);
    } else if (stmt.renameType === 'OBJECT_INDEX') {
      const index = stmt.relation?.relname ? this.indexes.get(stmt.relation.relname) : undefined;
      if (!index) return;
      this.indexes.delete(index.name);
      index.name = stmt.newname;
      this.indexes.set(index.name, index);
    } else if (stmt.renameType === 'OBJECT_TABCONSTRAINT') {
      const table = this.relation(stmt.relation);
      const constraint = stmt.subname ? table?.constraints.get(stmt.subname) : undefined;
      if (!table || !constraint) return;
      table.constraints.delete(constraint.name);
      constraint.name = stmt.newname;
      table.constraints.set(constraint.name, constraint);
    }
  }
}

function exclusionColumns(constraint: Constraint): string[] {
  return (constraint.exclusions ?? []).map((pair) => {
    const element = unwrap<{ items?: Node[] }>(pair, 'List')?.items?.[0];
    return unwrap<IndexElem>(element, 'IndexElem')?.name ?? '';
  });
}

interface SelectNode {
  fromClause?: Node[];
  larg?: SelectNode;
  rarg?: SelectNode;
}

/** The relations a FROM list reads directly (joins included, subqueries not). */
function fromRelations(from: Node[] | undefined): string[] {
  const keys: string[] = [];
  const visit = (node: Node | undefined) => {
    const range = unwrap<RangeVar>(node, 'RangeVar');
    if (range) keys.push(relationKey(range));
    const join = unwrap<{ larg?: Node; rarg?: Node }>(node, 'JoinExpr');
    if (join) {
      visit(join.larg);
      visit(join.rarg);
    }
  };
  for (const node of from ?? []) visit(node);
  return keys;
}

/**
 * The values of a map that pass `test`, in insertion order. The model's maps are scanned for every
 * drop and dependency check; Map.forEach does it without an iterator object per entry, which
 * unoptimised for…of allocates.
 */
function valuesWhere<V>(map: ReadonlyMap<unknown, V>, test: (value: V) => boolean): V[] {
  const found: V[] = [];
  map.forEach((value) => {
    if (test(value)) found.push(value);
  });
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const wordPatterns = new Map<string, RegExp>();

/** Whether lower-cased SQL text names an identifier as a whole word. */
function mentions(body: string, name: string): boolean {
  const lower = name.toLowerCase();
  if (!body.includes(lower)) return false;
  let pattern = wordPatterns.get(lower);
  if (!pattern) wordPatterns.set(lower, (pattern = new RegExp(`(?<![\\w$])"?${escapeRegExp(lower)}"?(?![\\w$])`)));
  return pattern.test(body);
}
