import type { EmbeddedComment, SqlFragment } from './extract.js';
import { SqlLexer } from './sql-lexer.js';

/**
 * The SQL one part of a TS/JS migration runs, as one text the engine analyses like a .sql file:
 * the fragments in file order, each ended by a semicolon, with the pgwarden comments between
 * them. Every character remembers the file range it came from.
 */
export class VirtualSql {
  private readonly parts: string[] = [];
  private length = 0;
  private readonly from: number[] = [];
  private readonly to: number[] = [];
  /** The placeholders of dynamic parts, in virtual coordinates, with the part they stand for. */
  readonly placeholders: Array<{ start: number; end: number; reason: string }> = [];

  get text(): string {
    return this.parts.join('');
  }

  /** Text that stands for the file range `start…end` as a whole. */
  add(text: string, start: number, end: number): void {
    this.push(text, () => start, () => end);
  }

  /** A JS comment rewritten as SQL, character for character. */
  comment(comment: EmbeddedComment): void {
    this.push(comment.sql, (k) => comment.start + k, (k) => comment.start + k + 1);
    this.add('\n', comment.end, comment.end);
  }

  /**
   * A fragment run as statements. A placeholder standing alone where a statement goes becomes
   * `SELECT <placeholder>`, so it is a statement that directives can name.
   */
  fragment(fragment: SqlFragment): void {
    // Trailing white space would end up inside the last statement's range.
    const sql = fragment.sql.trimEnd();
    let cursor = 0;
    for (const part of fragment.dynamic) {
      this.push(sql.slice(cursor, part.sqlStart), (k) => fragment.map(cursor + k), (k) => fragment.mapEnd(cursor + k + 1));
      if (part.alone) this.add('SELECT ', part.start, part.end);
      const start = this.length;
      this.add(sql.slice(part.sqlStart, part.sqlEnd), part.start, part.end);
      this.placeholders.push({ start, end: this.length, reason: part.reason });
      cursor = part.sqlEnd;
    }
    this.push(sql.slice(cursor), (k) => fragment.map(cursor + k), (k) => fragment.mapEnd(cursor + k + 1));
    const end = fragment.mapEnd(sql.length);
    // A trailing `--` comment would swallow the semicolon: end its line first.
    this.add(new SqlLexer().advance(sql) === 'line-comment' ? '\n;\n' : ';\n', end, end);
  }

  /** File index of the virtual character at `index` (the end of the text maps to the last character's end). */
  fileStart(index: number): number {
    if (index < this.from.length) return this.from[Math.max(index, 0)] ?? 0;
    return this.to[this.to.length - 1] ?? 0;
  }

  /** File index just after the virtual characters before `end`. */
  fileEnd(end: number): number {
    if (end <= 0) return this.from[0] ?? 0;
    return this.to[Math.min(end, this.to.length) - 1] ?? 0;
  }

  private push(text: string, from: (k: number) => number, to: (k: number) => number): void {
    if (!text) return;
    this.parts.push(text);
    for (let k = 0; k < text.length; k++) {
      this.from.push(from(k));
      this.to.push(to(k));
    }
    this.length += text.length;
  }
}
