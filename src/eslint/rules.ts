import type {
  LanguageOptions,
  RuleContext,
  RuleDefinition,
  RuleTextEdit,
  RuleTextEditor,
  RuleVisitor,
  SourceCode,
  SourceLocation,
  SuggestedEdit,
} from '@eslint/core';
import type { Risk } from '../analysis/risk.js';
import type { RuleMeta, RuleTag } from '../analysis/rule.js';
import type { RuleOptions } from '../analysis/rule-options.js';
import { optionsJsonSchema, parseRuleOptions } from '../config/rule-options-schema.js';
import { TOOL_VERSION } from '../version.js';
import { editFlags, type FindingEdits, type TextEdit } from './edits.js';

/**
 * One ESLint rule per pgwarden rule, generated from the rule's meta. An ESLint rule never
 * re-implements its pgwarden rule: it reports the findings pgwarden's analysis produced for the
 * file, where the analysis put them. What the findings are and where they come from is the
 * language's business (`FindingSource`): the SQL language reads them from its source code; a
 * rule for SQL embedded in JavaScript can extract, analyse and locate them in the JS file.
 */

export type FindingMessageId = 'finding' | 'findingWithoutHelp' | 'suggestion';

/** A finding as one ESLint rule reports it. */
export interface LocatedFinding extends FindingEdits {
  message: string;
  help: string;
  /**
   * Where to report, in the coordinates of the linted file's language (its `lineStart` and
   * `columnStart`: 1 and 1 for `pgwarden/sql`, 1 and 0 for JavaScript). Edits are UTF-16 ranges
   * of the linted file's text.
   */
  loc: SourceLocation;
}

export type FindingRuleContext<Code extends SourceCode = SourceCode> = RuleContext<{
  LangOptions: LanguageOptions;
  Code: Code;
  RuleOptions: unknown[];
  Node: unknown;
  MessageIds: FindingMessageId;
}>;

export interface FindingRuleDocs {
  /** pgwarden's risk for the rule's findings (a finding may say otherwise). */
  risk: Risk;
  tags: readonly RuleTag[];
}

export type FindingRuleDefinition<Code extends SourceCode = SourceCode> = RuleDefinition<{
  LangOptions: LanguageOptions;
  Code: Code;
  RuleOptions: unknown[];
  Visitor: RuleVisitor;
  Node: unknown;
  MessageIds: FindingMessageId;
  ExtRuleDocs: FindingRuleDocs;
}>;

export interface FindingSource<Code extends SourceCode = SourceCode> {
  /** The languages the rules lint, as ESLint names them (`pgwarden/sql`, `js/js`). */
  languages: readonly string[];
  /** The type of the tree's root node: the rules report when ESLint enters it. */
  rootNodeType: string;
  /**
   * The findings of the pgwarden rule `ruleId` (no plugin prefix) in the file `context` lints;
   * with `options` (validated), those the rule finds when it runs with them.
   */
  findings(context: FindingRuleContext<Code>, ruleId: string, options?: RuleOptions): readonly LocatedFinding[];
}

const MESSAGES: Record<FindingMessageId, string> = {
  finding: '{{message}} Help: {{help}}',
  findingWithoutHelp: '{{message}}',
  suggestion: '{{description}}',
};

/** The rule's page as shipped in the package (`docs/` is in `files`), for this version. */
export function ruleDocsUrl(ruleId: string): string {
  return `https://unpkg.com/pgwarden@${encodeURIComponent(TOOL_VERSION)}/docs/rules/${encodeURIComponent(ruleId)}.md`;
}

function applyEdits(fixer: RuleTextEditor, edits: readonly TextEdit[]): RuleTextEdit[] {
  return edits.map((edit) => fixer.replaceTextRange([edit.start, edit.end], edit.text));
}

/** Reports one finding: message and help, the exact location, and any edits it carries. */
export function reportFinding<Code extends SourceCode>(context: FindingRuleContext<Code>, finding: LocatedFinding): void {
  const fix = finding.fix;
  const suggest: Array<SuggestedEdit<FindingMessageId>> | undefined = finding.suggestions?.map((suggestion) => ({
    messageId: 'suggestion',
    data: { description: suggestion.description },
    fix: (fixer: RuleTextEditor) => applyEdits(fixer, suggestion.edits),
  }));
  context.report({
    loc: finding.loc,
    messageId: finding.help ? 'finding' : 'findingWithoutHelp',
    data: { message: finding.message, help: finding.help },
    ...(fix?.length ? { fix: (fixer: RuleTextEditor) => applyEdits(fixer, fix) } : {}),
    ...(suggest?.length ? { suggest } : {}),
  });
}

/** The options an ESLint config gives the rule (`['error', {...}]`), checked against its schema; undefined when none. */
function configuredOptions(meta: RuleMeta, context: { options: readonly unknown[]; id: string }): RuleOptions | undefined {
  const raw = context.options[0];
  if (raw === undefined || !meta.options) return undefined;
  const result = parseRuleOptions(meta, raw);
  if (!result.ok) throw new TypeError(`${context.id}: invalid options: ${result.problems.join('; ')}`);
  return result.options;
}

/** The ESLint rule for one pgwarden rule. */
export function findingRule<Code extends SourceCode>(meta: RuleMeta, source: FindingSource<Code>): FindingRuleDefinition<Code> {
  const options = optionsJsonSchema(meta, 'draft-4');
  return {
    meta: {
      type: 'problem',
      docs: {
        description: meta.summary,
        url: ruleDocsUrl(meta.id),
        recommended: !meta.optIn,
        risk: meta.risk,
        tags: meta.tags,
      },
      messages: MESSAGES,
      schema: options ? [options] : [],
      languages: [...source.languages],
      ...editFlags(meta),
    },
    create(context) {
      const options = configuredOptions(meta, context);
      return {
        [source.rootNodeType]() {
          for (const finding of source.findings(context, meta.id, options)) reportFinding(context, finding);
        },
      };
    },
  };
}

/** One ESLint rule per pgwarden rule, keyed by rule id. */
export function findingRules<Code extends SourceCode>(
  metas: readonly RuleMeta[],
  source: FindingSource<Code>,
): Record<string, FindingRuleDefinition<Code>> {
  return Object.fromEntries(metas.map((meta) => [meta.id, findingRule(meta, source)]));
}
