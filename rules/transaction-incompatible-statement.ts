import { defineRule } from '../src/analysis/rule.js';
import type { Statement } from '../src/sql/parser.js';
import { transactionIncompatibility } from '../src/analysis/transactions.js';
import { TransactionOpener } from './support/transaction-opener.js';

export default defineRule({
  meta: {
    id: 'transaction-incompatible-statement',
    risk: 'high',
    tags: ['transaction'],
    summary: 'A statement Postgres refuses to run inside a transaction block, in a file that runs inside one.',
    rationale: [
      'Some statements manage their own transactions and fail with `cannot run inside a transaction block` when ',
      'they are part of one: the CONCURRENTLY forms of `CREATE INDEX`, `DROP INDEX`, `REINDEX` and ',
      '`ALTER TABLE … DETACH PARTITION`, `VACUUM`, `CREATE/DROP DATABASE`, `CREATE/DROP TABLESPACE`, ',
      '`ALTER SYSTEM`, `REINDEX SYSTEM/DATABASE`, and before PostgreSQL 12 `ALTER TYPE … ADD VALUE`.',
      '',
      'A migration hits this when its runner wraps every file in a transaction (dbmate, Diesel, ',
      '`migrations.transaction: per-file`), when it sends a file of several statements as one query, which ',
      'PostgreSQL runs as one implicit transaction (golang-migrate, Prisma, `migrations.transaction: implicit`), ',
      'when the file opens one itself with `BEGIN`, or when the statement sits ',
      'in a `DO` block, which always runs as one statement inside a transaction. The migration then fails at run ',
      'time; with a runner that does not roll back DDL cleanly, earlier statements of the file may already be applied.',
    ].join('\n'),
    help: 'Move the statement to a migration of its own that runs outside a transaction (`-- pgwarden:no-transaction`), without BEGIN/COMMIT around it.',
    badExample: ['BEGIN;', 'CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);', 'COMMIT;'].join('\n'),
    safeRewrite: [
      '-- Migration 1 (transactional as usual): the schema changes that belong together.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN customer_id bigint;',
      '',
      '-- Migration 2, a file of its own:',
      '-- pgwarden:no-transaction',
      '-- The runner must not wrap this file; no BEGIN/COMMIT either. A failed build leaves an',
      '-- INVALID index: drop it and run the migration again.',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_idx ON orders (customer_id);',
    ].join('\n'),
    versionNotes: [
      '- **Before PostgreSQL 12** `ALTER TYPE … ADD VALUE` cannot run inside a transaction block. From 12 it can, ',
      'but the new value cannot be used until that transaction commits: a later statement of the same migration ',
      'that inserts or compares it fails with `unsafe use of new value`. Add the value in one migration and use it in ',
      'the next.\n',
      '- **PostgreSQL 12+** has `REINDEX … CONCURRENTLY`, and **14+** `ALTER TABLE … DETACH PARTITION … CONCURRENTLY` ',
      '(with `FINALIZE` to complete a detach that was interrupted); neither runs in a transaction block.\n',
      '- **PostgreSQL 14+** reindexes partitioned tables and indexes (older versions skip them), committing after ',
      'each partition, so `REINDEX TABLE` or `REINDEX INDEX` of a partitioned one cannot run in a transaction block ',
      'even without `CONCURRENTLY`. pgwarden cannot tell a partitioned table from its name and does not report that.',
    ].join(''),
  },
  create(context) {
    const transaction = new TransactionOpener(context.state);
    const line = (statement: Statement) => context.source.positionAt(statement.start).line;

    const why = (statement: Statement): string | undefined => {
      if (statement.parent) return 'a DO block always runs as one statement inside a transaction';
      if (!context.state.inTransaction) return undefined;
      const opener = transaction.opener;
      if (opener === 'runner') {
        return context.state.implicitBlocks
          ? 'the runner sends this file as one query of several statements, which PostgreSQL runs as one implicit transaction (migrations.transaction: implicit)'
          : 'the migration runner wraps this file in a transaction (migrations.transaction: per-file)';
      }
      if (context.state.inImplicitBlock) {
        return 'the runner sends this file as one query of several statements, and PostgreSQL runs the statements outside BEGIN … COMMIT in an implicit transaction (migrations.transaction: implicit)';
      }
      if (opener) return `the file opens a transaction block (BEGIN) on line ${line(opener)}`;
      return 'it runs inside a transaction block';
    };

    return {
      statement(statement) {
        const what = transactionIncompatibility(statement, context.postgresVersion);
        const reason = what ? why(statement) : undefined;
        if (what && reason) {
          context.report({
            statement,
            message: `${what} cannot run inside a transaction block, and ${reason}: Postgres rejects it and the migration fails.`,
            ...(statement.parent
              ? { help: 'Run the statement at the top level of a migration that runs outside a transaction, not inside a DO block or function.' }
              : {}),
          });
        }
        transaction.after(statement);
      },
    };
  },
});
