import { isAbsolute } from 'node:path';
import { allRules } from '../../rules/index.js';
import type { SeveritySetting } from '../analysis/finding.js';
import type { RuleOptions } from '../analysis/rule-options.js';
import type { LockMode } from '../analysis/locks.js';
import type { Risk } from '../analysis/risk.js';
import type { TransactionMode } from '../analysis/transactions.js';
import { analyseText, displayPath, type LintSettings } from '../lint-file.js';
import type { LayoutSetting, RollbackSetting } from '../migrations/layout.js';
import { HistoryReplay } from '../migrations/replay.js';
import { findingReport } from '../report/build.js';
import type { NodeMap, NodeType, Statement } from '../sql/parser.js';
import { commentsBetween } from '../sql/comments.js';
import { SourceFile } from '../sql/source.js';
import { scanTokens } from '../sql/split.js';
import { findingEdits, type FindingEdits } from './edits.js';

/**
 * `languageOptions` of `pgwarden/sql`: the analysis options `pgwarden lint` takes from its config
 * (`postgresVersion`, `migrations.transaction|layout|rollback`). A type alias, not an interface,
 * so that it is a `Record<string, unknown>` as ESLint's `LanguageOptions` requires.
 */
export type SqlLanguageOptions = {
  postgresVersion?: number;
  transaction?: TransactionMode;
  layout?: LayoutSetting;
  rollback?: RollbackSetting;
};

export type ResolvedSqlOptions = Required<SqlLanguageOptions>;

export const DEFAULT_SQL_OPTIONS: ResolvedSqlOptions = Object.freeze({
  postgresVersion: 16,
  transaction: 'auto',
  layout: 'auto',
  rollback: 'auto',
});

/** What the language needs to analyse one file; plain data (a worker thread may receive it). */
export interface AnalysisRequest {
  text: string;
  /** The path ESLint lints the file under; absolute for files on disk. */
  path: string;
  /** Relative report paths (in messages naming a rollback file) are relative to this directory. */
  cwd: string;
  options: ResolvedSqlOptions;
  /** Run only this rule, with these (validated) options: an ESLint rule configured with options. */
  rule?: RuleWithOptions;
}

export interface RuleWithOptions {
  id: string;
  options: RuleOptions;
}

export interface StatementData {
  type: NodeType;
  stmt: NodeMap[NodeType];
  /** UTF-16 range, end exclusive, without the terminating semicolon. */
  start: number;
  end: number;
  /** For a statement of a DO body: the position of its DO statement in `statements`. */
  parent?: number;
}

export interface CommentData {
  kind: 'line' | 'block';
  /** The text between the markers. */
  value: string;
  start: number;
  end: number;
}

/** A finding as `pgwarden lint` reports it (1-based lines, UTF-16 columns), plus its UTF-16 range. */
export interface FindingData extends FindingEdits {
  ruleId: string;
  message: string;
  help: string;
  risk: Risk;
  lock: LockMode | null;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  start: number;
  end: number;
}

export interface ParseErrorData {
  message: string;
  index: number;
  line: number;
  column: number;
}

/** pgwarden's analysis of one file, as plain data. */
export interface SqlFileAnalysis {
  statements: StatementData[];
  comments: CommentData[];
  /** Every rule's open findings (directive-suppressed ones are left out), in file order. */
  findings: FindingData[];
  parseErrors: ParseErrorData[];
}

/**
 * Every rule at `error`, opt-in rules included: ESLint's own rule severities then decide which
 * findings are shown, so a rule that is off in ESLint reports nothing and one that is on reports
 * exactly what `pgwarden lint` reports with that rule on.
 */
export const EVERY_RULE: ReadonlyMap<string, SeveritySetting> = new Map(allRules.map((rule) => [rule.meta.id, 'error' as const]));

/**
 * Settings with every rule on (ESLint's severities decide what is shown), or only the one rule
 * the request names with its options, and the file's report path, for an analysis run on
 * ESLint's behalf.
 */
export function requestTarget(request: {
  path: string;
  cwd: string;
  options: ResolvedSqlOptions;
  rule?: RuleWithOptions | undefined;
}): { settings: LintSettings; path: string; absolutePath: string | undefined } {
  const only = request.rule;
  const settings: LintSettings = {
    cwd: request.cwd,
    ...request.options,
    severities: only ? new Map(allRules.map((rule) => [rule.meta.id, rule.meta.id === only.id ? 'error' : 'off'])) : EVERY_RULE,
    ...(only ? { ruleOptions: new Map([[only.id, only.options]]) } : {}),
    rules: allRules,
  };
  const absolutePath = isAbsolute(request.path) ? request.path : undefined;
  const path = absolutePath ? displayPath(absolutePath, request.cwd) : request.path;
  return { settings, path, absolutePath };
}

