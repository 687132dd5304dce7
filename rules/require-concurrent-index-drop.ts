import type { DropStmt } from 'libpg-query';
import type { Fix } from '../src/analysis/finding.js';
import { defineRule, type RuleContext } from '../src/analysis/rule.js';
import { CURRENT } from '../src/analysis/schema.js';
import { dropTargets } from '../src/sql/ast.js';
import type { Statement } from '../src/sql/parser.js';
import { checkedFix, insertAfter, runsOutsideTransaction, statementTokens } from './support/fixes.js';

/** ` CONCURRENTLY` after `DROP INDEX`, for the one-index, no-CASCADE drops that may run concurrently. */
function concurrentlyFix(context: RuleContext, node: DropStmt, statement: Statement): Fix | undefined {
  if (!runsOutsideTransaction(context, statement)) return undefined;
  if ((node.objects ?? []).length !== 1 || node.behavior === 'DROP_CASCADE') return undefined;
  const tokens = statementTokens(context.source, statement);
  if (tokens[1]?.word !== 'INDEX') return undefined;
  const index = dropTargets(node.objects)[0]?.relname;
  if (index && context.state.schema.isPartitioned({ index })) return undefined;
  return checkedFix<'DropStmt'>(
    context.source,
    statement,
    { description: 'Add CONCURRENTLY (the statement runs outside a transaction).', edits: [insertAfter(tokens[1], ' CONCURRENTLY')] },
    (dropped) => dropped.concurrent === true,
  );
}

export default defineRule({
  meta: {
    id: 'require-concurrent-index-drop',
    risk: 'medium',
    tags: ['locking', 'index'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'DROP INDEX without CONCURRENTLY on an index that existed before this migration.',
    rationale: [
      'A plain `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index **and on its table**. The drop itself is quick, ',
      'but the lock has to be granted first: if a long query or an idle transaction still holds any lock on the table, ',
      'the DROP waits, and every later `SELECT`, `INSERT`, `UPDATE` and `DELETE` on the table queues behind it. ',
      'The table is unavailable until the slowest transaction in front finishes.',
      '',
      '`DROP INDEX CONCURRENTLY` takes only SHARE UPDATE EXCLUSIVE, waits for running transactions to stop using the ',
      'index, and never blocks reads or writes. It must run outside a transaction block, drops one index per ',
      'statement, cannot use CASCADE, and cannot drop an index that backs a constraint (use ',
      '`ALTER TABLE … DROP CONSTRAINT` for those) or a partitioned index.',
    ].join('\n'),
    help: 'Use DROP INDEX CONCURRENTLY IF EXISTS …, one index per statement, in a migration that runs outside a transaction.',
    badExample: 'DROP INDEX orders_status_idx;',
    safeRewrite: [
      '-- A migration of its own, run outside a transaction; one index per statement.',
      '-- pgwarden:no-transaction',
      '-- Reads and writes continue; the drop waits for the transactions still using the index. If it',
      '-- fails or times out, the index may be left INVALID: run the migration again (IF EXISTS makes',
      '-- that safe).',
      "SET lock_timeout = '5s';",
      'DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;',
      '',
      '-- An index that backs a PRIMARY KEY or UNIQUE constraint goes with the constraint instead,',
      '-- in an ordinary migration (a brief ACCESS EXCLUSIVE lock once granted):',
      "--   SET lock_timeout = '2s';",
      '--   ALTER TABLE orders DROP CONSTRAINT orders_reference_key;',
    ].join('\n'),
    fix: [
      'Adds `CONCURRENTLY` to a `DROP INDEX` of one index without `CASCADE` that runs outside a transaction block ',
      '(a `-- pgwarden:no-transaction` migration, `migrations.transaction: none`, or after an explicit `COMMIT`). ',
      'Inside a transaction, with several indexes or with `CASCADE`, `DROP INDEX CONCURRENTLY` would fail, so those ',
      'findings are left for you. A partitioned index cannot be dropped concurrently either: no fix for an index on a ',
      'table an earlier migration created with `PARTITION BY`; check indexes whose creation pgwarden has not read.',
    ].join(''),
  },
  create(context) {
    return {
      DropStmt(node: DropStmt, statement) {
        if (node.removeType !== 'OBJECT_INDEX' || node.concurrent) return;
        const names = dropTargets(node.objects)
          .filter((target) => context.state.schema.index(target.relname)?.createdBy !== CURRENT)
          .map((target) => (target.schemaname ? `${target.schemaname}.${target.relname}` : target.relname));
        if (!names.length) return;
        const subject = names.length > 1 ? `indexes ${names.join(', ')} locks their tables` : `index ${names[0]} locks its table`;
        const fix = concurrentlyFix(context, node, statement);
        context.report({
          statement,
          message: `DROP INDEX of existing ${subject} ACCESS EXCLUSIVE: reads and writes queue behind it from the moment it asks for the lock until it commits.`,
          ...(fix ? { fix } : {}),
        });
      },
    };
  },
});
