/**
 * A scanner for the SQL most migrations are made of, cutting tokens exactly where PostgreSQL's
 * scanner (scan.l) does. libpg-query's `scanSync` costs about 0.4 µs per character, five times
 * its parser; this costs a small fraction of that. Anything outside the subset it knows (dollar
 * quotes, parameters, E'' and other prefixed strings, string continuation across lines, numbers
 * other than `12` and `1.5`, `..`, `:=`, backslashes, emoji, unterminated quotes and comments,
 * control characters) makes it give up, and the caller asks the real scanner.
 */

import type { Token } from './split.js';

const enum Char {
  Tab = 9,
  LineFeed = 10,
  CarriageReturn = 13,
  Space = 32,
  DoubleQuote = 34,
  Dollar = 36,
  Quote = 39,
  Star = 42,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Colon = 58,
}

/** Space, tab and line breaks: PostgreSQL's white space less \f and \v (see CONTROL_CHARACTERS). */
function isSpace(c: number): boolean {
  return c === Char.Space || c === Char.Tab || c === Char.LineFeed || c === Char.CarriageReturn;
}

/**
 * Control characters other than tab and line breaks: libpg-query's scanner writes them unescaped
 * into its JSON, so a token holding one makes `scanSync` fail and the caller fall back to its own
 * tokenizer. Left to that path.
 */
// eslint-disable-next-line no-control-regex -- finding them is the point
const CONTROL_CHARACTERS = /[\x00-\x08\x0b\x0c\x0e-\x1f]/;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** ident_start: a letter, `_`, or any non-ASCII character (every byte of its UTF-8 form is one). */
function isIdentifierStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0x80;
}

function isIdentifierPart(c: number): boolean {
  return isIdentifierStart(c) || isDigit(c) || c === Char.Dollar;
}

/** op_chars: ~ ! @ # ^ & | ` ? + - * / % < > = */
const OPERATOR_CHARS = new Set([...'~!@#^&|`?+-*/%<>='].map((c) => c.charCodeAt(0)));
/** Characters that keep a trailing + or - in a multi-character operator. */
const KEEPS_TRAILING_SIGN = new Set([...'~!@#^&|`?%'].map((c) => c.charCodeAt(0)));
/** Single-character tokens besides the operator characters. */
const PUNCTUATION = new Set([...',()[];'].map((c) => c.charCodeAt(0)));

/** UTF-8 width of a UTF-16 unit outside the surrogate range. */
function utf8Width(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
}

/** Returns undefined when the text holds anything the subset does not cover. */
export function lexCommonSql(text: string): Token[] | undefined {
  // The real scanner rejects an empty text.
  if (!text || CONTROL_CHARACTERS.test(text)) return undefined;
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  let byte = 0;
  /** Moves `i` to `to`, counting the UTF-8 bytes passed; false on a surrogate (4-byte characters are left to the real scanner). */
  const advance = (to: number): boolean => {
    for (; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdfff) return false;
      byte += utf8Width(c);
    }
    return true;
  };
  const push = (from: number, fromByte: number, comment: boolean) =>
    tokens.push({ start: fromByte, end: byte, text: text.slice(from, i), comment });

  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      byte++;
      continue;
    }
    const from = i;
    const fromByte = byte;
    const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
    let end: number | undefined;
    let comment = false;
    if (c === Char.Minus && next === Char.Minus) {
      end = lineCommentEnd(text, i);
      comment = true;
    } else if (c === Char.Slash && next === Char.Star) {
      end = blockCommentEnd(text, i);
      comment = true;
    } else if (isIdentifierStart(c)) {
      end = i + 1;
      while (end < n && isIdentifierPart(text.charCodeAt(end))) end++;
      // E'…', B'…', X'…', N'…' and U&'…' / U&"…" are one token with their prefix.
      const after = end < n ? text.charCodeAt(end) : -1;
      if (after === Char.Quote || (after === 38 /* & */ && end - i === 1 && (c === 85 || c === 117))) return undefined;
    } else if (c === Char.DoubleQuote) {
      end = quotedEnd(text, i, Char.DoubleQuote);
      if (end === i + 2) return undefined; // zero-length identifier: an error
    } else if (c === Char.Quote) {
      end = quotedEnd(text, i, Char.Quote);
      if (end !== undefined && (text.slice(i, end).includes('\\') || continuesString(text, end))) return undefined;
    } else if (isDigit(c)) {
      end = numberEnd(text, i);
    } else if (c === Char.Colon) {
      if (next === 61 /* = */) return undefined;
      end = next === Char.Colon ? i + 2 : i + 1;
    } else if (c === Char.Dot) {
      if (next === Char.Dot || isDigit(next)) return undefined;
      end = i + 1;
    } else if (PUNCTUATION.has(c)) {
      end = i + 1;
    } else if (OPERATOR_CHARS.has(c)) {
      end = operatorEnd(text, i);
    }
    if (end === undefined || !advance(end)) return undefined;
    push(from, fromByte, comment);
  }
  return tokens;
}

