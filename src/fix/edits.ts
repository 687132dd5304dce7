import type { TextEdit } from '../analysis/finding.js';

/** Something that edits a text: a finding's fix, in the analysis or in the JSON report. */
export interface Edits {
  edits: readonly TextEdit[];
}

/**
 * The fixes that can be applied together, in file order: a fix is skipped when one of its edits
 * overlaps or touches an edit of a fix taken before it (two insertions at one point would leave
 * their order to chance). Skipped fixes are applied by the next pass, on the re-linted text.
 */
export function chooseFixes<T extends Edits>(fixes: readonly T[]): T[] {
  const firstStart = (fix: T) => Math.min(...fix.edits.map((edit) => edit.start));
  const taken: TextEdit[] = [];
  const chosen: T[] = [];
  for (const fix of [...fixes].filter((f) => f.edits.length).sort((a, b) => firstStart(a) - firstStart(b))) {
    const clashes = fix.edits.some(
      (edit, i) =>
        taken.some((other) => edit.start <= other.end && other.start <= edit.end) ||
        fix.edits.some((own, j) => j !== i && edit.start <= own.end && own.start <= edit.end),
    );
    if (clashes) continue;
    taken.push(...fix.edits);
    chosen.push(fix);
  }
  return chosen;
}

/** The text with non-overlapping edits applied (from the end backwards, so earlier offsets hold). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return result;
}
