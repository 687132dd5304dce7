import type { Comment } from '../sql/comments.js';

export type DirectiveKind = 'disable-next-statement' | 'disable' | 'no-transaction';

export interface Directive {
  kind: DirectiveKind;
  /** Rule ids named; empty means every rule. */
  rules: string[];
  reason: string | null;
  start: number;
  end: number;
}

const DIRECTIVE = /^\s*pgwarden(-disable-next-statement|-disable|:no-transaction)(?=\s|$)(.*)$/s;

/**
 * Reads pgwarden's comment directives:
 * `-- pgwarden-disable-next-statement rule-a, rule-b -- reason`, `-- pgwarden-disable rule-a`,
 * `-- pgwarden:no-transaction`. Block comments work the same way.
 */
export function readDirectives(comments: readonly Comment[]): Directive[] {
  const directives: Directive[] = [];
  for (const comment of comments) {
    const match = DIRECTIVE.exec(comment.value);
    if (!match) continue;
    const kind: DirectiveKind =
      match[1] === ':no-transaction' ? 'no-transaction' : match[1] === '-disable' ? 'disable' : 'disable-next-statement';
    const rest = match[2]!;
    const separator = rest.indexOf('--');
    const list = separator >= 0 ? rest.slice(0, separator) : rest;
    const reason = separator >= 0 ? rest.slice(separator + 2).trim() || null : null;
    const rules = list
      .split(/[\s,]+/)
      .map((r) => r.trim())
      .filter(Boolean);
    directives.push({ kind, rules, reason, start: comment.start, end: comment.end });
  }
  return directives;
}
