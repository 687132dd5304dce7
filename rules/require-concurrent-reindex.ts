import type { ReindexStmt } from 'libpg-query';
import type { Fix } from '../src/analysis/finding.js';
import { defineRule, type RuleContext } from '../src/analysis/rule.js';
import { CURRENT } from '../src/analysis/schema.js';
import { defElems, relationName } from '../src/sql/ast.js';
import type { Statement } from '../src/sql/parser.js';
import { checkedFix, insertAfter, runsOutsideTransaction, statementTokens } from './support/fixes.js';

/** ` CONCURRENTLY` after `REINDEX [(options)] INDEX`, where it may run concurrently (PostgreSQL 12+). */
function concurrentlyFix(context: RuleContext, statement: Statement): Fix | undefined {
  if (context.postgresVersion < 12 || !runsOutsideTransaction(context, statement)) return undefined;
  const tokens = statementTokens(context.source, statement);
  let at = 1;
  if (tokens[1]?.text === '(') {
    at = tokens.findIndex((token) => token.text === ')') + 1;
    if (at === 0) return undefined;
  }
  if (tokens[at]?.word !== 'INDEX') return undefined;
  return checkedFix<'ReindexStmt'>(
    context.source,
    statement,
    { description: 'Add CONCURRENTLY (the statement runs outside a transaction).', edits: [insertAfter(tokens[at]!, ' CONCURRENTLY')] },
    (node) => defElems(node.params).some((d) => d.defname === 'concurrently'),
  );
}

const HELP_BEFORE_12 =
  'REINDEX CONCURRENTLY needs PostgreSQL 12: build a replacement with CREATE INDEX CONCURRENTLY, then drop the old index with DROP INDEX CONCURRENTLY and rename the new one.';

