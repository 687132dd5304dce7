import type { Finding, TextEdit } from '../analysis/finding.js';
import type { RuleMeta } from '../analysis/rule.js';

export type { TextEdit } from '../analysis/finding.js';

export interface FindingSuggestion {
  /** What applying the edits does, shown by editors ("Add CONCURRENTLY"). */
  description: string;
  edits: readonly TextEdit[];
}

/** A finding's fix as ESLint takes it: applied by `--fix`, or offered to the editor user. */
export interface FindingEdits {
  fix?: readonly TextEdit[];
  suggestions?: readonly FindingSuggestion[];
}

/**
 * The edits a finding carries, if any (plain data, copied). A fix that needs a follow-up migration
 * (NOT VALID now, VALIDATE later) is only a suggestion: ESLint can edit this file but cannot write
 * that migration, and the edits alone would leave the constraint unvalidated for good.
 */
export function findingEdits(finding: Finding): FindingEdits {
  const fix = finding.fix;
  if (!fix?.edits.length) return {};
  const edits = fix.edits.map((edit) => ({ ...edit }));
  if (!fix.followUp) return { fix: edits };
  return {
    suggestions: [{ description: `${fix.description} Then run in a later migration (pgwarden lint --fix writes it): ${fix.followUp.sql}`, edits }],
  };
}

/** The flags ESLint requires before a rule may report fixes or suggestions: rules with a `fix` in their meta. */
export function editFlags(meta: RuleMeta): { fixable?: 'code'; hasSuggestions?: true } {
  return meta.fix ? { fixable: 'code', hasSuggestions: true } : {};
}
