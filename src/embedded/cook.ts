/**
 * The value of a JavaScript string literal or template piece, decoded from its source text with
 * the source range of every UTF-16 unit, so a position in the SQL maps back to the exact
 * characters in the TS/JS file, escape sequences included.
 */
export interface Cooked {
  text: string;
  /** Per UTF-16 unit of `text`: file index where the characters producing it start… */
  from: number[];
  /** …and end (exclusive). An escape like `\n` maps both ways to its two source characters. */
  to: number[];
}

/** `raw`: a `String.raw` template, whose value is its source text (line breaks normalised). */
export type LiteralKind = 'string' | 'template' | 'raw';

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' };
const HEX = /^[0-9a-fA-F]+$/;

/**
 * Decodes `source.slice(start, end)`, the content between a literal's delimiters. Templates
 * normalise CR LF and CR to LF, as JavaScript does. Returns undefined for an escape that has no
 * value (`\u` without digits, octal escapes in templates): the literal's value is then unknown.
 */
export function cook(source: string, start: number, end: number, kind: LiteralKind): Cooked | undefined {
  const out: Cooked = { text: '', from: [], to: [] };
  const parts: string[] = [];
  const push = (value: string, from: number, to: number) => {
    parts.push(value);
    for (let k = 0; k < value.length; k++) {
      out.from.push(from);
      out.to.push(to);
    }
  };
  let i = start;
  while (i < end) {
    const c = source[i]!;
    if (c === '\\' && kind !== 'raw') {
      const escape = readEscape(source, i + 1, end, kind);
      if (!escape) return undefined;
      if (escape.value) push(escape.value, i, escape.next);
      i = escape.next;
    } else if (kind !== 'string' && c === '\r') {
      const next = source[i + 1] === '\n' ? i + 2 : i + 1;
      push('\n', i, next);
      i = next;
    } else {
      push(c, i, i + 1);
      i++;
    }
  }
  out.text = parts.join('');
  return out;
}

interface Escape {
  value: string;
  /** Index after the escape sequence. */
  next: number;
}

function readEscape(source: string, at: number, end: number, kind: LiteralKind): Escape | undefined {
  if (at >= end) return undefined;
  const c = source[at]!;
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return { value: simple, next: at + 1 };
  switch (c) {
    case '\r':
      // Line continuation: the backslash and the line break produce nothing.
      return { value: '', next: source[at + 1] === '\n' ? at + 2 : at + 1 };
    case '\n':
    case '\u2028':
    case '\u2029':
      return { value: '', next: at + 1 };
    case 'x': {
      const hex = source.slice(at + 1, at + 3);
      if (hex.length !== 2 || at + 3 > end || !HEX.test(hex)) return undefined;
      return { value: String.fromCharCode(parseInt(hex, 16)), next: at + 3 };
    }
    case 'u':
      return unicodeEscape(source, at + 1, end);
    default:
      break;
  }
  if (c >= '0' && c <= '7') return octalEscape(source, at, end, kind);
  // Any other character stands for itself (\' \" \\ \` \$ …); keep a surrogate pair whole.
  const code = source.charCodeAt(at);
  const pair = code >= 0xd800 && code <= 0xdbff && at + 1 < end;
  return { value: source.slice(at, pair ? at + 2 : at + 1), next: pair ? at + 2 : at + 1 };
}

function unicodeEscape(source: string, at: number, end: number): Escape | undefined {
  if (source[at] === '{') {
    const close = source.indexOf('}', at);
    if (close < 0 || close >= end) return undefined;
    const hex = source.slice(at + 1, close);
    if (!HEX.test(hex)) return undefined;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) return undefined;
    return { value: String.fromCodePoint(code), next: close + 1 };
  }
  const hex = source.slice(at, at + 4);
  if (hex.length !== 4 || at + 4 > end || !HEX.test(hex)) return undefined;
  return { value: String.fromCharCode(parseInt(hex, 16)), next: at + 4 };
}

/** `\0` (not followed by a digit) in both kinds; legacy octal escapes in sloppy-mode strings only. */
function octalEscape(source: string, at: number, end: number, kind: LiteralKind): Escape | undefined {
  const nextIsDigit = at + 1 < end && /[0-9]/.test(source[at + 1]!);
  if (source[at] === '0' && !nextIsDigit) return { value: '\0', next: at + 1 };
  if (kind === 'template') return undefined;
  const max = source[at]! <= '3' ? 3 : 2;
  let stop = at;
  while (stop < end && stop - at < max && source[stop]! >= '0' && source[stop]! <= '7') stop++;
  return { value: String.fromCharCode(parseInt(source.slice(at, stop), 8)), next: stop };
}
