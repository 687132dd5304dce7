import type { Node, VariableSetStmt } from 'libpg-query';
import type { Statement } from '../sql/parser.js';
import { stringList, unwrap, walkNodes } from '../sql/ast.js';
import { SchemaModel } from './schema.js';
import { transactionControl } from './transactions.js';
import { statementLocks, type StatementLock } from './statement-locks.js';

/** The session settings that matter to lock hygiene. */
export type TimeoutSetting = 'lock_timeout' | 'statement_timeout';

interface SettingValue {
  /** The value as written, or undefined after SET … TO DEFAULT / RESET. */
  value: string | undefined;
  local: boolean;
  transaction: number;
}

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
  /**
   * The file runs as one multi-statement simple query (`migrations.transaction: implicit`):
   * PostgreSQL runs every top-level statement outside an explicit block in an implicit one.
   */
  readonly implicitBlocks: boolean;
  private open: boolean;
  private implicit = false;
  private transaction = 0;
  /** Facts about the current statement, by the function that works them out (see `shared`). */
  private readonly facts = new Map<object, { statement: Statement; value: unknown }>();
  private readonly seen: Array<(statement: Statement) => void> = [];
  private readonly settings = new Map<string, SettingValue>();

  constructor(options: { postgresVersion: number; runnerTransaction: boolean; implicitBlocks?: boolean; schema?: SchemaModel }) {
    this.postgresVersion = options.postgresVersion;
    this.runnerTransaction = options.runnerTransaction;
    this.implicitBlocks = options.implicitBlocks ?? false;
    this.schema = options.schema ?? new SchemaModel();
    this.open = options.runnerTransaction;
  }

  /** Inside a transaction block (the runner's or an explicit BEGIN). */
  get inTransaction(): boolean {
    return this.open;
  }

  /**
   * The current statement runs in an implicit block PostgreSQL opened because the file is one
   * multi-statement query (not a runner-wrapped file, not after an explicit BEGIN).
   */
  get inImplicitBlock(): boolean {
    return this.open && this.implicit;
  }

  /** Identifies the transaction the current statement runs in; equal ids share a transaction. */
  get transactionId(): number {
    return this.transaction;
  }

  /**
   * A session setting this migration set (`SET`, `SET LOCAL` within its transaction, or
   * `set_config`), lower-cased name; undefined when the migration did not set it.
   */
  setting(name: string): string | undefined {
    if (!this.settings.size) return undefined;
    const entry = this.settings.get(name.toLowerCase());
    if (!entry || (entry.local && entry.transaction !== this.transaction)) return undefined;
    return entry.value;
  }

  /** A timeout set to something other than 0 (which disables it). */
  hasTimeout(setting: TimeoutSetting): boolean {
    const value = this.setting(setting);
    return value !== undefined && !/^\s*0+\s*(ms|s|min|h|d)?\s*$/i.test(value);
  }

  /**
   * The locks a statement takes (see statementLocks), worked out once for all the rules that ask
   * while it is the current statement: the answer depends on the schema model, which changes
   * after it.
   */
  locksOf(statement: Statement): StatementLock[] {
    return this.shared(statement, statementLocks, () => statementLocks(statement, { postgresVersion: this.postgresVersion, schema: this.schema }));
  }

  /**
   * A fact about a statement that several rules ask for, worked out by `compute` once while the
   * statement is the current one (`fact` names it: the function computing it). Only for facts that
   * depend on nothing but the statement and this state.
   */
  shared<T>(statement: Statement, fact: object, compute: () => T): T {
    const known = this.facts.get(fact);
    if (known?.statement === statement) return known.value as T;
    const value = compute();
    this.facts.set(fact, { statement, value });
    return value;
  }

  /** Calls `listener` with each statement once every rule has looked at it, before it is applied. */
  afterRules(listener: (statement: Statement) => void): void {
    this.seen.push(listener);
  }

  /** Called before rules see a statement. */
  enter(statement: Statement): void {
    this.facts.clear();
    // A statement outside any block is its own transaction; DO-body statements share the DO's.
    if (!this.open && !statement.parent) {
      this.transaction++;
      // A multi-statement query: PostgreSQL opens an implicit block for a statement outside any
      // block, closed at the next COMMIT/ROLLBACK or the end of the query (see implicitBlocks in
      // transactions.ts).
      if (this.implicitBlocks && transactionControl(statement) !== 'begin') {
        this.open = true;
        this.implicit = true;
      }
    }
  }

  /** Called after rules have seen a statement. */
  apply(statement: Statement): void {
    for (let i = 0; i < this.seen.length; i++) this.seen[i]!(statement);
    this.schema.apply(statement);
    const control = transactionControl(statement);
    if (control === 'begin') {
      if (!this.open) this.transaction++;
      // BEGIN in an implicit block turns it into a regular one: same transaction.
      this.open = true;
      this.implicit = false;
    } else if (control === 'commit' || control === 'rollback') {
      this.open = false;
      this.implicit = false;
    }
    for (const change of settingChanges(statement)) {
      if (change.name === '*') this.settings.clear();
      else this.settings.set(change.name, { value: change.value, local: change.local, transaction: this.transaction });
    }
  }
}

export interface SettingChange {
  /** Lower-cased setting name, or `*` for RESET ALL. */
  name: string;
  value: string | undefined;
  local: boolean;
}

const NO_CHANGES: readonly SettingChange[] = Object.freeze([]);

/** `SET [LOCAL] name = …`, `SET TIME ZONE …`, `RESET …` and `SELECT set_config('name', …, is_local)`. */
export function settingChanges(statement: Statement): readonly SettingChange[] {
  if (statement.type === 'VariableSetStmt') {
    const stmt = statement.ast as VariableSetStmt;
    if (stmt.kind === 'VAR_RESET_ALL') return [{ name: '*', value: undefined, local: false }];
    if (!stmt.name) return [];
    const value = stmt.kind === 'VAR_SET_VALUE' ? (stmt.args ?? []).map(constantText).join(', ') : undefined;
    return [{ name: stmt.name.toLowerCase(), value, local: !!stmt.is_local }];
  }
  if (statement.type !== 'SelectStmt') return NO_CHANGES;
  const found: SettingChange[] = [];
  walkNodes(statement.ast, (type, node) => {
    if (type !== 'FuncCall') return;
    const name = stringList(node['funcname'] as Node[]).pop();
    const args = (node['args'] as Node[] | undefined) ?? [];
    const setting = constantText(args[0]);
    if (name !== 'set_config' || !setting) return;
    const local = unwrap<{ boolval?: { boolval?: boolean } }>(args[2], 'A_Const')?.boolval?.boolval === true;
    found.push({ name: setting.toLowerCase(), value: constantText(args[1]), local });
  });
  return found;
}

function constantText(node: Node | undefined): string {
  const constant = unwrap<{ sval?: { sval?: string }; ival?: { ival?: number }; fval?: { fval?: string } }>(node, 'A_Const');
  if (!constant) return '';
  if (constant.sval) return constant.sval.sval ?? '';
  if (constant.ival) return String(constant.ival.ival ?? 0);
  if (constant.fval) return constant.fval.fval ?? '';
  return '';
}