export default defineRule({
  meta: {
    id: 'require-concurrent-reindex',
    risk: 'medium',
    tags: ['locking', 'index'],
    lock: 'SHARE',
    summary: 'REINDEX without CONCURRENTLY on a table or index that existed before this migration.',
    rationale: [
      'A plain REINDEX rebuilds each index from scratch while holding its locks for the whole build:',
      '',
      '- `REINDEX TABLE` takes a SHARE lock on the table: every `INSERT`, `UPDATE` and `DELETE` waits until all of ',
      '  its indexes are rebuilt. Each index is also locked ACCESS EXCLUSIVE from its rebuild until commit, and the ',
      '  planner locks every index of a table it plans a query for, so in practice new reads queue as well.',
      '- `REINDEX INDEX` takes ACCESS EXCLUSIVE on the index and SHARE on its table: writes stop, and so do reads ',
      '  that have to be planned against the table while the index is rebuilt.',
      '- `REINDEX SCHEMA` and `REINDEX DATABASE` do this to every table in turn.',
      '',
      'On a large table that is minutes of blocked writes. `REINDEX … CONCURRENTLY` (PostgreSQL 12 and later) builds ',
      'a new copy of each index under SHARE UPDATE EXCLUSIVE and swaps it in, without blocking reads or writes. It ',
      'cannot run inside a transaction block; a failed run leaves an invalid `…_ccnew` index to drop.',
    ].join('\n'),
    help: 'Use REINDEX … CONCURRENTLY (PostgreSQL 12+) in a migration that runs outside a transaction.',
    badExample: 'REINDEX INDEX orders_created_at_idx;',
    safeRewrite: [
      '-- A migration of its own, run outside a transaction; reads and writes continue during the rebuild.',
      '-- pgwarden:no-transaction',
      '-- PostgreSQL 12+. A failed run leaves an INVALID orders_created_at_idx_ccnew index: drop it',
      '-- (DROP INDEX CONCURRENTLY) and run again.',
      'REINDEX INDEX CONCURRENTLY orders_created_at_idx;',
      '',
      '-- PostgreSQL 11 and older, in the same kind of migration:',
      '-- 1. build the replacement without blocking writes',
      '--   CREATE INDEX CONCURRENTLY orders_created_at_idx_new ON orders (created_at);',
      '-- 2. drop the old index without blocking reads or writes',
      '--   DROP INDEX CONCURRENTLY orders_created_at_idx;',
      '-- 3. take the old name (a brief ACCESS EXCLUSIVE lock on the index)',
      "--   SET lock_timeout = '2s';",
      '--   ALTER INDEX orders_created_at_idx_new RENAME TO orders_created_at_idx;',
      '-- An index behind a PRIMARY KEY or UNIQUE constraint cannot be dropped that way: build a unique',
      '-- index concurrently and swap the constraint onto it with ADD CONSTRAINT … USING INDEX.',
    ].join('\n'),
    fix: [
      'On PostgreSQL 12 and later, adds `CONCURRENTLY` to a `REINDEX INDEX` that runs outside a transaction block ',
      '(a `-- pgwarden:no-transaction` migration, `migrations.transaction: none`, or after an explicit `COMMIT`); ',
      'inside one it would fail. `REINDEX TABLE`, `SCHEMA` and `DATABASE` are left alone: with `CONCURRENTLY` they ',
      'skip invalid indexes, exclusion-constraint indexes and system catalogs with only a warning, so the fixed ',
      'statement would quietly rebuild less than the original. An exclusion-constraint index, and before ',
      'PostgreSQL 14 a partitioned index, cannot be reindexed concurrently at all: check the index before applying ',
      'the fix to one of those.',
    ].join(''),
    versionNotes: [
      '- **PostgreSQL 12+** has `REINDEX … CONCURRENTLY` (`INDEX`, `TABLE`, `SCHEMA`, `DATABASE`; not `SYSTEM`). ',
      'Before 12 the only online rebuild is the create-drop-rename sequence of the safe rewrite.\n',
      '- **PostgreSQL 14+** can reindex a partitioned table or index, one partition at a time, concurrently too; ',
      'the statement then cannot run inside a transaction block even without `CONCURRENTLY`. `REINDEX (TABLESPACE …)` ',
      'also arrived in 14.\n',
      '- **PostgreSQL 14.0 to 14.3** could build corrupt indexes with `REINDEX CONCURRENTLY` and `CREATE INDEX ',
      'CONCURRENTLY`; 14.4 fixed it, and indexes rebuilt concurrently on those releases should be rebuilt again.',
    ].join(''),
  },
  create(context) {
    const { schema } = context.state;
    const help = context.postgresVersion < 12 ? HELP_BEFORE_12 : undefined;
    return {
      ReindexStmt(node: ReindexStmt, statement) {
        if (defElems(node.params).some((d) => d.defname === 'concurrently')) return;
        const name = relationName(node.relation);
        switch (node.kind) {
          case 'REINDEX_OBJECT_INDEX': {
            if (node.relation?.relname && schema.index(node.relation.relname)?.createdBy === CURRENT) return;
            const fix = concurrentlyFix(context, statement);
            context.report({
              statement,
              lock: 'ACCESS EXCLUSIVE',
              message: `REINDEX INDEX ${name} locks the index ACCESS EXCLUSIVE and its table SHARE, blocking writes, and reads that must be planned against the table, until it commits.`,
              ...(help ? { help } : {}),
              ...(fix ? { fix } : {}),
            });
            return;
          }
          case 'REINDEX_OBJECT_TABLE':
            if (schema.isCreatedHere(node.relation)) return;
            context.report({
              statement,
              message: `REINDEX TABLE ${name} holds a SHARE lock on the table, blocking writes until every index on it is rebuilt.`,
              ...(help ? { help } : {}),
            });
            return;
          case 'REINDEX_OBJECT_SCHEMA':
          case 'REINDEX_OBJECT_DATABASE': {
            const target = [node.kind === 'REINDEX_OBJECT_SCHEMA' ? 'SCHEMA' : 'DATABASE', node.name].filter(Boolean).join(' ');
            context.report({
              statement,
              message: `REINDEX ${target} rebuilds the indexes of every table in turn, blocking writes to each table while its indexes are rebuilt.`,
              ...(help ? { help } : {}),
            });
            return;
          }
          default:
            return;
        }
      },
    };
  },
});
