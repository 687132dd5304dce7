import { scanSync } from 'libpg-query';
import { lexCommonSql } from './lexer.js';
import type { SourceFile } from './source.js';

/**
 * Statement boundaries for error recovery: when a file does not parse as a whole, it is cut at
 * top-level semicolons and each piece is parsed on its own, so one broken statement cannot hide
 * the others. Offsets are UTF-8 bytes into the text.
 */
export interface Chunk {
  /** First byte of the first non-comment token. */
  start: number;
  /** Byte after the last token before the terminating semicolon. */
  end: number;
  /** A psql meta-command (`\set …`): a line the SQL parser must not see. */
  metaCommand?: boolean;
}

/** A lexical token; offsets are UTF-8 bytes into the text. */
export interface Token {
  start: number;
  end: number;
  text: string;
  comment: boolean;
}

/**
 * The file's tokens, comments included: the Postgres scanner's, or a minimal tokenizer's when the
 * scanner fails (it cannot return tokens for some lexical errors, an unterminated string for one).
 */
export function scanTokens(source: SourceFile): Token[] {
  try {
    return postgresTokens(source.text);
  } catch {
    return lexFallback(source);
  }
}

/**
 * The Postgres scanner's tokens (cut by lexCommonSql when the text keeps to the SQL it knows, as
 * the scanner would); throws where the scanner fails.
 */
export function postgresTokens(text: string): Token[] {
  return (
    lexCommonSql(text) ??
    scanSync(text).tokens.map((t) => ({
      start: t.start,
      end: t.end,
      text: t.text,
      comment: t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT',
    }))
  );
}

export function splitStatements(source: SourceFile): Chunk[] {
  return chunksFromTokens(scanTokens(source), source);
}

function chunksFromTokens(tokens: Token[], source: SourceFile): Chunk[] {
  const text = source.text;
  const chunks: Chunk[] = [];
  let start = -1;
  let end = -1;
  // SQL-standard function bodies (BEGIN ATOMIC … END) contain semicolons; CASE … END nests inside.
  let atomicDepth = 0;
  let caseDepth = 0;
  let previousWord = '';
  const flush = () => {
    if (start >= 0) chunks.push({ start, end });
    start = -1;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.comment) continue;
    if (token.text === '\\' && atomicDepth === 0 && startsLine(text, source.byteToIndex(token.start))) {
      flush();
      const lineEnd = text.indexOf('\n', source.byteToIndex(token.start));
      const metaEnd = source.indexToByte(trimEnd(text, lineEnd < 0 ? text.length : lineEnd));
      chunks.push({ start: token.start, end: metaEnd, metaCommand: true });
      while (i + 1 < tokens.length && tokens[i + 1]!.start < metaEnd) i++;
      previousWord = '';
      continue;
    }
    const word = token.text.toUpperCase();
    if (word === ';' && atomicDepth === 0) {
      flush();
      previousWord = '';
      continue;
    }
    if (start < 0) start = token.start;
    end = token.end;
    if (word === 'ATOMIC' && previousWord === 'BEGIN') atomicDepth++;
    else if (atomicDepth > 0 && word === 'CASE') caseDepth++;
    else if (atomicDepth > 0 && word === 'END') {
      if (caseDepth > 0) caseDepth--;
      else atomicDepth--;
    }
    previousWord = word;
  }
  flush();
  return chunks;
}

/** Only spaces or tabs stand between the line's start and `index`. */
export function startsLine(text: string, index: number): boolean {
  for (let i = index - 1; i >= 0; i--) {
    const c = text[i];
    if (c === '\n' || c === '\r') return true;
    if (c !== ' ' && c !== '\t') return false;
  }
  return true;
}

function trimEnd(text: string, index: number): number {
  let i = index;
  while (i > 0 && /\s/.test(text[i - 1]!)) i--;
  return i;
}

/**
 * A minimal tokenizer used only when the real scanner fails: it knows quotes, dollar quotes,
 * comments and semicolons, which is all statement splitting needs. It works on UTF-16 indices
 * and converts to bytes at the end.
 */
function lexFallback(source: SourceFile): Token[] {
  const text = source.text;
  const tokens: Array<{ from: number; to: number; comment: boolean }> = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const from = i;
    if (c === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n') i++;
      tokens.push({ from, to: i, comment: true });
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      let depth = 0;
      while (i < n) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
      tokens.push({ from, to: i, comment: true });
      continue;
    }
    if (c === "'" || c === '"') {
      const backslashes = c === "'" && (text[i - 1] === 'E' || text[i - 1] === 'e');
      i++;
      while (i < n) {
        if (backslashes && text[i] === '\\') i += 2;
        else if (text[i] === c && text[i + 1] === c) i += 2;
        else if (text[i] === c) {
          i++;
          break;
        } else i++;
      }
      tokens.push({ from, to: i, comment: false });
      continue;
    }
    const dollar = c === '$' ? /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.exec(text.slice(i, i + 64)) : null;
    if (dollar) {
      const close = text.indexOf(dollar[0], i + dollar[0].length);
      i = close < 0 ? n : close + dollar[0].length;
      tokens.push({ from, to: i, comment: false });
      continue;
    }
    if (c === ';' || c === '\\') {
      i++;
      tokens.push({ from, to: i, comment: false });
      continue;
    }
    while (i < n && !/[\s;'"$\\]/.test(text[i]!) && !(text[i] === '-' && text[i + 1] === '-')) i++;
    if (i === from) i++;
    tokens.push({ from, to: i, comment: false });
  }
  return tokens.map((t) => ({
    start: source.indexToByte(t.from),
    end: source.indexToByte(t.to),
    text: text.slice(t.from, t.to),
    comment: t.comment,
  }));
}
