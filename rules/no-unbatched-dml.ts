import type { Node, RangeVar } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { relationKey } from '../src/analysis/schema.js';
import type { Statement } from '../src/sql/parser.js';
import { relationName, walkNodes } from '../src/sql/ast.js';
import { transactionLocks } from './support/held-locks.js';
import { isTargeted } from './support/long-work.js';

type Kind = 'UPDATE' | 'DELETE' | 'MERGE';

interface Modification {
  kind: Kind;
  relation: RangeVar | undefined;
  where: Node | undefined;
}

const KINDS: Record<string, Kind> = { UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', MergeStmt: 'MERGE' };

export default defineRule({
  meta: {
    id: 'no-unbatched-dml',
    risk: 'low',
    optIn: true,
    tags: ['locking', 'process'],
    lock: 'ROW EXCLUSIVE',
    summary: 'UPDATE, DELETE or MERGE with a WHERE clause on an existing table, run as one statement inside the migration instead of in batches.',
    rationale: [
      'A data change inside a schema migration runs as one statement in one transaction, however many rows match.',
      'Every changed row stays locked until the migration commits, so application writes to any of those rows',
      'wait for the whole statement and for the rest of the migration. Because of MVCC each updated row is written',
      'again: the WAL volume spikes (replicas fall behind), the table and its indexes grow by the rows changed until',
      'VACUUM catches up, and the long transaction holds back VACUUM for the whole database meanwhile. A rollback',
      'undoes all of it at once.',
      '',
      'The usual fix is to keep the migration to schema changes and run the data change as a job in batches of a',
      'few thousand rows, each batch its own short transaction, until a batch changes nothing.',
      '',
      'This rule is opt-in: pgwarden cannot see how many rows a WHERE clause matches, and most small data fixes are',
      'harmless. It skips statements that pin rows by `id` (`WHERE id = 42`, `WHERE id IN (1, 2)`), statements',
      'that are already a batch (`WHERE id IN (SELECT … LIMIT n)`), `WHERE CURRENT OF`, and tables created earlier',
      'in the migration. Statements without `WHERE` are `require-where-clause`’s, and a data change that runs while',
      'the same transaction holds `ACCESS EXCLUSIVE` on the table is reported by',
      '`no-slow-statement-after-access-exclusive`.',
    ].join('\n'),
    help: 'Move the data change out of the migration into a job that updates a few thousand rows per transaction until none match.',
    badExample: "UPDATE invoices SET status = 'draft.created' WHERE status = 'draft_created';",
    safeRewrite: [
      '-- Not in the migration: a job (script, background worker) that runs batches of 5,000 rows,',
      '-- each batch its own transaction, until a batch updates 0 rows:',
      "UPDATE invoices SET status = 'draft.created'",
      "  WHERE id IN (SELECT id FROM invoices WHERE status = 'draft_created' ORDER BY id LIMIT 5000);",
      '-- Deploy code that accepts both values before the job starts, and stops writing the old one.',
    ].join('\n'),
  },
  create(context) {
    const locks = transactionLocks(context.state);
    return {
      statement(statement) {
        const lockedExclusive = new Set(
          locks
            .held()
            .filter((lock) => lock.mode === 'ACCESS EXCLUSIVE' && !lock.index)
            .map((lock) => relationKey(lock.relation)),
        );
        for (const { kind, relation, where } of modifications(statement)) {
          if (!relation || !where || context.state.schema.isCreatedHere(relation)) continue;
          if (lockedExclusive.has(relationKey(relation)) || isTargeted(where)) continue;
          const verb = kind === 'DELETE' ? 'deletes' : kind === 'UPDATE' ? 'rewrites' : 'changes';
          context.report({
            statement,
            message:
              `${kind} ${verb} every matching row of ${relationName(relation)} in one statement of the migration: the rows stay ` +
              'locked until it commits, and WAL and dead rows grow with their number.',
          });
        }
      },
    };
  },
});

function modifications(statement: Statement): Modification[] {
  const found: Modification[] = [];
  const collect = (type: string, node: Record<string, unknown>) => {
    const kind = KINDS[type];
    if (!kind) return;
    const where = (type === 'MergeStmt' ? node['joinCondition'] : node['whereClause']) as Node | undefined;
    found.push({ kind, relation: node['relation'] as RangeVar | undefined, where });
  };
  collect(statement.type, statement.ast as Record<string, unknown>);
  // Postgres allows data-modifying statements only in a WITH attached to the top-level statement.
  const withClause = (statement.ast as { withClause?: unknown }).withClause;
  if (withClause) walkNodes(withClause, (type, node) => collect(type, node));
  return found;
}
