import type { Cooked } from './cook.js';
import { SqlLexer, type LexMode } from './sql-lexer.js';

/** A run of SQL text, each UTF-16 unit with its source range in the TS/JS file. */
export interface TextSegment {
  kind: 'text';
  text: string;
  from: number[];
  to: number[];
}

/** Code whose SQL is only known at run time: a `${…}` substitution, a variable, a binding. */
export interface DynamicSegment {
  kind: 'dynamic';
  /** Range in the TS/JS file. */
  start: number;
  end: number;
  /** Source text shown in the placeholder (so messages read `ALTER TABLE ${table} …`). */
  label: string;
  reason: string;
}

export type Segment = TextSegment | DynamicSegment;

export interface DynamicPart {
  /** Range of the dynamic code in the TS/JS file (`${…}` with its braces, a variable, a binding marker). */
  start: number;
  end: number;
  /** What it is, for the finding's message, e.g. "template substitution `${table}`". */
  reason: string;
  /** Range of its placeholder in the fragment's `sql`. */
  sqlStart: number;
  sqlEnd: number;
  /** The placeholder stands where a whole statement would: nothing but white space or `;` around it. */
  alone: boolean;
  /** The placeholder is SQL code (not inside a string, quoted identifier or comment). */
  inCode: boolean;
}

export interface BuiltSql {
  sql: string;
  from: number[];
  to: number[];
  dynamic: DynamicPart[];
}

/** Collects a fragment's pieces in order; `build()` chooses each placeholder by its SQL context. */
export class FragmentBuilder {
  readonly segments: Segment[] = [];

  text(text: string, from: readonly number[], to: readonly number[]): this {
    if (!text) return this;
    const last = this.segments[this.segments.length - 1];
    if (last?.kind === 'text') {
      last.text += text;
      append(last.from, from);
      append(last.to, to);
    } else {
      this.segments.push({ kind: 'text', text, from: [...from], to: [...to] });
    }
    return this;
  }

  cooked(cooked: Cooked): this {
    return this.text(cooked.text, cooked.from, cooked.to);
  }

  /** Text that stands for a whole source range (an inlined binding value, an unescaped `\?`). */
  inline(text: string, start: number, end: number): this {
    return this.text(text, new Array<number>(text.length).fill(start), new Array<number>(text.length).fill(end));
  }

  dynamic(start: number, end: number, label: string, reason: string): this {
    this.segments.push({ kind: 'dynamic', start, end, label, reason });
    return this;
  }

  append(segment: Segment): this {
    return segment.kind === 'text' ? this.text(segment.text, segment.from, segment.to) : this.dynamic(segment.start, segment.end, segment.label, segment.reason);
  }

  build(): BuiltSql {
    let sql = '';
    const from: number[] = [];
    const to: number[] = [];
    const dynamic: DynamicPart[] = [];
    const lexer = new SqlLexer();
    for (const segment of this.segments) {
      if (segment.kind === 'text') {
        sql += segment.text;
        append(from, segment.from);
        append(to, segment.to);
        continue;
      }
      const mode = lexer.advance(sql);
      const placeholder = placeholderFor(mode, segment.label);
      const sqlStart = sql.length;
      sql += placeholder;
      for (let k = 0; k < placeholder.length; k++) {
        from.push(segment.start);
        to.push(segment.end);
      }
      dynamic.push({
        start: segment.start,
        end: segment.end,
        reason: segment.reason,
        sqlStart,
        sqlEnd: sql.length,
        alone: false,
        inCode: mode === 'code',
      });
    }
    for (const part of dynamic) {
      if (!part.inCode) continue;
      const before = sql.slice(0, part.sqlStart).trimEnd();
      const after = sql.slice(part.sqlEnd).trimStart();
      part.alone = (before === '' || before.endsWith(';')) && (after === '' || after.startsWith(';'));
    }
    return { sql, from, to, dynamic };
  }
}

/**
 * In code, a quoted identifier: the grammar takes one wherever a name or a value goes, and rules
 * then name it as written (`${table}`). Inside quotes or a comment, plain characters that cannot
 * close them.
 */
function placeholderFor(mode: LexMode, label: string): string {
  const flat = label.replace(/\s+/g, ' ').trim();
  const short = flat.length > 40 ? `${flat.slice(0, 37)}...` : flat;
  if (mode === 'code') return `"\${${short.replace(/[^\x20-\x7e]/g, '_').replaceAll('"', "'")}}"`;
  return `\${${short.replace(/[^\w.,()[\] +-]/g, '_')}}`;
}

function append(target: number[], values: readonly number[]): void {
  for (const value of values) target.push(value);
}
