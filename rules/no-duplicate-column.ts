import type { ColumnDef, CreateStmt, Node, RangeVar, ResTarget, SelectStmt } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import type { Statement } from '../src/sql/parser.js';
import { quoteName, relationName, unwrap } from '../src/sql/ast.js';
import { outputColumnNames, renamedColumns } from './support/output-columns.js';

/**
 * Columns a SET list or INSERT column list targets more than once in a way PostgreSQL rejects:
 * twice whole, or whole and through a field or subscript. Two different fields or subscripts of
 * one column (`SET point.x = 1, point.y = 2`) are allowed.
 */
function conflictingAssignments(targets: Node[] | undefined): string[] {
  const byColumn = new Map<string, { count: number; whole: boolean }>();
  for (const item of targets ?? []) {
    const target = unwrap<ResTarget>(item, 'ResTarget');
    if (!target?.name) continue;
    const seen = byColumn.get(target.name) ?? { count: 0, whole: false };
    seen.count++;
    if (!target.indirection?.length) seen.whole = true;
    byColumn.set(target.name, seen);
  }
  return [...byColumn].filter(([, seen]) => seen.count > 1 && seen.whole).map(([name]) => name);
}

/** Names that occur more than once; unknown names (undefined) are never compared. */
function repeatedNames(names: ReadonlyArray<string | undefined>): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of names) {
    if (name === undefined) continue;
    if (seen.has(name)) repeated.add(name);
    seen.add(name);
  }
  return [...repeated];
}

function columnDefinitions(create: CreateStmt | undefined): string[] {
  return (create?.tableElts ?? []).map((element) => unwrap<ColumnDef>(element, 'ColumnDef')?.colname).filter((name): name is string => !!name);
}

const list = (names: string[]) => names.map(quoteName).join(', ');

export default defineRule({
  meta: {
    id: 'no-duplicate-column',
    risk: 'high',
    tags: ['correctness'],
    summary: 'A statement that names the same target column twice, which PostgreSQL rejects at run time.',
    rationale: [
      'PostgreSQL refuses a statement that targets one column twice, and the migration fails when it reaches it:',
      '',
      '- `UPDATE … SET`, `INSERT … ON CONFLICT DO UPDATE SET` and `MERGE … UPDATE SET` assigning a column twice, ',
      'or whole and again through a field or subscript (`SET a = …, a.x = …`): ',
      '`multiple assignments to same column "a"`. Different fields or subscripts of one column are allowed.',
      '- an `INSERT` or `MERGE … INSERT` column list naming a column twice, `CREATE TABLE` or `CREATE FOREIGN TABLE` ',
      'defining it twice, and `CREATE VIEW`, `CREATE MATERIALIZED VIEW`, `CREATE TABLE … AS` or `SELECT … INTO` whose ',
      'query yields two columns of one name: `column "a" specified more than once`.',
      '',
      'Output columns without an alias are named by PostgreSQL: a column reference by its column (`o.id` and ',
      '`c.id` are both `id`), a function call by the function (`count`), and a constant or operator expression ',
      '`?column?`, so `CREATE VIEW v AS SELECT 1, 2` fails too. Names compare the way PostgreSQL compares them: ',
      'unquoted names folded to lower case, and names longer than 63 bytes truncated, so two long names that ',
      'differ only after the 63rd byte are the same column.',
      '',
      'In a migration that runs in one transaction the failure rolls everything back; without one, the statements ',
      'before it stay applied and the migration is left half done.',
    ].join('\n'),
    help: 'Assign or define each column once; give every output column of a view or CREATE TABLE … AS a distinct alias.',
    badExample: ['UPDATE orders', 'SET status = \'shipped\',', '    shipped_at = now(),', '    status = \'delivered\'', 'WHERE id = 42;'].join('\n'),
    safeRewrite: [
      '-- Each column assigned once; a data change like this belongs in a backfill script',
      '-- (5,000 rows per transaction) rather than a schema migration when it touches many rows.',
      "UPDATE orders SET status = 'delivered', shipped_at = now() WHERE id = 42;",
      '',
      '-- Views: alias every output column whose inferred names would collide.',
      'CREATE VIEW order_customers AS',
      '  SELECT o.id AS order_id, c.id AS customer_id FROM orders o JOIN customers c ON c.id = o.customer_id;',
    ].join('\n'),
  },
  create(context) {
    const report = (statement: Statement, what: string, columns: string[], error: (column: string) => string) => {
      if (!columns.length) return;
      const subject = columns.length > 1 ? `columns ${list(columns)}` : `column ${list(columns)}`;
      context.report({
        statement,
        message: `${what} ${subject} more than once: PostgreSQL rejects it (${error(columns[0]!)}) and the migration fails.`,
      });
    };
    const assigned = (column: string) => `multiple assignments to same column "${column}"`;
    const specified = (column: string) => `column "${column}" specified more than once`;
    const reportOutput = (statement: Statement, kind: string, target: RangeVar | undefined, select: SelectStmt | undefined, aliases: Node[] | undefined) => {
      const names = renamedColumns(outputColumnNames(select), aliases);
      report(statement, `${kind} ${relationName(target)} would get`, repeatedNames(names), specified);
    };

    return {
      UpdateStmt(node, statement) {
        report(statement, `UPDATE of ${relationName(node.relation)} assigns`, conflictingAssignments(node.targetList), assigned);
      },
      InsertStmt(node, statement) {
        const table = relationName(node.relation);
        report(statement, `INSERT into ${table} lists`, conflictingAssignments(node.cols), specified);
        report(statement, `ON CONFLICT DO UPDATE of ${table} assigns`, conflictingAssignments(node.onConflictClause?.targetList), assigned);
      },
      MergeStmt(node, statement) {
        const table = relationName(node.relation);
        for (const item of node.mergeWhenClauses ?? []) {
          const clause = unwrap<{ commandType?: string; targetList?: Node[] }>(item, 'MergeWhenClause');
          const columns = conflictingAssignments(clause?.targetList);
          if (clause?.commandType === 'CMD_INSERT') report(statement, `MERGE into ${table} inserts`, columns, specified);
          else report(statement, `MERGE into ${table} assigns`, columns, assigned);
        }
      },
      CreateStmt(node, statement) {
        report(statement, `CREATE TABLE ${relationName(node.relation)} defines`, repeatedNames(columnDefinitions(node)), specified);
      },
      CreateForeignTableStmt(node, statement) {
        report(statement, `CREATE FOREIGN TABLE ${relationName(node.base?.relation)} defines`, repeatedNames(columnDefinitions(node.base)), specified);
      },
      ViewStmt(node, statement) {
        reportOutput(statement, 'view', node.view, unwrap<SelectStmt>(node.query, 'SelectStmt'), node.aliases);
      },
      CreateTableAsStmt(node, statement) {
        const kind = node.objtype === 'OBJECT_MATVIEW' ? 'materialized view' : 'table';
        reportOutput(statement, kind, node.into?.rel, unwrap<SelectStmt>(node.query, 'SelectStmt'), node.into?.colNames);
      },
      SelectStmt(node, statement) {
        if (node.intoClause) reportOutput(statement, 'SELECT INTO table', node.intoClause.rel, node, node.intoClause.colNames);
      },
    };
  },
});
