import type { LanguageOptions, RuleDefinition, RuleVisitor, TextSourceCode } from '@eslint/core';
import { allRules } from '../../rules/index.js';
import type { FindingData } from './analysis.js';
import { findingRules, type FindingRuleDefinition, type FindingSource, type LocatedFinding } from './rules.js';
import type { SqlSourceCode } from './source-code.js';

export const SQL_LANGUAGE = 'pgwarden/sql';
/** Postgres syntax errors; a rule, not a fatal message, so the other statements' findings remain. */
export const PARSE_ERROR_RULE = 'parse-error';

export function locatedFinding(finding: FindingData): LocatedFinding {
  return {
    message: finding.message,
    help: finding.help,
    loc: { start: { line: finding.line, column: finding.column }, end: { line: finding.endLine, column: finding.endColumn } },
    ...(finding.fix ? { fix: finding.fix } : {}),
    ...(finding.suggestions ? { suggestions: finding.suggestions } : {}),
  };
}

/** SQL files: the findings are those the language's analysis left on the source code. */
export const sqlFindingSource: FindingSource<SqlSourceCode> = {
  languages: [SQL_LANGUAGE],
  rootNodeType: 'Migration',
  findings: (context, ruleId, options) => context.sourceCode.findingsOf(ruleId, options).map(locatedFinding),
};

/** The ESLint rule that reports the parse errors of code `Code` (a SQL file, or SQL in TS/JS). */
export type ParseErrorRuleOf<Code extends SqlSourceCode | TextSourceCode> = RuleDefinition<{
  LangOptions: LanguageOptions;
  Code: Code;
  RuleOptions: [];
  Visitor: RuleVisitor;
  Node: unknown;
  MessageIds: 'parseError';
  ExtRuleDocs: unknown;
}>;

export type ParseErrorRuleDefinition = ParseErrorRuleOf<SqlSourceCode>;

/** A parse-error rule: `errors` gives a file's parse errors, reported from its root node. */
export function parseErrorRule<Code extends SqlSourceCode | TextSourceCode>(definition: {
  description: string;
  language: string;
  rootNodeType: string;
  errors: (context: Parameters<ParseErrorRuleOf<Code>['create']>[0]) => ReadonlyArray<{ line: number; column: number; message: string }>;
}): ParseErrorRuleOf<Code> {
  return {
    meta: {
      type: 'problem',
      docs: { description: definition.description, url: 'https://www.npmjs.com/package/pgwarden#editor-eslint' },
      messages: { parseError: 'Parse error: {{message}}' },
      schema: [],
      languages: [definition.language],
    },
    create(context) {
      return {
        [definition.rootNodeType]() {
          for (const error of definition.errors(context)) {
            context.report({ loc: { line: error.line, column: error.column }, messageId: 'parseError', data: { message: error.message } });
          }
        },
      };
    },
  };
}

/** `pgwarden/parse-error`: statements the Postgres parser rejects (pgwarden lint's parse errors). */
export const sqlParseErrorRule: ParseErrorRuleDefinition = parseErrorRule<SqlSourceCode>({
  description: 'SQL that the PostgreSQL parser rejects; pgwarden cannot judge a statement it cannot read.',
  language: SQL_LANGUAGE,
  rootNodeType: 'Migration',
  errors: (context) => context.sourceCode.parseErrors,
});

export type SqlRuleDefinition = FindingRuleDefinition<SqlSourceCode> | ParseErrorRuleDefinition;

/** Every rule of the plugin: one per pgwarden rule, and `parse-error`. */
export function sqlRules(): Record<string, SqlRuleDefinition> {
  return {
    ...findingRules(
      allRules.map((rule) => rule.meta),
      sqlFindingSource,
    ),
    [PARSE_ERROR_RULE]: sqlParseErrorRule,
  };
}
