import type { ColumnDef, Constraint, CreateStmt, Node, RangeVar, RenameStmt } from 'libpg-query';
import type { NodeMap, Statement } from '../../src/sql/parser.js';
import { alterCommands, columnConstraints, stringList, unwrap } from '../../src/sql/ast.js';

/** The names a statement gives to objects it creates or renames: what naming rules judge. */

export type NameKind =
  | 'table'
  | 'column'
  | 'index'
  | 'constraint'
  | 'view'
  | 'sequence'
  | 'schema'
  | 'function'
  | 'trigger'
  | 'type'
  | 'policy'
  | 'role'
  | 'database';

export interface CreatedName {
  kind: NameKind;
  /** As the parser read it: bare names folded to lower case, and cut to 63 bytes like every identifier. */
  name: string;
  /** Parser byte offset (add the statement's byteBase) of the name, or of the clause that holds it. */
  location?: number;
}

export function createdNames(statement: Statement): CreatedName[] {
  const names: CreatedName[] = [];
  // Asked of every statement; most create and rename nothing.
  if (NAMING_STATEMENTS.has(statement.type)) collect(statement.type, statement.ast, names);
  return names;
}

/** The statement types `collect` reads names from. */
const NAMING_STATEMENTS = new Set([
  'CreateStmt',
  'CreateForeignTableStmt',
  'CreateTableAsStmt',
  'SelectStmt',
  'ViewStmt',
  'IndexStmt',
  'CreateSeqStmt',
  'CreateSchemaStmt',
  'CreateFunctionStmt',
  'CreateTrigStmt',
  'CreateEnumStmt',
  'CreateRangeStmt',
  'CreateDomainStmt',
  'CompositeTypeStmt',
  'CreatePolicyStmt',
  'CreateRoleStmt',
  'CreatedbStmt',
  'AlterTableStmt',
  'RenameStmt',
]);

const RENAMED: Partial<Record<string, NameKind>> = {
  OBJECT_TABLE: 'table',
  OBJECT_FOREIGN_TABLE: 'table',
  OBJECT_COLUMN: 'column',
  OBJECT_INDEX: 'index',
  OBJECT_TABCONSTRAINT: 'constraint',
  OBJECT_DOMCONSTRAINT: 'constraint',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'view',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_SCHEMA: 'schema',
  OBJECT_FUNCTION: 'function',
  OBJECT_PROCEDURE: 'function',
  OBJECT_ROUTINE: 'function',
  OBJECT_TRIGGER: 'trigger',
  OBJECT_TYPE: 'type',
  OBJECT_DOMAIN: 'type',
  OBJECT_POLICY: 'policy',
  OBJECT_ROLE: 'role',
  OBJECT_DATABASE: 'database',
};

function collect(type: string, ast: unknown, names: CreatedName[]): void {
  const add = (kind: NameKind, name: string | undefined, location?: number) => {
    if (name) names.push({ kind, name, ...(location !== undefined && location >= 0 ? { location } : {}) });
  };
  const relation = (kind: NameKind, rel: RangeVar | undefined) => add(kind, rel?.relname, rel?.location);
  const lastName = (list: Node[] | undefined) => stringList(list).at(-1);

  switch (type) {
    case 'CreateStmt':
      table(ast as CreateStmt, add);
      break;
    case 'CreateForeignTableStmt':
      table((ast as NodeMap['CreateForeignTableStmt']).base as CreateStmt, add);
      break;
    case 'CreateTableAsStmt': {
      const node = ast as NodeMap['CreateTableAsStmt'];
      relation(node.objtype === 'OBJECT_MATVIEW' ? 'view' : 'table', node.into?.rel);
      break;
    }
    case 'SelectStmt':
      relation('table', (ast as NodeMap['SelectStmt']).intoClause?.rel);
      break;
    case 'ViewStmt':
      relation('view', (ast as NodeMap['ViewStmt']).view);
      break;
    case 'IndexStmt':
      add('index', (ast as NodeMap['IndexStmt']).idxname);
      break;
    case 'CreateSeqStmt':
      relation('sequence', (ast as NodeMap['CreateSeqStmt']).sequence);
      break;
    case 'CreateSchemaStmt': {
      const node = ast as NodeMap['CreateSchemaStmt'];
      add('schema', node.schemaname);
      for (const element of node.schemaElts ?? []) {
        const [elementType, elementAst] = Object.entries(element)[0] ?? [];
        if (elementType) collect(elementType, elementAst, names);
      }
      break;
    }
    case 'CreateFunctionStmt':
      add('function', lastName((ast as NodeMap['CreateFunctionStmt']).funcname));
      break;
    case 'CreateTrigStmt':
      add('trigger', (ast as NodeMap['CreateTrigStmt']).trigname);
      break;
    case 'CreateEnumStmt':
      add('type', lastName((ast as NodeMap['CreateEnumStmt']).typeName));
      break;
    case 'CreateRangeStmt':
      add('type', lastName((ast as NodeMap['CreateRangeStmt']).typeName));
      break;
    case 'CreateDomainStmt':
      add('type', lastName((ast as NodeMap['CreateDomainStmt']).domainname));
      break;
    case 'CompositeTypeStmt':
      relation('type', (ast as NodeMap['CompositeTypeStmt']).typevar);
      break;
    case 'CreatePolicyStmt':
      add('policy', (ast as NodeMap['CreatePolicyStmt']).policy_name);
      break;
    case 'CreateRoleStmt':
      add('role', (ast as NodeMap['CreateRoleStmt']).role);
      break;
    case 'CreatedbStmt':
      add('database', (ast as NodeMap['CreatedbStmt']).dbname);
      break;
    case 'AlterTableStmt':
      for (const cmd of alterCommands((ast as NodeMap['AlterTableStmt']).cmds)) {
        if (cmd.subtype === 'AT_AddColumn') column(unwrap<ColumnDef>(cmd.def, 'ColumnDef'), add);
        else if (cmd.subtype === 'AT_AddConstraint') constraint(unwrap<Constraint>(cmd.def, 'Constraint'), add);
      }
      break;
    case 'RenameStmt': {
      const node = ast as RenameStmt;
      const kind = RENAMED[node.renameType ?? ''];
      if (kind) add(kind, node.newname);
      break;
    }
  }
}

type Add = (kind: NameKind, name: string | undefined, location?: number) => void;

function table(node: CreateStmt | undefined, add: Add): void {
  if (!node) return;
  add('table', node.relation?.relname, node.relation?.location);
  for (const element of node.tableElts ?? []) {
    column(unwrap<ColumnDef>(element, 'ColumnDef'), add);
    constraint(unwrap<Constraint>(element, 'Constraint'), add);
  }
}

function column(node: ColumnDef | undefined, add: Add): void {
  if (!node) return;
  add('column', node.colname, node.location);
  for (const c of columnConstraints(node)) constraint(c, add);
}

function constraint(node: Constraint | undefined, add: Add): void {
  // A named constraint's location is that of its CONSTRAINT keyword.
  if (node?.conname) add('constraint', node.conname, node.location);
}
