import type { AnalysisState } from '../../src/analysis/state.js';
import { transactionControl } from '../../src/analysis/transactions.js';
import type { Statement } from '../../src/sql/parser.js';

/**
 * Who opened the transaction block the current statement runs in: the runner (it wraps the
 * file), the file's own BEGIN, or nobody. Mirrors AnalysisState; call `after(statement)` once a
 * rule has looked at the statement, since the state itself is applied only after every rule.
 * An implicit block (migrations.transaction: implicit) has no opener: a BEGIN there opens the
 * explicit block.
 */
export class TransactionOpener {
  private current: 'runner' | Statement | undefined;

  constructor(private readonly state: AnalysisState) {
    this.current = state.runnerTransaction ? 'runner' : undefined;
  }

  get opener(): 'runner' | Statement | undefined {
    return this.current;
  }

  after(statement: Statement): void {
    const control = transactionControl(statement);
    if (control === 'begin' && (!this.state.inTransaction || this.state.inImplicitBlock)) this.current = statement;
    else if (control === 'commit' || control === 'rollback') this.current = undefined;
  }
}
