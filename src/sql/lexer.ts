/**
 * A scanner for the SQL most migrations are made of, cutting tokens exactly where PostgreSQL's
 * scanner (scan.l) does. libpg-query's `scanSync` costs about 0.4 µs per character, five times
 * its parser; this costs a small fraction of that. Anything outside the subset it knows
 * (parameters, dollar quotes with non-ASCII tags, E'' and other prefixed strings, string
 * continuation across lines, numbers other than `12` and `1.5`, `..`, `:=`, backslashes in
 * strings, emoji, unterminated quotes and comments, control characters) makes it give up, and the
 * caller asks the real scanner.
 */

import type { Token } from './split.js';

const enum Char {
  LineFeed = 10,
  CarriageReturn = 13,
  DoubleQuote = 34,
  Quote = 39,
  Star = 42,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Colon = 58,
  Dollar = 36,
}

/**
 * Control characters other than tab and line breaks: libpg-query's scanner writes them unescaped
 * into its JSON, so a token holding one makes `scanSync` fail and the caller fall back to its own
 * tokenizer. Left to that path, as are 4-byte characters (surrogate pairs), whose UTF-8 offsets
 * the slower path counts.
 */
// eslint-disable-next-line no-control-regex -- finding them is the point
const UNCOVERED_CHARACTERS = /[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]/;
// eslint-disable-next-line no-control-regex -- the ASCII range
const NON_ASCII = /[^\x00-\x7f]/;

