import type {
  AlterTableStmt,
  ColumnDef,
  Constraint,
  CreateStmt,
  CreateTableAsStmt,
  DropStmt,
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
  stringList,
  typeInfo,
  unwrap,
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
  /** For `CHECK (col IS NOT NULL)` and NOT NULL constraints (PostgreSQL 18): the column it proves. */
  notNullColumn?: string;
  createdBy: string;
}

export interface RelationModel {
  name: string;
  kind: 'table' | 'view' | 'materialized view';
  columns: Map<string, ColumnModel>;
  constraints: Map<string, ConstraintModel>;
  /** The migration that created it; CURRENT for the one under analysis. */
  createdBy: string;
}

export interface IndexModel {
  name: string;
  table: string;
  createdBy: string;
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
  private migration = CURRENT;

  /** Statements applied from now on are recorded as created by `id`. */
  setMigration(id: string): void {
    this.migration = id;
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
    switch (statement.type) {
      case 'CreateStmt':
        return this.createTable(statement.ast as CreateStmt);
      case 'CreateTableAsStmt': {
        const stmt = statement.ast as CreateTableAsStmt;
        const into = stmt.into?.rel;
        if (into) this.addRelation(into, stmt.objtype === 'OBJECT_MATVIEW' ? 'materialized view' : 'table');
        return;
      }
      case 'ViewStmt': {
        const view = (statement.ast as ViewStmt).view;
        if (view && !this.relation(view)) this.addRelation(view, 'view');
        return;
      }
      case 'AlterTableStmt':
        return this.alterTable(statement.ast as AlterTableStmt);
      case 'IndexStmt': {
        const stmt = statement.ast as IndexStmt;
        if (stmt.idxname && stmt.relation) {
          this.indexes.set(stmt.idxname, { name: stmt.idxname, table: relationKey(stmt.relation), createdBy: this.migration });
        }
        return;
      }
      case 'DropStmt':
        return this.drop(statement.ast as DropStmt);
      case 'RenameStmt':
        return this.rename(statement.ast as RenameStmt);
      default:
        return;
    }
  }

  private addRelation(relation: RangeVar, kind: RelationModel['kind']): RelationModel {
    const model: RelationModel = {
      name: relationKey(relation),
      kind,
      columns: new Map(),
      constraints: new Map(),
      createdBy: this.migration,
    };
    this.relations.set(model.name, model);
    return model;
  }

  private createTable(stmt: CreateStmt): void {
    if (!stmt.relation) return;
    if (stmt.if_not_exists && this.relation(stmt.relation)) return;
    const table = this.addRelation(stmt.relation, 'table');
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
      table.constraints.set(name, { name, kind: 'not-null', validated, notNullColumn: proved, createdBy: this.migration });
      if (validated) this.markNotNull(table, proved);
      return;
    }
    const kind = kinds[constraint.contype ?? ''];
    if (!kind) return;
    const name = constraint.conname ?? `${table.name}_${column ?? table.constraints.size}_${kind}`;
    const notNullColumn = kind === 'check' ? checkedNotNullColumn(constraint) : undefined;
    table.constraints.set(name, {
      name,
      kind,
      validated: !constraint.skip_validation,
      ...(notNullColumn ? { notNullColumn } : {}),
      createdBy: this.migration,
    });
    if (kind === 'primary') {
      for (const key of stringList(constraint.keys)) {
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
          if (cmd.name) table.columns.delete(cmd.name);
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
      if (!names.length) continue;
      if (stmt.removeType === 'OBJECT_INDEX') this.indexes.delete(names[names.length - 1]!);
      else this.relations.delete(keyFromNames(names));
    }
  }

  private rename(stmt: RenameStmt): void {
    if (!stmt.newname) return;
    if (stmt.renameType === 'OBJECT_TABLE' || stmt.renameType === 'OBJECT_VIEW' || stmt.renameType === 'OBJECT_MATVIEW') {
      const table = this.relation(stmt.relation);
      if (!table || !stmt.relation) return;
      this.relations.delete(table.name);
      table.name = relationKey({ schemaname: stmt.relation.schemaname, relname: stmt.newname });
      this.relations.set(table.name, table);
    } else if (stmt.renameType === 'OBJECT_COLUMN') {
      const table = this.relation(stmt.relation);
      const column = stmt.subname ? table?.columns.get(stmt.subname) : undefined;
      if (!table || !column) return;
      table.columns.delete(column.name);
      column.name = stmt.newname;
      table.columns.set(column.name, column);
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