/** One replay per layout setting, kept for the process: an editor relints files again and again. */
const replays = new Map<LayoutSetting, HistoryReplay>();

function replayFor(layout: LayoutSetting): HistoryReplay {
  let replay = replays.get(layout);
  if (!replay) replays.set(layout, (replay = new HistoryReplay(layout, true)));
  return replay;
}

/**
 * Runs pgwarden's analysis (the one `pgwarden lint` runs: layouts, rollback pairing, sections,
 * directives) on one file. Requires the SQL parser to be loaded.
 */
export function analyseForEslint(request: AnalysisRequest): SqlFileAnalysis {
  const { settings, path, absolutePath } = requestTarget(request);
  const parts = analyseText(request.text, path, settings, absolutePath, replayFor(settings.layout));

  const statementsByIndex = new Map<number, Statement>();
  const findings: FindingData[] = [];
  const parseErrors = new Map<string, ParseErrorData>();
  let source: SourceFile | undefined;
  for (const { analysis } of parts) {
    source = analysis.source;
    for (const statement of analysis.statements) statementsByIndex.set(statement.index, statement);
    for (const finding of analysis.findings) {
      const { ruleId, message, help, risk, lock, line, column, endLine, endColumn } = findingReport(finding, analysis.source);
      findings.push({
        ruleId,
        message,
        help,
        risk,
        lock,
        line,
        column,
        endLine,
        endColumn,
        start: finding.start,
        end: finding.end,
        ...findingEdits(finding),
      });
    }
    for (const error of analysis.parseErrors) {
      parseErrors.set(`${error.index}\u0000${error.message}`, { ...error, ...analysis.source.positionAt(error.index) });
    }
  }
  const statements = [...statementsByIndex.values()].sort((a, b) => a.index - b.index);
  const position = new Map(statements.map((statement, i) => [statement, i]));
  return {
    statements: statements.map((statement) => statementData(statement, position)),
    comments: source ? sqlComments(source, statements, parseErrors.size > 0) : [],
    findings: findings.sort((a, b) => a.start - b.start || a.end - b.end),
    parseErrors: [...parseErrors.values()].sort((a, b) => a.index - b.index),
  };
}

function statementData(statement: Statement, position: ReadonlyMap<Statement, number>): StatementData {
  const data: StatementData = { type: statement.type, stmt: statement.ast, start: statement.start, end: statement.end };
  const parent = statement.parent && position.get(statement.parent);
  if (parent !== undefined) data.parent = parent;
  return data;
}

/**
 * Every comment of the file, inside statements too, for ESLint's directives. Between statements
 * only white space, semicolons and comments stand (pgwarden's commentsBetween reads them); the
 * scanner runs only over statements that contain a comment marker, or over the whole file when
 * part of it did not parse.
 */
function sqlComments(source: SourceFile, statements: readonly Statement[], parseErrors: boolean): CommentData[] {
  if (parseErrors) return scannedComments(source, 0);
  const topLevel = statements.filter((statement) => !statement.parent);
  const comments: CommentData[] = commentsBetween(
    source,
    topLevel.map((statement) => ({ start: source.indexToByte(statement.start), end: source.indexToByte(statement.end) })),
  );
  for (const statement of topLevel) {
    const text = source.text.slice(statement.start, statement.end);
    if (text.includes('--') || text.includes('/*')) comments.push(...scannedComments(new SourceFile(source.path, text), statement.start));
  }
  return comments.sort((a, b) => a.start - b.start);
}

/** The comments the Postgres scanner finds in `source`, shifted by `offset` UTF-16 units. */
function scannedComments(source: SourceFile, offset: number): CommentData[] {
  const comments: CommentData[] = [];
  for (const token of scanTokens(source)) {
    if (!token.comment) continue;
    const start = source.byteToIndex(token.start);
    const text = source.text.slice(start, source.byteToIndex(token.end));
    if (text.startsWith('--')) {
      // The fallback tokenizer stops line comments at \n only: keep a CR out of the comment.
      const line = text.replace(/\r[\s\S]*$/, '');
      comments.push({ kind: 'line', value: line.slice(2), start: offset + start, end: offset + start + line.length });
    } else {
      const value = text.slice(2, text.endsWith('*/') && text.length >= 4 ? -2 : undefined);
      comments.push({ kind: 'block', value, start: offset + start, end: offset + start + text.length });
    }
  }
  return comments;
}