/** `--` up to the line break. */
function lineCommentEnd(text: string, from: number): number {
  let i = from + 2;
  while (i < text.length && text.charCodeAt(i) !== Char.LineFeed && text.charCodeAt(i) !== Char.CarriageReturn) i++;
  return i;
}

/** `/* … *\/`, nested; undefined when it never ends. */
function blockCommentEnd(text: string, from: number): number | undefined {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c === Char.Slash && next === Char.Star) {
      depth++;
      i += 2;
    } else if (c === Char.Star && next === Char.Slash) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return undefined;
}

/** A quoted identifier or standard string (doubled quotes inside); undefined when it never ends. */
function quotedEnd(text: string, from: number, quote: number): number | undefined {
  let i = from + 1;
  while (i < text.length) {
    if (text.charCodeAt(i) === quote) {
      if (text.charCodeAt(i + 1) !== quote) return i + 1;
      i += 2;
    } else i++;
  }
  return undefined;
}

/**
 * A string followed, across white space and `--` comments, by another: PostgreSQL joins them into
 * one token when a line break stands between them.
 */
function continuesString(text: string, from: number): boolean {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) i++;
    else if (c === Char.Minus && text.charCodeAt(i + 1) === Char.Minus) i = lineCommentEnd(text, i);
    else return c === Char.Quote;
  }
  return false;
}

/** `12` or `1.5` (or `1.`); undefined for other forms (exponents, `_`, hex, junk after a number, `1..2`). */
function numberEnd(text: string, from: number): number | undefined {
  let i = from;
  while (isDigit(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === Char.Dot) {
    if (text.charCodeAt(i + 1) === Char.Dot) return undefined;
    i++;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const after = text.charCodeAt(i);
  return i < text.length && (isIdentifierPart(after) || after === Char.Dot) ? undefined : i;
}

/**
 * An operator, cut as scan.l cuts it: the run of operator characters up to any `--` or `/*` in it,
 * less trailing `+` and `-` unless the run holds one of ~ ! @ # ^ & | ` ? %.
 */
function operatorEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && OPERATOR_CHARS.has(text.charCodeAt(end))) end++;
  const run = text.slice(from, end);
  const comment = [run.indexOf('/*', 1), run.indexOf('--', 1)].filter((at) => at > 0);
  let length = comment.length ? Math.min(...comment) : run.length;
  const sign = (at: number) => run[at] === '+' || run[at] === '-';
  if (length > 1 && sign(length - 1)) {
    let keeps = false;
    for (let k = 0; k < length - 1; k++) if (KEEPS_TRAILING_SIGN.has(run.charCodeAt(k))) keeps = true;
    if (!keeps) {
      do length--;
      while (length > 1 && sign(length - 1));
    }
  }
  return from + length;
}
