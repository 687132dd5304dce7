import { defineRule } from '../src/analysis/rule.js';
import { relationName } from '../src/sql/ast.js';

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
  },
  create(context) {
    return {
      IndexStmt(node, statement) {
        if (node.concurrent || !node.relation) return;
        // ON ONLY a partitioned parent creates an invalid index instantly; partitions are indexed one by one.
        if (!node.relation.inh) return;
        if (context.state.schema.isCreatedHere(node.relation)) return;
        const unique = node.unique ? 'CREATE UNIQUE INDEX' : 'CREATE INDEX';
        context.report({
          statement,
          message: `${unique} on existing table ${relationName(node.relation)} blocks writes while the index builds.`,
        });
      },
    };
  },
});
