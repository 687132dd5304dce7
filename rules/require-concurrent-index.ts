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
    rationale: [
      'A plain `CREATE INDEX` holds a `SHARE` lock on the table for the whole build, and until the migration ',
      'commits: reads continue, but every `INSERT`, `UPDATE` and `DELETE` (and other DDL) waits until the index is ',
      'complete, which takes minutes on a large table. `CREATE UNIQUE INDEX` does the same.\n\n',
      '`CREATE INDEX CONCURRENTLY` builds the index under `SHARE UPDATE EXCLUSIVE`, which does not block reads or ',
      'writes. It scans the table twice and waits for the transactions already running on it, so it takes longer; ',
      'it cannot run inside a transaction block; and if it fails (a deadlock, a duplicate key for a unique index, a ',
      'cancelled statement) it leaves an `INVALID` index behind that is still maintained on every write and has to be ',
      'dropped before trying again.',
    ].join(''),
    help: 'Use CREATE INDEX CONCURRENTLY IF NOT EXISTS … in a migration that runs outside a transaction.',
    badExample: 'CREATE INDEX orders_created_at_idx ON orders (created_at);',
    safeRewrite: [
      '-- A migration of its own, run outside a transaction; reads and writes continue during the build.',
      '-- pgwarden:no-transaction',
      '-- If it fails, an INVALID index is left behind (and IF NOT EXISTS would then skip the build):',
      '-- DROP INDEX CONCURRENTLY IF EXISTS orders_created_at_idx; and run the migration again.',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_idx ON orders (created_at);',
      '',
      '-- A partitioned table refuses CONCURRENTLY. In the same kind of migration, index the parent alone',
      '-- (instant, the index starts INVALID), build each partition\'s index concurrently and attach it;',
      '-- the parent index becomes valid once every partition has one:',
      '--   CREATE INDEX IF NOT EXISTS events_created_at_idx ON ONLY events (created_at);',
      '--   CREATE INDEX CONCURRENTLY IF NOT EXISTS events_2024_created_at_idx ON events_2024 (created_at);',
      '--   ALTER INDEX events_created_at_idx ATTACH PARTITION events_2024_created_at_idx;',
    ].join('\n'),
    fix: [
      'Adds `CONCURRENTLY` when the statement runs outside a transaction block: in a `-- pgwarden:no-transaction` ',
      'migration, under `migrations.transaction: none`, or after an explicit `COMMIT`. Inside a transaction ',
      '`CREATE INDEX CONCURRENTLY` fails, so there the finding is left for you to move the statement to a migration ',
      'of its own. Postgres cannot build an index on a partitioned table concurrently: there is no fix for a table ',
      'an earlier migration created with `PARTITION BY`, but pgwarden cannot tell a table apart when it has not read ',
      'its CREATE TABLE, so check the table before applying the fix there.',
    ].join(''),
    versionNotes: [
      '- **PostgreSQL 11+** supports indexes on partitioned tables, but no version up to 18 builds one ',
      'concurrently: `CREATE INDEX CONCURRENTLY` on a partitioned table fails. Use `ON ONLY` plus one concurrent ',
      'build per partition and `ALTER INDEX … ATTACH PARTITION`, as in the safe rewrite. pgwarden does not report ',
      '`CREATE INDEX … ON ONLY`, which indexes no rows.\n',
      '- **PostgreSQL 14.0 to 14.3** could build corrupt indexes with `CREATE INDEX CONCURRENTLY` and `REINDEX ',
      'CONCURRENTLY` (rows changed during the build were missed); 14.4 fixed it, and indexes built concurrently on ',
      'those releases should be rebuilt.',
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