// Runs of characters, matched natively from a position (sticky): far faster than a character loop
// in code V8 does not optimise during a short run.
/** Space, tab and line breaks: PostgreSQL's white space less \f and \v (see UNCOVERED_CHARACTERS). */
const SPACE = /[ \t\n\r]*/y;
/** ident_cont: letters, digits, `_`, `$`, and any non-ASCII character (every byte of its UTF-8 form is one). */
const IDENTIFIER_PART = /[A-Za-z0-9_$\u0080-\uffff]*/y;
const NOT_LINE_BREAK = /[^\n\r]*/y;
const DIGITS = /[0-9]*/y;
/** op_chars: ~ ! @ # ^ & | ` ? + - * / % < > = */
const OPERATOR_CHARS = /[~!@#^&|`?+\-*/%<>=]*/y;

function runEnd(run: RegExp, text: string, from: number): number {
  run.lastIndex = from;
  run.test(text);
  return run.lastIndex;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** ident_start: a letter, `_`, or any non-ASCII character. */
function isIdentifierStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0x80;
}

function isIdentifierPart(c: number): boolean {
  return isIdentifierStart(c) || isDigit(c) || c === Char.Dollar;
}

/** Characters that keep a trailing + or - in a multi-character operator. */
const KEEPS_TRAILING_SIGN = /[~!@#^&|`?%]/;
/** Single-character tokens besides the operator characters (scan.l's `self`, and `other` characters). */
const SINGLE = new Set([...',()[];{}\\'].map((c) => c.charCodeAt(0)));

/** Returns undefined when the text holds anything the subset does not cover. */
export function lexCommonSql(text: string): Token[] | undefined {
  // The real scanner rejects an empty text.
  if (!text || UNCOVERED_CHARACTERS.test(text)) return undefined;
  const ranges: Array<{ from: number; to: number; comment: boolean }> = [];
  const n = text.length;
  for (let i = runEnd(SPACE, text, 0); i < n; i = runEnd(SPACE, text, i)) {
    const c = text.charCodeAt(i);
    const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
    let end: number | undefined;
    let comment = false;
    if (c === Char.Minus && next === Char.Minus) {
      end = runEnd(NOT_LINE_BREAK, text, i + 2);
      comment = true;
    } else if (c === Char.Slash && next === Char.Star) {
      end = blockCommentEnd(text, i);
      comment = true;
    } else if (isIdentifierStart(c)) {
      end = runEnd(IDENTIFIER_PART, text, i + 1);
      // E'…', B'…', X'…', N'…' and U&'…' / U&"…" are one token with their prefix.
      const after = end < n ? text.charCodeAt(end) : -1;
      if (after === Char.Quote || (after === 38 /* & */ && end - i === 1 && (c === 85 || c === 117))) return undefined;
    } else if (c === Char.DoubleQuote) {
      end = quotedEnd(text, i, '"');
      if (end === i + 2) return undefined; // zero-length identifier: an error
    } else if (c === Char.Quote) {
      end = quotedEnd(text, i, "'");
      if (end !== undefined && (text.slice(i, end).includes('\\') || continuesString(text, end))) return undefined;
    } else if (isDigit(c)) {
      end = numberEnd(text, i);
    } else if (c === Char.Colon) {
      if (next === 61 /* = */) return undefined;
      end = next === Char.Colon ? i + 2 : i + 1;
    } else if (c === Char.Dot) {
      if (next === Char.Dot || isDigit(next)) return undefined;
      end = i + 1;
    } else if (c === Char.Dollar) {
      end = dollarQuotedEnd(text, i);
    } else if (SINGLE.has(c)) {
      end = i + 1;
    } else {
      end = operatorEnd(text, i);
    }
    if (end === undefined || end === i) return undefined;
    ranges.push({ from: i, to: end, comment });
    i = end;
  }
  return withByteOffsets(text, ranges);
}

/** The tokens with UTF-8 byte offsets, which equal UTF-16 indices in ASCII text. */
function withByteOffsets(text: string, ranges: ReadonlyArray<{ from: number; to: number; comment: boolean }>): Token[] {
  const ascii = !NON_ASCII.test(text);
  let index = 0;
  let byte = 0;
  const byteAt = (at: number) => {
    for (; index < at; index++) {
      const c = text.charCodeAt(index);
      byte += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    }
    return byte;
  };
  return ranges.map(({ from, to, comment }) => ({
    start: ascii ? from : byteAt(from),
    end: ascii ? to : byteAt(to),
    text: text.slice(from, to),
    comment,
  }));
}

/** `/* … *\/`, nested; undefined when it never ends. */
function blockCommentEnd(text: string, from: number): number | undefined {
  let depth = 1;
  let i = from + 2;
  for (;;) {
    const close = text.indexOf('*/', i);
    if (close < 0) return undefined;
    const open = text.indexOf('/*', i);
    if (open >= 0 && open < close) {
      depth++;
      i = open + 2;
    } else {
      depth--;
      i = close + 2;
      if (depth === 0) return i;
    }
  }
}

/** `$tag$` with an ASCII tag, or `$$`. */
const DOLLAR_QUOTE = /\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$/y;

/**
 * A dollar-quoted string: up to the first repeat of its opening delimiter, which is where the
 * scanner, trying every `$` inside, ends it. Undefined for a `$` that opens none (a parameter, a
 * tag with non-ASCII characters) and for an unterminated string.
 */
function dollarQuotedEnd(text: string, from: number): number | undefined {
  DOLLAR_QUOTE.lastIndex = from;
  const delimiter = DOLLAR_QUOTE.exec(text)?.[0];
  if (!delimiter) return undefined;
  const close = text.indexOf(delimiter, from + delimiter.length);
  return close < 0 ? undefined : close + delimiter.length;
}

/** A quoted identifier or standard string (doubled quotes inside); undefined when it never ends. */
function quotedEnd(text: string, from: number, quote: string): number | undefined {
  let i = from + 1;
  for (;;) {
    const at = text.indexOf(quote, i);
    if (at < 0) return undefined;
    if (text[at + 1] !== quote) return at + 1;
    i = at + 2;
  }
}

/**
 * A string followed, across white space and `--` comments, by another: PostgreSQL joins them into
 * one token when a line break stands between them.
 */
function continuesString(text: string, from: number): boolean {
  let i = runEnd(SPACE, text, from);
  while (text.charCodeAt(i) === Char.Minus && text.charCodeAt(i + 1) === Char.Minus) {
    i = runEnd(SPACE, text, runEnd(NOT_LINE_BREAK, text, i + 2));
  }
  return text.charCodeAt(i) === Char.Quote;
}

/** `12` or `1.5` (or `1.`); undefined for other forms (exponents, `_`, hex, junk after a number, `1..2`). */
function numberEnd(text: string, from: number): number | undefined {
  let i = runEnd(DIGITS, text, from);
  if (text.charCodeAt(i) === Char.Dot) {
    if (text.charCodeAt(i + 1) === Char.Dot) return undefined;
    i = runEnd(DIGITS, text, i + 1);
  }
  const after = text.charCodeAt(i);
  return i < text.length && (isIdentifierPart(after) || after === Char.Dot) ? undefined : i;
}

/**
 * An operator, cut as scan.l cuts it: the run of operator characters up to any `--` or `/*` in it,
 * less trailing `+` and `-` unless the run holds one of ~ ! @ # ^ & | ` ? %. Undefined for a
 * character that is neither an operator nor covered by the callers.
 */
function operatorEnd(text: string, from: number): number | undefined {
  const end = runEnd(OPERATOR_CHARS, text, from);
  if (end === from) return undefined;
  const run = text.slice(from, end);
  const comment = [run.indexOf('/*', 1), run.indexOf('--', 1)].filter((at) => at > 0);
  let length = comment.length ? Math.min(...comment) : run.length;
  const sign = (at: number) => run[at] === '+' || run[at] === '-';
  if (length > 1 && sign(length - 1) && !KEEPS_TRAILING_SIGN.test(run.slice(0, length - 1))) {
    do length--;
    while (length > 1 && sign(length - 1));
  }
  return from + length;
}
