import { defineRule } from '../src/analysis/rule.js';
import { TransactionOpener } from './support/transaction-opener.js';

export default defineRule({
  meta: {
    id: 'no-uncommitted-transaction',
    risk: 'high',
    tags: ['transaction'],
    summary: 'A BEGIN whose transaction the file never ends with COMMIT or ROLLBACK.',
    rationale: [
      'A transaction the file opens and never ends is still open when the last statement has run. What happens ',
      'next depends on the runner, and none of it is what the author meant:',
      '',
      '- `psql -f` reaches the end of the file and disconnects; PostgreSQL rolls the transaction back, and psql ',
      'still exits 0. The migration looks applied and nothing of it is.',
      '- A runner that records the migration in the same session writes its bookkeeping row inside the open ',
      'transaction: both are lost when the session closes, or committed together by accident, or the next ',
      'migration runs inside the same transaction.',
      '- Until the session ends, every lock the file took stays held: the `ACCESS EXCLUSIVE` lock of an ',
      '`ALTER TABLE` keeps blocking every query on that table.',
      '',
      'A file the runner wraps in a transaction (`migrations.transaction: per-file`) is not reported: the runner ',
      'sends its own COMMIT after the last statement, which ends whatever is open; `transaction-nesting` reports ',
      'the BEGIN and COMMIT such a file should not contain.',
    ].join('\n'),
    help: 'End the block with COMMIT (or drop BEGIN and let the runner wrap the file in its transaction).',
    badExample: ['BEGIN;', 'ALTER TABLE orders ADD COLUMN note text;'].join('\n'),
    safeRewrite: [
      '-- Either leave transaction control to the runner (no BEGIN/COMMIT in the file),',
      '-- or end every block the file opens:',
      'BEGIN;',
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN note text;',
      'COMMIT;',
    ].join('\n'),
  },
  create(context) {
    const transaction = new TransactionOpener(context.state);
    return {
      statement(statement) {
        transaction.after(statement);
      },
      end() {
        // A runner that wraps the file sends its COMMIT after the last statement, whatever is open.
        if (context.state.runnerTransaction) return;
        const opener = transaction.opener;
        if (!opener || opener === 'runner') return;
        context.report({
          statement: opener,
          message:
            'This BEGIN opens a transaction the file never ends with COMMIT or ROLLBACK: its changes are not committed, PostgreSQL rolls them back when the session closes (psql -f still exits 0), and its locks are held until then.',
        });
      },
    };
  },
});
