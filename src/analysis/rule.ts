import type { NodeMap, NodeType, Statement } from '../sql/parser.js';
import type { SourceFile } from '../sql/source.js';
import type { MigrationInfo } from '../migrations/types.js';
import type { LockMode } from './locks.js';
import type { LockedRelation } from './statement-locks.js';
import type { Risk } from './risk.js';
import type { Severity } from './finding.js';
import type { AnalysisState } from './state.js';
import type { MigrationHeader } from './headers.js';

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
  | 'process';

/** Everything docs, `pgwarden explain`, SARIF and the ESLint plugin say about a rule. */
export interface RuleMeta {
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
}

export interface RuleContext {
  readonly state: AnalysisState;
  readonly postgresVersion: number;
  readonly source: SourceFile;
  readonly statements: readonly Statement[];
  readonly migration: MigrationInfo | undefined;
  readonly header: MigrationHeader;
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

export interface Rule {
  meta: RuleMeta;
  create(context: RuleContext): RuleVisitors;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

/** Hygiene and style findings are worth fixing but never make a migration riskier. */
export function raisesRisk(tags: readonly string[]): boolean {
  return !tags.includes('hygiene') && !tags.includes('style');
}

export function defaultSeverity(meta: RuleMeta): Severity {
  return meta.severity ?? (meta.risk === 'low' ? 'warning' : 'error');
}
