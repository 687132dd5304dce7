import type { DeleteStmt, UpdateStmt } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import type { NodeType } from '../src/sql/parser.js';
import { relationName, walkNodes } from '../src/sql/ast.js';

/** Statements that run DELETE or UPDATE: directly, or in a data-modifying WITH clause. */
const RUNS_DML: ReadonlySet<NodeType> = new Set<NodeType>(['DeleteStmt', 'UpdateStmt', 'InsertStmt', 'SelectStmt', 'MergeStmt']);

type Modification = { kind: 'DELETE'; node: DeleteStmt } | { kind: 'UPDATE'; node: UpdateStmt };

export default defineRule({
  meta: {
    id: 'require-where-clause',
    risk: 'high',
    tags: ['data-loss', 'locking'],
    lock: 'ROW EXCLUSIVE',
    summary: 'DELETE or UPDATE without a WHERE clause on a table that existed before this migration.',
    rationale: [
      'A `DELETE` or `UPDATE` without `WHERE` touches every row of the table. `DELETE` loses all of them; ',
      '`UPDATE` overwrites the column in every row, and because of MVCC writes a new version of each row, ',
      'doubling the table on disk until VACUUM catches up and generating WAL for the whole table.\n\n',
      'The table lock is only `ROW EXCLUSIVE`, but every row is locked until the migration commits: concurrent ',
      'updates and deletes of any row wait for the whole statement, and a long transaction holds back VACUUM ',
      'for the entire database. `USING` or `FROM` without a `WHERE` does not narrow anything either: it ',
      'still matches every row. `WHERE CURRENT OF cursor` targets one row and is fine.',
    ].join(''),
    help: 'Add a WHERE clause naming the rows to change; for whole-table backfills, update in batches of a few thousand rows.',
    badExample: "UPDATE accounts SET plan = 'free';",
    safeRewrite: [
      '-- Say which rows the change is for:',
      "UPDATE accounts SET plan = 'free' WHERE plan IS NULL;",
      '',
      '-- For a whole-table backfill, run batches outside migrations (a script or job): 5,000 rows per',
      '-- transaction, sleeping ~100 ms between batches so replicas and VACUUM keep up, repeating until',
      '-- an UPDATE touches no row. Each batch locks only its own rows, for milliseconds.',
      "UPDATE accounts SET plan = 'free'",
      '  WHERE id IN (SELECT id FROM accounts WHERE plan IS NULL ORDER BY id LIMIT 5000);',
    ].join('\n'),
  },
  create(context) {
    return {
      statement(statement) {
        if (!RUNS_DML.has(statement.type)) return;
        const found: Modification[] = [];
        const collect = (type: string, node: unknown) => {
          if (type === 'DeleteStmt') found.push({ kind: 'DELETE', node: node as DeleteStmt });
          if (type === 'UpdateStmt') found.push({ kind: 'UPDATE', node: node as UpdateStmt });
        };
        collect(statement.type, statement.ast);
        // Postgres allows data-modifying statements only in a WITH attached to the top-level statement.
        const withClause = (statement.ast as { withClause?: unknown }).withClause;
        if (withClause) walkNodes(withClause, (type, node) => collect(type, node));
        for (const { kind, node } of found) {
          if (node.whereClause || !node.relation) continue;
          if (context.state.schema.isCreatedHere(node.relation)) continue;
          const table = relationName(node.relation);
          const effect = kind === 'DELETE' ? 'deletes every row of' : 'rewrites every row of';
          context.report({
            statement,
            message: `${kind} without WHERE ${effect} ${table} and keeps them all locked until the transaction commits.`,
          });
        }
      },
    };
  },
});
