import type {
  AlterTableStmt,
  ColumnDef,
  CreateExtensionStmt,
  CreateSchemaStmt,
  CreateSeqStmt,
  CreateStmt,
  CreateTableAsStmt,
  DropStmt,
  IndexStmt,
  Node,
  RangeVar,
} from 'libpg-query';
import type { Fix, TextEdit } from '../src/analysis/finding.js';
import { defineRule, type RuleContext } from '../src/analysis/rule.js';
import { transactionControl } from '../src/analysis/transactions.js';
import { alterCommands, relationName, stringList, stringValue, unwrap } from '../src/sql/ast.js';
import type { NodeMap, NodeType, Statement } from '../src/sql/parser.js';
import { checkedFix, findWord, insertAfter, insertAt, insertBefore, nodeIndex, statementTokens, topLevelItems, wordsAt } from './support/fixes.js';

/** A statement that fails when run a second time, and the guard that makes it a no-op instead. */
interface Gap {
  /** What the statement does, naming the object: `CREATE TABLE orders`. */
  subject: string;
  /** Why running it again fails: `orders already exists`. */
  problem: string;
  fix: Fix;
}

interface Pending {
  statement: Statement;
  transaction: number;
  /** How many names the file had created before the statement (a prefix of `created`). */
  createdBefore: number;
}

/** The keywords between DROP and the first name, by object type; DROP of other objects is not checked. */
const DROP_KEYWORDS: Partial<Record<string, readonly string[]>> = {
  OBJECT_TABLE: ['TABLE'],
  OBJECT_INDEX: ['INDEX'],
  OBJECT_SEQUENCE: ['SEQUENCE'],
  OBJECT_VIEW: ['VIEW'],
  OBJECT_MATVIEW: ['MATERIALIZED', 'VIEW'],
  OBJECT_FOREIGN_TABLE: ['FOREIGN', 'TABLE'],
  OBJECT_TYPE: ['TYPE'],
  OBJECT_DOMAIN: ['DOMAIN'],
  OBJECT_SCHEMA: ['SCHEMA'],
  OBJECT_EXTENSION: ['EXTENSION'],
  OBJECT_FUNCTION: ['FUNCTION'],
  OBJECT_PROCEDURE: ['PROCEDURE'],
  OBJECT_TRIGGER: ['TRIGGER'],
  OBJECT_POLICY: ['POLICY'],
};

function guardFix<T extends NodeType>(
  context: RuleContext,
  statement: Statement,
  edits: TextEdit[],
  guard: string,
  holds: (node: NodeMap[T]) => boolean,
): Fix | undefined {
  return checkedFix<T>(context.source, statement, { description: `Add ${guard}.`, edits }, holds);
}

function createRelationGap(context: RuleContext, statement: Statement, relation: RangeVar | undefined, kind: string): Gap | undefined {
  // A temporary table ends with the session; a rerun runs in a new one.
  if (!relation || relation.relpersistence === 't' || relation.location === undefined) return undefined;
  const name = relationName(relation);
  const edit = insertAt(nodeIndex(context.source, statement, relation.location), 'IF NOT EXISTS ');
  const fix = guardFix<'CreateStmt' | 'CreateTableAsStmt' | 'CreateSeqStmt'>(context, statement, [edit], 'IF NOT EXISTS', (node) => {
    return node.if_not_exists === true;
  });
  return fix && { subject: `CREATE ${kind} ${name}`, problem: `${name} already exists`, fix };
}

function indexGap(context: RuleContext, statement: Statement, node: IndexStmt): Gap | undefined {
  // Without a name Postgres picks a new one each time: a rerun adds a second index rather than failing.
  if (node.if_not_exists || !node.idxname) return undefined;
  const tokens = statementTokens(context.source, statement);
  let at = tokens[1]?.word === 'UNIQUE' ? 2 : 1;
  if (tokens[at]?.word !== 'INDEX') return undefined;
  at += tokens[at + 1]?.word === 'CONCURRENTLY' ? 2 : 1;
  const name = tokens[at];
  if (!name) return undefined;
  const fix = guardFix<'IndexStmt'>(context, statement, [insertBefore(name, 'IF NOT EXISTS ')], 'IF NOT EXISTS', (index) => {
    return index.if_not_exists === true && index.idxname === node.idxname;
  });
  return fix && { subject: `CREATE INDEX ${node.idxname}`, problem: `${node.idxname} already exists`, fix };
}

