import type { DirectiveType, FileProblem, RulesConfig, SourceLocation } from '@eslint/core';
import { ConfigCommentParser, Directive } from '@eslint/plugin-kit';
import type { CommentNode } from './ast.js';

/**
 * ESLint's comment directives in SQL comments: `-- eslint-disable-next-line pgwarden/no-drop-table
 * -- reason`, `/* eslint-disable … *\/`, `eslint-enable`, `eslint-disable-line`, and
 * `/* eslint pgwarden/no-truncate: off *\/` inline rule configuration. ESLint applies them (and
 * reports unused ones); pgwarden's own `pgwarden-disable…` directives act inside the analysis.
 */
const parser = new ConfigCommentParser();

const INLINE_CONFIG = /^\s*(?:eslint(?:-enable|-disable(?:(?:-next)?-line)?)?)(?:\s|$)/u;

const DIRECTIVE_TYPES: Readonly<Record<string, DirectiveType>> = {
  'eslint-disable': 'disable',
  'eslint-enable': 'enable',
  'eslint-disable-line': 'disable-line',
  'eslint-disable-next-line': 'disable-next-line',
};

export function isInlineConfigComment(comment: CommentNode): boolean {
  return INLINE_CONFIG.test(comment.value);
}

export function disableDirectives(comments: readonly CommentNode[]): { directives: Directive[]; problems: FileProblem[] } {
  const directives: Directive[] = [];
  const problems: FileProblem[] = [];
  for (const comment of comments) {
    const parsed = parser.parseDirective(comment.value);
    if (!parsed) continue;
    const type = DIRECTIVE_TYPES[parsed.label];
    if (!type) continue;
    if (type === 'disable-line' && comment.loc.start.line !== comment.loc.end.line) {
      problems.push({ ruleId: null, message: `${parsed.label} comment should not span multiple lines.`, loc: comment.loc });
      continue;
    }
    directives.push(new Directive({ type, node: comment, value: parsed.value, justification: parsed.justification }));
  }
  return { directives, problems };
}

export interface InlineConfig {
  config: { rules: RulesConfig };
  loc: SourceLocation;
}

export function inlineConfigs(comments: readonly CommentNode[]): { configs: InlineConfig[]; problems: FileProblem[] } {
  const configs: InlineConfig[] = [];
  const problems: FileProblem[] = [];
  for (const comment of comments) {
    const parsed = parser.parseDirective(comment.value);
    if (parsed?.label !== 'eslint') continue;
    const result = parser.parseJSONLikeConfig(parsed.value);
    if (result.ok) configs.push({ config: { rules: result.config }, loc: comment.loc });
    else problems.push({ ruleId: null, message: result.error.message, loc: comment.loc });
  }
  return { configs, problems };
}
