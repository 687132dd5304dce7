import type { Finding } from '../analysis/finding.js';
import type { RuleMeta } from '../analysis/rule.js';

/** A replacement of the UTF-16 range `[start, end)` of the linted text. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export interface FindingSuggestion {
  /** What applying the edits does, shown by editors ("Use CREATE INDEX CONCURRENTLY"). */
  description: string;
  edits: readonly TextEdit[];
}

/**
 * Edits a finding may carry. pgwarden's findings carry none yet; when a rule starts producing
 * them (a `fix` or `suggestions` field on its findings, and `fixable` / `hasSuggestions` in its
 * meta), they flow through the analysis to ESLint's `fix` and `suggest` without further changes.
 */
export interface FindingEdits {
  fix?: readonly TextEdit[];
  suggestions?: readonly FindingSuggestion[];
}

/** Rule meta with the flags ESLint requires before a rule may report fixes or suggestions. */
export type EditableRuleMeta = RuleMeta & { fixable?: boolean; hasSuggestions?: boolean };

/** The edits a finding carries, if any (plain data, copied). */
export function findingEdits(finding: Finding): FindingEdits {
  const { fix, suggestions } = finding as Finding & FindingEdits;
  const edits: FindingEdits = {};
  if (fix?.length) edits.fix = fix.map((edit) => ({ ...edit }));
  if (suggestions?.length) {
    edits.suggestions = suggestions.map((s) => ({ description: s.description, edits: s.edits.map((edit) => ({ ...edit })) }));
  }
  return edits;
}