/** `CREATE SCHEMA` and `CREATE EXTENSION`: ` IF NOT EXISTS` after the second keyword. */
function createObjectGap(context: RuleContext, statement: Statement, kind: 'SCHEMA' | 'EXTENSION', name: string): Gap | undefined {
  const tokens = statementTokens(context.source, statement);
  if (!wordsAt(tokens, 0, ['CREATE', kind])) return undefined;
  const fix = guardFix<'CreateSchemaStmt' | 'CreateExtensionStmt'>(context, statement, [insertAfter(tokens[1]!, ' IF NOT EXISTS')], 'IF NOT EXISTS', (node) => {
    return node.if_not_exists === true;
  });
  return fix && { subject: `CREATE ${kind} ${name}`, problem: `${name} already exists`, fix };
}

/** A dropped object's name as written (`s.t`, `f`, `trigger on table`), and its own unqualified name. */
function droppedName(object: Node, removeType: string): { shown: string; name: string } {
  const typeName = unwrap<{ names?: Node[] }>(object, 'TypeName');
  const routine = unwrap<{ objname?: Node[] }>(object, 'ObjectWithArgs');
  const parts = typeName
    ? stringList(typeName.names)
    : routine
      ? stringList(routine.objname)
      : stringList(unwrap<{ items?: Node[] }>(object, 'List')?.items);
  if (!parts.length) parts.push(stringValue(object) ?? '?');
  const name = parts.at(-1)!;
  // DROP TRIGGER t ON tbl and DROP POLICY p ON tbl list the table first.
  const onTable = removeType === 'OBJECT_TRIGGER' || removeType === 'OBJECT_POLICY';
  return { shown: onTable ? `${name} on ${parts.slice(0, -1).join('.')}` : parts.join('.'), name };
}

/** The name of the object a statement creates, or renames something to. */
function createdName(statement: Statement): string | undefined {
  const node = statement.ast as Record<string, unknown>;
  const relation = (key: string) => (node[key] as RangeVar | undefined)?.relname;
  const last = (key: string) => stringList(node[key] as Node[] | undefined).at(-1);
  switch (statement.type) {
    case 'CreateStmt':
      return relation('relation');
    case 'CreateTableAsStmt':
      return (node['into'] as { rel?: RangeVar } | undefined)?.rel?.relname;
    case 'CreateSeqStmt':
      return relation('sequence');
    case 'ViewStmt':
      return relation('view');
    case 'CompositeTypeStmt':
      return relation('typevar');
    case 'IndexStmt':
      return (statement.ast as IndexStmt).idxname;
    case 'CreateEnumStmt':
    case 'CreateRangeStmt':
      return last('typeName');
    case 'CreateDomainStmt':
      return last('domainname');
    case 'CreateFunctionStmt':
      return last('funcname');
    case 'CreateTrigStmt':
      return node['trigname'] as string | undefined;
    case 'CreatePolicyStmt':
      return node['policy_name'] as string | undefined;
    case 'CreateSchemaStmt':
      return node['schemaname'] as string | undefined;
    case 'CreateExtensionStmt':
      return node['extname'] as string | undefined;
    case 'RenameStmt':
      return node['newname'] as string | undefined;
    default:
      return undefined;
  }
}

/**
 * DROP without IF EXISTS. Not when this migration created every dropped object earlier (or
 * renamed something to its name, as the enum swaps of Prisma do): a rerun creates it again first.
 */
function dropGap(context: RuleContext, statement: Statement, node: DropStmt, created: ReadonlySet<string>): Gap | undefined {
  const keywords = node.removeType ? DROP_KEYWORDS[node.removeType] : undefined;
  if (node.missing_ok || !keywords) return undefined;
  const targets = (node.objects ?? []).map((object) => droppedName(object, node.removeType!));
  if (!targets.length || targets.every((target) => created.has(target.name))) return undefined;
  const tokens = statementTokens(context.source, statement);
  const words = ['DROP', ...keywords, ...(node.concurrent ? ['CONCURRENTLY'] : [])];
  if (!wordsAt(tokens, 0, words)) return undefined;
  const fix = guardFix<'DropStmt'>(context, statement, [insertAfter(tokens[words.length - 1]!, ' IF EXISTS')], 'IF EXISTS', (dropped) => {
    return dropped.missing_ok === true;
  });
  const subject = `${words.filter((w) => w !== 'CONCURRENTLY').join(' ')} ${targets.map((t) => t.shown).join(', ')}`;
  return fix && { subject, problem: targets.length > 1 ? 'they no longer exist' : `${targets[0]!.shown} no longer exists`, fix };
}

