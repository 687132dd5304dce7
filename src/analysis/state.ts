import type { Node, VariableSetStmt } from 'libpg-query';
import type { Statement } from '../sql/parser.js';
import { stringList, unwrap, walkNodes } from '../sql/ast.js';
import { SchemaModel } from './schema.js';
import { transactionControl } from './transactions.js';

/** The session settings that matter to lock hygiene. */
export type TimeoutSetting = 'lock_timeout' | 'statement_timeout';

/**
 * Everything the rules may ask about the point a statement runs at: the transaction it runs in,
 * the settings in force, and the objects known so far. Rules read it before the statement is
 * applied, so "created earlier in this migration" means strictly earlier.
 */
export class AnalysisState {
  readonly postgresVersion: number;
  readonly schema: SchemaModel;
  /** The runner opened a transaction around the file. */
  readonly runnerTransaction: boolean;
  private open: boolean;
  private transaction = 0;
  private readonly timeouts = new Map<TimeoutSetting, { local: boolean; transaction: number }>();

  constructor(options: { postgresVersion: number; runnerTransaction: boolean; schema?: SchemaModel }) {
    this.postgresVersion = options.postgresVersion;
    this.runnerTransaction = options.runnerTransaction;
    this.schema = options.schema ?? new SchemaModel();
    this.open = options.runnerTransaction;
  }

  /** Inside a transaction block (the runner's or an explicit BEGIN). */
  get inTransaction(): boolean {
    return this.open;
  }

  /** Identifies the transaction the current statement runs in; equal ids share a transaction. */
  get transactionId(): number {
    return this.transaction;
  }

  hasTimeout(setting: TimeoutSetting): boolean {
    const value = this.timeouts.get(setting);
    return !!value && (!value.local || value.transaction === this.transaction);
  }

  /** Called before rules see a statement. */
  enter(statement: Statement): void {
    // A statement outside any block is its own transaction; DO-body statements share the DO's.
    if (!this.open && !statement.parent) this.transaction++;
  }

  /** Called after rules have seen a statement. */
  apply(statement: Statement): void {
    this.schema.apply(statement);
    const control = transactionControl(statement);
    if (control === 'begin') {
      if (!this.open) this.transaction++;
      this.open = true;
    } else if (control === 'commit' || control === 'rollback') {
      this.open = false;
    }
    for (const [setting, value, local] of timeoutAssignments(statement)) {
      if (value) this.timeouts.set(setting, { local, transaction: this.transaction });
      else this.timeouts.delete(setting);
    }
  }
}

const TIMEOUTS: readonly string[] = ['lock_timeout', 'statement_timeout'];

/** `SET [LOCAL] lock_timeout = …`, `RESET …` and `SELECT set_config('lock_timeout', …, is_local)`. */
function timeoutAssignments(statement: Statement): Array<[TimeoutSetting, boolean, boolean]> {
  if (statement.type === 'VariableSetStmt') {
    const stmt = statement.ast as VariableSetStmt;
    if (stmt.kind === 'VAR_RESET_ALL') return TIMEOUTS.map((t) => [t as TimeoutSetting, false, false]);
    if (!stmt.name || !TIMEOUTS.includes(stmt.name)) return [];
    const enabled = stmt.kind === 'VAR_SET_VALUE' && !isZero(stmt.args?.[0]);
    return [[stmt.name as TimeoutSetting, enabled, !!stmt.is_local]];
  }
  if (statement.type !== 'SelectStmt') return [];
  const found: Array<[TimeoutSetting, boolean, boolean]> = [];
  walkNodes(statement.ast, (type, node) => {
    if (type !== 'FuncCall') return;
    const name = stringList(node['funcname'] as Node[]).pop();
    const args = (node['args'] as Node[] | undefined) ?? [];
    const setting = constantText(args[0]);
    if (name !== 'set_config' || !setting || !TIMEOUTS.includes(setting)) return;
    const local = unwrap<{ boolval?: { boolval?: boolean } }>(args[2], 'A_Const')?.boolval?.boolval === true;
    found.push([setting as TimeoutSetting, !isZero(args[1]), local]);
  });
  return found;
}

function constantText(node: Node | undefined): string | undefined {
  const constant = unwrap<{ sval?: { sval?: string }; ival?: { ival?: number } }>(node, 'A_Const');
  if (!constant) return undefined;
  if (constant.sval) return constant.sval.sval ?? '';
  if (constant.ival) return String(constant.ival.ival ?? 0);
  return undefined;
}

function isZero(node: Node | undefined): boolean {
  const text = constantText(node);
  return text === undefined ? false : /^\s*0+\s*(ms|s|min|h|d)?\s*$/i.test(text);
}
