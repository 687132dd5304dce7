import type { Fix } from '../src/analysis/finding.js';
import { defineRule, type RuleContext } from '../src/analysis/rule.js';
import { relationName } from '../src/sql/ast.js';
import type { Statement } from '../src/sql/parser.js';
import { checkedFix, insertAfter, runsOutsideTransaction, statementTokens } from './support/fixes.js';

/** ` CONCURRENTLY` after `CREATE [UNIQUE] INDEX`, where the statement may run concurrently. */
function concurrentlyFix(context: RuleContext, statement: Statement): Fix | undefined {
  if (!runsOutsideTransaction(context, statement)) return undefined;
  const tokens = statementTokens(context.source, statement);
  const at = tokens[1]?.word === 'UNIQUE' ? 2 : 1;
  if (tokens[at]?.word !== 'INDEX') return undefined;
  return checkedFix<'IndexStmt'>(
    context.source,
    statement,
    { description: 'Add CONCURRENTLY (the statement runs outside a transaction).', edits: [insertAfter(tokens[at]!, ' CONCURRENTLY')] },
    (node) => node.concurrent === true,
  );
}

export default defineRule({
  meta: {
    id: 'require-concurrent-index',
    risk: 'medium',
    tags: ['locking', 'index'],
    lock: 'SHARE',
    summary: 'CREATE INDEX without CONCURRENTLY on a table that existed before this migration.',
    rationale:
      'A plain CREATE INDEX holds a SHARE lock on the table for the whole build: reads continue, but every ' +
      'INSERT, UPDATE and DELETE waits until the index is complete, which takes minutes on a large table. ' +
      'CREATE INDEX CONCURRENTLY builds the index in two passes under SHARE UPDATE EXCLUSIVE, which does not block writes.',
    help: 'Use CREATE INDEX CONCURRENTLY IF NOT EXISTS … in a migration that runs outside a transaction.',
    badExample: 'CREATE INDEX orders_created_at_idx ON orders (created_at);',
    safeRewrite: [
      '-- pgwarden:no-transaction',
      '-- Runs outside a transaction; a failed build leaves an INVALID index: drop it and run again.',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_idx ON orders (created_at);',
    ].join('\n'),
    fix: [
      'Adds `CONCURRENTLY` when the statement runs outside a transaction block: in a `-- pgwarden:no-transaction` ',
      'migration, under `migrations.transaction: none`, or after an explicit `COMMIT`. Inside a transaction ',
      '`CREATE INDEX CONCURRENTLY` fails, so there the finding is left for you to move the statement to a migration ',
      'of its own. Postgres cannot build an index on a partitioned table concurrently: there is no fix for a table ',
      'an earlier migration created with `PARTITION BY`, but pgwarden cannot tell a table apart when it has not read ',
      'its CREATE TABLE, so check the table before applying the fix there.',
    ].join(''),
  },
  create(context) {
    return {
      IndexStmt(node, statement) {
        if (node.concurrent || !node.relation) return;
        // ON ONLY a partitioned parent creates an invalid index instantly; partitions are indexed one by one.
        if (!node.relation.inh) return;
        if (context.state.schema.isCreatedHere(node.relation)) return;
        const unique = node.unique ? 'CREATE UNIQUE INDEX' : 'CREATE INDEX';
        const fix = context.state.schema.isPartitioned({ relation: node.relation }) ? undefined : concurrentlyFix(context, statement);
        context.report({
          statement,
          message: `${unique} on existing table ${relationName(node.relation)} blocks writes while the index builds.`,
          ...(fix ? { fix } : {}),
        });
      },
    };
  },
});
