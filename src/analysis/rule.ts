import type { NodeMap, NodeType, Statement } from '../sql/parser.js';
import type { SourceFile } from '../sql/source.js';
import type { MigrationInfo } from '../migrations/types.js';
import type { LockMode } from './locks.js';
import type { LockedRelation } from './statement-locks.js';
import type { Risk } from './risk.js';
import type { Fix, Severity } from './finding.js';
import type { AnalysisState } from './state.js';
import type { MigrationHeader } from './headers.js';
import type { RuleOptions, RuleOptionsMeta } from './rule-options.js';

export type RuleTag =
  | 'data-loss'
  | 'locking'
  | 'rewrite'
  | 'index'
  | 'constraint'
  | 'compatibility'
  | 'transaction'
  | 'rollback'
  | 'access'
  | 'security'
  | 'hygiene'
  | 'style'
  | 'process'
  /** The statement fails at run time as written. */
  | 'correctness';

/** Everything docs, `pgwarden explain`, SARIF and the ESLint plugin say about a rule. */
export interface RuleMeta<O extends RuleOptions = RuleOptions> {
  id: string;
  /** Risk of its findings unless a finding says otherwise. */
  risk: Risk;
  /** Severity when the config does not set one; by default error above low risk, else warning. */
  severity?: Severity;
  tags: RuleTag[];
  /** One line: what it detects. */
  summary: string;
  /** Why it matters, in Markdown. */
  rationale: string;
  /** The lock its statements take, when there is one. */
  lock?: LockMode;
  /** A short fix hint used as a finding's help unless the finding gives its own. */
  help: string;
  /** A migration that triggers the rule. */
  badExample: string;
  /** The same change done safely, with comments saying where each step runs. */
  safeRewrite: string;
  /** How the hazard or the safe rewrite differs between PostgreSQL versions, in Markdown. */
  versionNotes?: string;
  /** Postgres versions the rule applies to (inclusive). */
  postgres?: { min?: number; max?: number };
  /** Off unless the config turns it on. */
  optIn?: boolean;
  /**
   * What `pgwarden lint --fix` changes for its findings, and when it leaves them alone, in
   * Markdown. Only rules whose findings may carry a `fix` have it.
   */
  fix?: string;
  /** What the config may set (`rules: { id: [severity, options] }`); the rule reads them as `context.options`. */
  options?: RuleOptionsMeta<O>;
  /**
   * `trace`: reported by a rehearsal (`pgwarden rehearse`, `lint --rehearse`, `requireRehearsal`)
   * from what PostgreSQL did, not by reading the SQL; `create` returns no visitors.
   */
  source?: 'trace';
}

export interface FindingInput {
  statement?: Statement;
  message: string;
  help?: string;
  risk?: Risk;
  lock?: LockMode;
  /** The relation the finding is about, when it is not the one the statement locks most strongly. */
  relation?: LockedRelation;
  /** UTF-16 range overriding the statement's. */
  start?: number;
  end?: number;
  /** A mechanical change that resolves the finding without changing what the migration does. */
  fix?: Fix;
}

export interface RuleContext<O extends RuleOptions = RuleOptions> {
  readonly state: AnalysisState;
  readonly postgresVersion: number;
  readonly source: SourceFile;
  readonly statements: readonly Statement[];
  readonly migration: MigrationInfo | undefined;
  readonly header: MigrationHeader;
  /** The rule's options: the configured ones over `meta.options.defaults` (empty for a rule without options). */
  readonly options: O;
  report(finding: FindingInput): void;
}

/** Handlers by statement type, called before the statement is applied to the state. */
export type RuleVisitors = {
  [K in NodeType]?: (node: NodeMap[K], statement: Statement) => void;
} & {
  /** Every statement, after the typed handler. */
  statement?: (statement: Statement) => void;
  /** Once, after the last statement. */
  end?: () => void;
};

export interface Rule<O extends RuleOptions = RuleOptions> {
  meta: RuleMeta<O>;
  create(context: RuleContext<O>): RuleVisitors;
}

export function defineRule<O extends RuleOptions = RuleOptions>(rule: Rule<O>): Rule<O> {
  return rule;
}

/** Hygiene and style findings are worth fixing but never make a migration riskier. */
export function raisesRisk(tags: readonly string[]): boolean {
  return !tags.includes('hygiene') && !tags.includes('style');
}

export function defaultSeverity(meta: RuleMeta): Severity {
  return meta.severity ?? (meta.risk === 'low' ? 'warning' : 'error');
}
