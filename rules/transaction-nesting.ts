import { defineRule } from '../src/analysis/rule.js';
import { transactionControl } from '../src/analysis/transactions.js';
import type { Statement } from '../src/sql/parser.js';
import { TransactionOpener } from './support/transaction-opener.js';

const NESTING_HELP = 'PostgreSQL has no nested transactions: remove the inner BEGIN and its COMMIT so every statement stays in the one transaction.';

export default defineRule({
  meta: {
    id: 'transaction-nesting',
    risk: 'medium',
    tags: ['transaction'],
    summary: 'BEGIN inside a transaction block, or COMMIT/ROLLBACK that ends the runner\'s transaction or has no transaction to end.',
    rationale: [
      'PostgreSQL has no nested transactions. A `BEGIN` inside a transaction block only draws a warning (`there is ',
      'already a transaction in progress`), and the next `COMMIT` ends the **outer** transaction: whatever follows ',
      'runs outside any transaction, each statement committed on its own, and the outer `COMMIT` finally draws ',
      '`there is no transaction in progress`. A failure after the early `COMMIT` leaves the migration half applied, ',
      'and running it again fails on the half that is already there.',
      '',
      'The same happens when the runner wraps every file in a transaction (dbmate, goose, Diesel; ',
      '`migrations.transaction: per-file`) and the file says `COMMIT`: it commits the runner\'s transaction early, ',
      'the rest of the file is no longer atomic, and the runner records the migration separately from its changes. ',
      'A `ROLLBACK` in such a file undoes what ran so far, and the runner may still record the migration as applied.',
      '',
      'A nested `BEGIN` followed by nothing that ends the outer transaction, and a stray `COMMIT` with nothing run ',
      'since the last one, change nothing by themselves; they are reported as low risk because they show the file ',
      'expects a transaction structure PostgreSQL does not have.',
    ].join('\n'),
    help: 'Let one party own the transaction: either the runner (no BEGIN/COMMIT in the file) or the file (turn the runner\'s wrapping off with -- pgwarden:no-transaction).',
    badExample: [
      '-- The runner wraps this file in a transaction (migrations.transaction: per-file).',
      'BEGIN;',
      'ALTER TABLE orders ADD COLUMN note text;',
      'COMMIT;',
      'ALTER TABLE orders ADD COLUMN note_author text;',
    ].join('\n'),
    safeRewrite: [
      '-- Runner-wrapped file, no transaction control of its own: both columns commit together,',
      "-- with the runner's record of the migration, or not at all.",
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN note text;',
      'ALTER TABLE orders ADD COLUMN note_author text;',
      '-- A file that must manage its own transactions starts with -- pgwarden:no-transaction',
      '-- (and the runner\'s equivalent) and pairs every BEGIN with one COMMIT.',
    ].join('\n'),
  },
  create(context) {
    const { state } = context;
    const transaction = new TransactionOpener(state);
    const line = (statement: Statement) => context.source.positionAt(statement.start).line;
    const endsLater = (statement: Statement) =>
      context.statements.some((s) => s.index > statement.index && !s.parent && ['commit', 'rollback'].includes(transactionControl(s) ?? ''));
    /** The BEGIN of the file that was swallowed by the runner's transaction, for the COMMIT's message. */
    let swallowedBegin: Statement | undefined;
    /** The COMMIT/ROLLBACK that last ended a block, and the statements run outside any block since. */
    let lastEnd: Statement | undefined;
    let outside: Statement[] = [];

    const nestedBegin = (statement: Statement) => {
      const opener = transaction.opener;
      if (opener === 'runner') {
        swallowedBegin ??= statement;
        if (endsLater(statement)) return; // the COMMIT's finding tells the whole story
        context.report({
          statement,
          risk: 'low',
          message: 'BEGIN inside the transaction the runner wraps this file in only draws a warning (there is already a transaction in progress); the runner\'s COMMIT ends the transaction.',
          help: 'Drop the BEGIN: the runner already runs the file in one transaction.',
        });
      } else if (opener) {
        context.report({
          statement,
          risk: 'low',
          message: `BEGIN inside the transaction opened on line ${line(opener)} only draws a warning (there is already a transaction in progress): the next COMMIT ends the outer transaction, not a nested one.`,
          help: NESTING_HELP,
        });
      }
    };

    const endOfRunnerTransaction = (statement: Statement, control: 'commit' | 'rollback') => {
      const begin = swallowedBegin ? ` (the file's BEGIN on line ${line(swallowedBegin)} only drew a warning)` : '';
      const rest = context.statements.some((s) => s.index > statement.index && !s.parent)
        ? 'the rest of the file runs outside any transaction, so a failure there leaves the migration half applied'
        : "the runner's COMMIT after the file finds no transaction";
      context.report({
        statement,
        message:
          control === 'commit'
            ? `COMMIT ends the transaction the runner wraps this file in${begin}: ${rest}, and the runner records the migration apart from its changes.`
            : `ROLLBACK undoes everything the file ran so far inside the runner's transaction${begin}: ${rest}, and the runner may still record the migration as applied.`,
      });
    };

    const strayEnd = (statement: Statement, control: 'commit' | 'rollback') => {
      const word = control === 'commit' ? 'COMMIT' : 'ROLLBACK';
      if (lastEnd && outside.length) {
        const first = line(outside[0]!);
        const last = line(outside[outside.length - 1]!);
        const lines = first === last ? `line ${first}` : `lines ${first}–${last}`;
        context.report({
          statement,
          message: `${word} has no transaction to end: the transaction already ended on line ${line(lastEnd)}, so the statements on ${lines} ran outside any transaction, each committed on its own${control === 'rollback' ? ' and not rolled back' : ''}.`,
          help: NESTING_HELP,
        });
      } else {
        context.report({
          statement,
          risk: 'low',
          message: `${word} with no transaction in progress only draws a warning: there is nothing to ${control === 'commit' ? 'commit' : 'roll back'}.`,
          help: `Drop the ${word}, or the BEGIN it was meant to pair with is missing.`,
        });
      }
    };

    return {
      statement(statement) {
        const control = statement.parent ? undefined : transactionControl(statement);
        const explicitBlock = state.inTransaction && !state.inImplicitBlock;
        if (control === 'begin') {
          if (explicitBlock) nestedBegin(statement);
          lastEnd = undefined;
          outside = [];
        } else if (control === 'commit' || control === 'rollback') {
          if (explicitBlock && transaction.opener === 'runner') endOfRunnerTransaction(statement, control);
          else if (!state.inTransaction) strayEnd(statement, control);
          if (state.inTransaction) {
            lastEnd = statement;
            outside = [];
          }
        } else if (!state.inTransaction && lastEnd && !statement.parent) {
          outside.push(statement);
        }
        transaction.after(statement);
      },
    };
  },
});