/** ADD COLUMN, DROP COLUMN and DROP CONSTRAINT without their guards, one edit per command. */
function alterTableGap(context: RuleContext, statement: Statement, node: AlterTableStmt): Gap | undefined {
  const commands = alterCommands(node.cmds);
  const unguarded = commands.filter(
    (cmd) => !cmd.missing_ok && (cmd.subtype === 'AT_AddColumn' || cmd.subtype === 'AT_DropColumn' || cmd.subtype === 'AT_DropConstraint'),
  );
  if (!unguarded.length) return undefined;
  const items = topLevelItems(statementTokens(context.source, statement));
  if (items.length !== commands.length) return undefined;
  const edits: TextEdit[] = [];
  const parts: string[] = [];
  const problems: string[] = [];
  for (const [i, cmd] of commands.entries()) {
    if (!unguarded.includes(cmd)) continue;
    const item = items[i]!;
    if (cmd.subtype === 'AT_AddColumn') {
      const column = unwrap<ColumnDef>(cmd.def, 'ColumnDef');
      if (column?.location === undefined) return undefined;
      edits.push(insertAt(nodeIndex(context.source, statement, column.location), 'IF NOT EXISTS '));
      parts.push(`ADD COLUMN ${column.colname}`);
      problems.push(`column ${column.colname} already exists`);
      continue;
    }
    const drop = findWord(item, 'DROP');
    if (drop < 0) return undefined;
    const keyword = cmd.subtype === 'AT_DropConstraint' ? 'CONSTRAINT' : 'COLUMN';
    const after = item[drop + 1]?.word === keyword ? item[drop + 1]! : item[drop]!;
    if (cmd.subtype === 'AT_DropConstraint' && after === item[drop]) return undefined;
    edits.push(insertAfter(after, ' IF EXISTS'));
    parts.push(`DROP ${keyword} ${cmd.name}`);
    problems.push(`${keyword.toLowerCase()} ${cmd.name} no longer exists`);
  }
  const guards = [...new Set(unguarded.map((cmd) => (cmd.subtype === 'AT_AddColumn' ? 'IF NOT EXISTS' : 'IF EXISTS')))].join(' and ');
  const fix = guardFix<'AlterTableStmt'>(context, statement, edits, guards, (altered) => {
    const after = alterCommands(altered.cmds);
    return after.length === commands.length && after.every((cmd, i) => !unguarded.includes(commands[i]!) || cmd.missing_ok === true);
  });
  return fix && { subject: `ALTER TABLE ${relationName(node.relation)} ${parts.join(', ')}`, problem: problems.join(' and '), fix };
}

function robustnessGap(context: RuleContext, statement: Statement, created: ReadonlySet<string>): Gap | undefined {
  switch (statement.type) {
    case 'CreateStmt': {
      const node = statement.ast as CreateStmt;
      return node.if_not_exists ? undefined : createRelationGap(context, statement, node.relation, 'TABLE');
    }
    case 'CreateTableAsStmt': {
      const node = statement.ast as CreateTableAsStmt;
      if (node.if_not_exists) return undefined;
      return createRelationGap(context, statement, node.into?.rel, node.objtype === 'OBJECT_MATVIEW' ? 'MATERIALIZED VIEW' : 'TABLE');
    }
    case 'CreateSeqStmt': {
      const node = statement.ast as CreateSeqStmt;
      return node.if_not_exists ? undefined : createRelationGap(context, statement, node.sequence, 'SEQUENCE');
    }
    case 'IndexStmt':
      return indexGap(context, statement, statement.ast as IndexStmt);
    case 'CreateSchemaStmt': {
      const node = statement.ast as CreateSchemaStmt;
      // IF NOT EXISTS cannot be combined with schema elements.
      if (node.if_not_exists || node.schemaElts?.length || !node.schemaname) return undefined;
      return createObjectGap(context, statement, 'SCHEMA', node.schemaname);
    }
    case 'CreateExtensionStmt': {
      const node = statement.ast as CreateExtensionStmt;
      return node.if_not_exists || !node.extname ? undefined : createObjectGap(context, statement, 'EXTENSION', node.extname);
    }
    case 'DropStmt':
      return dropGap(context, statement, statement.ast as DropStmt, created);
    case 'AlterTableStmt': {
      const node = statement.ast as AlterTableStmt;
      return node.objtype === 'OBJECT_TABLE' ? alterTableGap(context, statement, node) : undefined;
    }
    default:
      return undefined;
  }
}

