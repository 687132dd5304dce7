import type { SourceFile } from './source.js';

export interface Comment {
  kind: 'line' | 'block';
  /** The text between the markers (`--` / `/*` and `*\/`). */
  value: string;
  /** UTF-16 range of the whole comment, markers included. */
  start: number;
  end: number;
}

/**
 * Comments that stand between statements. Statement ranges exclude leading comments, so the
 * gaps between them hold only white space, semicolons and comments: no tokenizer pass needed.
 * Comments inside a statement are not directives and are not collected.
 */
export function commentsBetween(source: SourceFile, codeByteRanges: Array<{ start: number; end: number }>): Comment[] {
  const ranges = [...codeByteRanges].sort((a, b) => a.start - b.start);
  const comments: Comment[] = [];
  let cursor = 0;
  for (const range of ranges) {
    const start = source.byteToIndex(range.start);
    if (start > cursor) collectComments(source.text, cursor, start, comments);
    cursor = Math.max(cursor, source.byteToIndex(range.end));
  }
  collectComments(source.text, cursor, source.text.length, comments);
  return comments;
}

function collectComments(text: string, from: number, to: number, out: Comment[]): void {
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 45 /* - */ && text.charCodeAt(i + 1) === 45) {
      let end = i + 2;
      while (end < to && text[end] !== '\n' && text[end] !== '\r') end++;
      out.push({ kind: 'line', value: text.slice(i + 2, end), start: i, end });
      i = end;
    } else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      let depth = 1;
      let end = i + 2;
      while (end < to && depth > 0) {
        if (text[end] === '/' && text[end + 1] === '*') {
          depth++;
          end += 2;
        } else if (text[end] === '*' && text[end + 1] === '/') {
          depth--;
          end += 2;
        } else end++;
      }
      out.push({ kind: 'block', value: text.slice(i + 2, depth === 0 ? end - 2 : end), start: i, end });
      i = end;
    } else i++;
  }
}
