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

/** Where the next comment may start: `--` or `/*` (found natively, not by a character loop). */
const COMMENT_START = /--|\/\*/g;
const LINE_REST = /[^\n\r]*/y;

function collectComments(text: string, from: number, to: number, out: Comment[]): void {
  COMMENT_START.lastIndex = from;
  for (let match = COMMENT_START.exec(text); match && match.index < to; match = COMMENT_START.exec(text)) {
    const i = match.index;
    let end: number;
    if (match[0] === '--') {
      end = i + 2;
      if (end < to) {
        LINE_REST.lastIndex = end;
        LINE_REST.test(text);
        end = Math.min(LINE_REST.lastIndex, to);
      }
      out.push({ kind: 'line', value: text.slice(i + 2, end), start: i, end });
    } else {
      let depth = 1;
      end = i + 2;
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
    }
    COMMENT_START.lastIndex = end;
  }
}
