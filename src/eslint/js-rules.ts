import type { TextSourceCode } from '@eslint/core';
import { allRules } from '../../rules/index.js';
import type { RuleOptions } from '../analysis/rule-options.js';
import { unreadableFileReport } from '../report/build.js';
import type { FileReport } from '../report/schema.js';
import type { RuleWithOptions, SqlLanguageOptions } from './analysis.js';
import { resolveSqlLanguageOptions, validateSqlLanguageOptions } from './options.js';
import { findingRule, type FindingRuleContext, type FindingRuleDefinition, type FindingSource, type LocatedFinding } from './rules.js';
import { PARSE_ERROR_RULE, parseErrorRule, type ParseErrorRuleOf } from './sql-rules.js';
import { lintEmbeddedSync } from './sync-analysis.js';

/**
 * The rules for SQL embedded in JavaScript and TypeScript migrations: `pgwarden/js/<rule-id>` for
 * each pgwarden rule, and `pgwarden/js/parse-error`. ESLint's own language (`js/js`, with its
 * default parser or typescript-eslint's) parses the file; the rules need only its text and name.
 * The first rule to run on a file lints it with lintEmbedded (pgwarden lint's analysis of TS/JS
 * migrations) and every rule reports its own findings from that one analysis.
 */

export const JS_LANGUAGE = 'js/js';
/** The rules' names in the plugin: `js/` and the pgwarden rule id. */
export const JS_RULE_PREFIX = 'js/';

/** The options of the analysis, from the shared setting `settings.pgwarden` (JavaScript has its own languageOptions). */
export const JS_SETTINGS_KEY = 'pgwarden';

type JsCode = TextSourceCode;

interface EmbeddedParseError {
  message: string;
  /** ESLint's JavaScript position: 1-based line, 0-based UTF-16 column. */
  line: number;
  column: number;
}

interface EmbeddedFindings {
  /** The file and options the analysis is of (a SourceCode object could be verified twice). */
  key: string;
  byRule: Map<string, LocatedFinding[]>;
  parseErrors: EmbeddedParseError[];
}

/**
 * One analysis per file per lint run (ESLint creates a SourceCode object for each file it lints,
 * and each --fix pass), plus one per rule that an ESLint config gives options.
 */
const cache = new WeakMap<object, Map<string, EmbeddedFindings>>();

function analysisOptions(settings: Readonly<Record<string, unknown>>): SqlLanguageOptions {
  const value = settings[JS_SETTINGS_KEY];
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`pgwarden/js: settings.${JS_SETTINGS_KEY} must be an object, not ${JSON.stringify(value)}.`);
  }
  const options = value as Record<string, unknown>;
  validateSqlLanguageOptions(options, { owner: 'pgwarden/js', where: `settings.${JS_SETTINGS_KEY}` });
  return options as SqlLanguageOptions;
}

/**
 * pgwarden reports 1-based lines and 1-based UTF-16 columns, end exclusive, with ESLint's line
 * breaks (CRLF, LF, CR, U+2028, U+2029); ESLint's JavaScript locations have 1-based lines and
 * 0-based UTF-16 columns, end exclusive.
 */
function jsColumn(column: number): number {
  return column - 1;
}

function collect(reports: readonly FileReport[], key: string): EmbeddedFindings {
  const byRule = new Map<string, LocatedFinding[]>();
  const parseErrors: EmbeddedParseError[] = [];
  const seen = new Set<string>();
  for (const report of reports) {
    for (const f of report.findings) {
      // A helper's statement is analysed with both parts that call it; report the same problem once.
      const id = JSON.stringify([f.ruleId, f.line, f.column, f.endLine, f.endColumn, f.message]);
      if (seen.has(id)) continue;
      seen.add(id);
      const list = byRule.get(f.ruleId) ?? [];
      list.push({
        message: f.message,
        help: f.help,
        loc: { start: { line: f.line, column: jsColumn(f.column) }, end: { line: f.endLine, column: jsColumn(f.endColumn) } },
      });
      byRule.set(f.ruleId, list);
    }
    for (const e of report.parseErrors) {
      const id = JSON.stringify([PARSE_ERROR_RULE, e.line, e.column, e.message]);
      if (seen.has(id)) continue;
      seen.add(id);
      parseErrors.push({ message: e.message, line: e.line, column: jsColumn(e.column) });
    }
  }
  return { key, byRule, parseErrors };
}

type AnyContext = Pick<FindingRuleContext<JsCode>, 'sourceCode' | 'filename' | 'cwd' | 'settings'>;

/**
 * The file's findings, analysed on the first call for this SourceCode; with `rule`, the findings
 * of that one rule run with the options an ESLint config gives it.
 */
export function embeddedFindings(context: AnyContext, rule?: RuleWithOptions): EmbeddedFindings {
  const options = resolveSqlLanguageOptions(analysisOptions(context.settings));
  const key = JSON.stringify([context.filename, context.cwd, options]);
  let analyses = cache.get(context.sourceCode);
  if (!analyses) cache.set(context.sourceCode, (analyses = new Map()));
  const cacheKey = rule ? JSON.stringify([rule.id, rule.options]) : '';
  const cached = analyses.get(cacheKey);
  if (cached?.key === key) return cached;
  let reports: FileReport[];
  try {
    reports = lintEmbeddedSync({
      text: context.sourceCode.text,
      path: context.filename,
      cwd: context.cwd,
      options,
      ...(rule ? { rule } : {}),
    });
  } catch (error) {
    // As `pgwarden lint` reports a file whose analysis throws: a parse error, not a crash of ESLint.
    reports = [unreadableFileReport(context.filename, `pgwarden could not analyse this file: ${(error as Error).message}`)];
  }
  const found = collect(reports, key);
  analyses.set(cacheKey, found);
  return found;
}

/** JavaScript and TypeScript files: findings of lintEmbedded, in the file's own coordinates. */
export const embeddedFindingSource: FindingSource<JsCode> = {
  languages: [JS_LANGUAGE],
  rootNodeType: 'Program',
  findings: (context, ruleId, options?: RuleOptions) =>
    embeddedFindings(context, options ? { id: ruleId, options } : undefined).byRule.get(ruleId) ?? [],
};

export type JsParseErrorRuleDefinition = ParseErrorRuleOf<JsCode>;

/**
 * `pgwarden/js/parse-error`: SQL the Postgres parser rejects, syntax errors of the TS/JS file
 * (SQL after one may have been missed), and a file that cannot be read (no `typescript` package).
 */
export const jsParseErrorRule: JsParseErrorRuleDefinition = parseErrorRule<JsCode>({
  description: 'SQL in a migration that the PostgreSQL parser rejects, or a migration pgwarden cannot read.',
  language: JS_LANGUAGE,
  rootNodeType: 'Program',
  errors: (context) => embeddedFindings(context).parseErrors,
});

export type JsRuleDefinition = FindingRuleDefinition<JsCode> | JsParseErrorRuleDefinition;

/** `js/<rule-id>` for every pgwarden rule, and `js/parse-error`. */
export function jsRules(): Record<string, JsRuleDefinition> {
  const rules: Record<string, JsRuleDefinition> = {};
  for (const { meta } of allRules) rules[`${JS_RULE_PREFIX}${meta.id}`] = findingRule(meta, embeddedFindingSource);
  rules[`${JS_RULE_PREFIX}${PARSE_ERROR_RULE}`] = jsParseErrorRule;
  return rules;
}
