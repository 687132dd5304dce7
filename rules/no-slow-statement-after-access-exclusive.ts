import { defineRule } from '../src/analysis/rule.js';
import type { Statement } from '../src/sql/parser.js';
import { describeHeld, transactionLocks, type HeldLock } from './support/held-locks.js';
import { longWork, type LongWork } from './support/long-work.js';

interface Extension {
  statement: Statement;
  work: LongWork;
  held: readonly HeldLock[];
  transactionId: number;
  later: number;
}

export default defineRule({
  meta: {
    id: 'no-slow-statement-after-access-exclusive',
    risk: 'medium',
    tags: ['locking', 'transaction'],
    lock: 'ACCESS EXCLUSIVE',
    summary:
      'A statement that scans, rewrites, indexes or changes many rows, run in a transaction that already holds ACCESS EXCLUSIVE on an existing table.',
    rationale: [
      'Locks are released only when the transaction ends. Once a statement has taken `ACCESS EXCLUSIVE` on a table',
      '(most `ALTER TABLE` forms, `DROP`, `TRUNCATE`, `CREATE POLICY`, `LOCK TABLE`), no query can read or write',
      'that table until commit, however quick the statement itself was. Every statement that follows in the same',
      'transaction extends that outage by its own duration.',
      '',
      'That costs milliseconds when what follows is a catalog change. It costs minutes when what follows grows',
      'with the data: an `UPDATE` or `DELETE` backfill, an `INSERT … SELECT` copy, a non-concurrent `CREATE INDEX`,',
      '`VALIDATE CONSTRAINT`, `SET NOT NULL`, or a rewrite of another table. A backfill that alone would only lock',
      'the rows it touches now keeps the whole locked table unreadable, and a `VALIDATE CONSTRAINT` meant to run',
      'under the weak `SHARE UPDATE EXCLUSIVE` lock runs behind the strong one instead.',
      '',
      'pgwarden reports the first such statement of each transaction and counts the others. Statements that take',
      '`ACCESS EXCLUSIVE` on the same table themselves are left to the rules about them (the held lock adds nothing',
      'there), and tables created earlier in the migration are not locked against anyone.',
    ].join('\n'),
    help: 'Commit after the ACCESS EXCLUSIVE statement and run the slow statement in its own transaction (a later migration), or do the slow work first.',
    badExample: [
      '-- one migration, one transaction',
      'ALTER TABLE orders ADD COLUMN region text;',
      "UPDATE orders SET region = 'eu' WHERE country IN ('de', 'fr');",
    ].join('\n'),
    safeRewrite: [
      '-- Migration 1 (its own transaction): the ACCESS EXCLUSIVE lock lasts milliseconds.',
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN region text;',
      '',
      '-- Then, outside any migration transaction (a script or job), backfill in batches of',
      '-- 5,000 rows, each batch its own transaction, repeating until it updates 0 rows:',
      "UPDATE orders SET region = 'eu'",
      "  WHERE id IN (SELECT id FROM orders WHERE region IS NULL AND country IN ('de', 'fr') ORDER BY id LIMIT 5000);",
    ].join('\n'),
    versionNotes: [
      'Which statements are slow depends on the version: before PostgreSQL 11, `ADD COLUMN … DEFAULT` rewrites the ',
      'table; from PostgreSQL 12, `SET NOT NULL` skips its scan when a validated `CHECK (col IS NOT NULL)` proves it.',
    ].join(''),
  },
  create(context) {
    const locks = transactionLocks(context.state);
    let pending: Extension | undefined;

    const flush = () => {
      if (!pending) return;
      const { statement, work, held, later } = pending;
      pending = undefined;
      const locked = describeHeld(held, (s) => context.source.positionAt(s.start).line);
      const others = later ? ` (and ${later} later statement${later > 1 ? 's' : ''} of the transaction)` : '';
      context.report({
        statement,
        // How long the outage lasts depends on the size of what the slow statement works through.
        relation: work.relation.schemaname
          ? { schemaname: work.relation.schemaname, relname: work.relation.relname ?? '' }
          : { relname: work.relation.relname ?? '' },
        message:
          `This statement ${work.action} while the transaction holds ${locked.text}, so ` +
          `${locked.plural ? 'they stay' : 'it stays'} blocked for reads and writes until it finishes${others}.`,
      });
    };

    return {
      statement(statement) {
        if (pending && pending.transactionId !== context.state.transactionId) flush();
        const extended = locks.exclusiveExtendedBy(statement);
        const work = extended.length ? longWork(statement, context)[0] : undefined;
        if (work && pending) pending.later++;
        else if (work) pending = { statement, work, held: extended, transactionId: context.state.transactionId, later: 0 };
      },
      end: flush,
    };
  },
});