export default defineRule({
  meta: {
    id: 'prefer-robust-statements',
    risk: 'low',
    tags: ['hygiene', 'transaction'],
    summary: 'CREATE, DROP, ADD COLUMN or DROP COLUMN without IF [NOT] EXISTS, committed before later statements of a migration run.',
    rationale: [
      'A migration that runs outside a transaction (a `-- pgwarden:no-transaction` file, `migrations.transaction: none`, ',
      'or statements after an explicit `COMMIT`) commits each statement as it goes. When a later statement fails (a ',
      'lock timeout, a concurrent index build that hits a duplicate), the statements before it stay applied, and ',
      'running the migration again stops at the first of them: `CREATE TABLE` finds the table already there, ',
      '`DROP INDEX` finds the index gone. Someone then has to finish the migration by hand, in production.',
      '',
      'With `IF NOT EXISTS` / `IF EXISTS` those statements do nothing the second time, and the rerun picks up where the ',
      'first run stopped. pgwarden reports only statements a rerun could really trip over: one whose transaction ',
      'commits before a later statement of the file runs. Inside one transaction a failure rolls everything back and ',
      'the rerun starts clean, so a runner-wrapped migration, and the last statement of a file, are never reported. ',
      'Temporary tables end with the session and unnamed indexes get a new name, so neither fails a rerun. Statements ',
      'without a guard in SQL (`ADD CONSTRAINT`, `CREATE TYPE`) are not reported: split them into migrations of their own.',
      '',
      '`CREATE INDEX CONCURRENTLY IF NOT EXISTS` also skips an index left INVALID by a failed build: after a failure, ',
      'check `pg_index.indisvalid` and drop the invalid index before running the migration again.',
    ].join('\n'),
    help: 'Add IF NOT EXISTS / IF EXISTS so that the migration can be run again after a later statement fails, or run the statements in one transaction.',
    badExample: [
      '-- pgwarden:no-transaction',
      'CREATE EXTENSION pg_trgm;',
      'CREATE INDEX CONCURRENTLY orders_note_trgm_idx ON orders USING gin (note gin_trgm_ops);',
    ].join('\n'),
    safeRewrite: [
      '-- pgwarden:no-transaction',
      '-- Each statement commits on its own; if the index build fails, running the migration again',
      '-- skips the extension that is already there instead of failing on it.',
      'CREATE EXTENSION IF NOT EXISTS pg_trgm;',
      'CREATE INDEX CONCURRENTLY orders_note_trgm_idx ON orders USING gin (note gin_trgm_ops);',
    ].join('\n'),
    fix: 'Inserts the guard: `IF NOT EXISTS` after `CREATE TABLE`, `INDEX [CONCURRENTLY]`, `SEQUENCE`, `SCHEMA`, `EXTENSION`, `MATERIALIZED VIEW` and before an `ADD COLUMN`’s name; `IF EXISTS` after `DROP <object>` and before a `DROP COLUMN` or `DROP CONSTRAINT`’s name.',
  },
  create(context) {
    const pending: Pending[] = [];
    const created: string[] = [];

    /** Reports the pending statements of transactions that committed before this statement runs. */
    const committedBefore = (transaction: number) => {
      for (const committed of pending.filter((p) => p.transaction !== transaction)) {
        // Worked out only now: in the usual runner-wrapped file no statement ever gets here, and
        // a gap's fix costs a scan and a parse of the statement.
        const gap = robustnessGap(context, committed.statement, new Set(created.slice(0, committed.createdBefore)));
        if (!gap) continue;
        const { subject, problem, fix } = gap;
        context.report({
          statement: committed.statement,
          message: `${subject} commits before the statements after it run: if one of them fails, running the migration again fails here because ${problem}.`,
          fix,
        });
      }
      removePending((p) => p.transaction !== transaction);
    };
    const removePending = (matches: (p: Pending) => boolean) => {
      for (let i = pending.length - 1; i >= 0; i--) if (matches(pending[i]!)) pending.splice(i, 1);
    };

    return {
      statement(statement) {
        // DO bodies run atomically with their DO statement.
        if (!statement.parent) {
          const transaction = context.state.transactionId;
          const control = transactionControl(statement);
          // What a rolled-back transaction did is undone: nothing of it survives to trip a rerun.
          if (control === 'rollback') removePending((p) => p.transaction === transaction);
          // A SET cannot fail in a way that leaves the earlier statements half done.
          if (control === undefined && statement.type !== 'VariableSetStmt') committedBefore(transaction);
          if (control === undefined) pending.push({ statement, transaction, createdBefore: created.length });
        }
        const name = createdName(statement);
        if (name) created.push(name);
      },
    };
  },
});
