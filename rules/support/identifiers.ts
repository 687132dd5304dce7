import type { Statement } from '../../src/sql/parser.js';
import { SourceFile } from '../../src/sql/source.js';
import { scanTokens } from '../../src/sql/split.js';

/** Postgres keeps the first NAMEDATALEN - 1 = 63 bytes of an identifier, in every statement. */
export const MAX_IDENTIFIER_BYTES = 63;

export interface WrittenIdentifier {
  /** The name as Postgres reads it before cutting it to 63 bytes: quotes removed, bare names' ASCII letters folded to lower case. */
  name: string;
  /** UTF-16 range in the file. */
  start: number;
  end: number;
}

const BARE = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*$/u;
const QUOTED = /^"((?:[^"]|"")*)"$/u;

/**
 * Every identifier (and keyword, which may be a name too) written in the statement, in order.
 * The parser's tree holds names already cut to 63 bytes; only the text has what was written.
 */
export function writtenIdentifiers(source: SourceFile, statement: Statement): WrittenIdentifier[] {
  const text = new SourceFile(source.path, source.text.slice(statement.start, statement.end));
  const identifiers: WrittenIdentifier[] = [];
  for (const token of scanTokens(text)) {
    if (token.comment) continue;
    const quoted = QUOTED.exec(token.text);
    const name = quoted ? quoted[1]!.replaceAll('""', '"') : BARE.test(token.text) ? token.text.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : undefined;
    if (name === undefined) continue;
    identifiers.push({ name, start: statement.start + text.byteToIndex(token.start), end: statement.start + text.byteToIndex(token.end) });
  }
  return identifiers;
}

export function utf8Length(name: string): number {
  return Buffer.byteLength(name, 'utf8');
}

/** What Postgres keeps of a name: its first 63 bytes, cut at a character boundary. */
export function truncateIdentifier(name: string): string {
  if (utf8Length(name) <= MAX_IDENTIFIER_BYTES) return name;
  let bytes = 0;
  let end = 0;
  for (const char of name) {
    const size = utf8Length(char);
    if (bytes + size > MAX_IDENTIFIER_BYTES) break;
    bytes += size;
    end += char.length;
  }
  return name.slice(0, end);
}

/**
 * Where `name` (as the parser read it) is written in the statement: the first identifier that
 * reads as it from the parser's `location` on (the name itself, or the clause that holds it),
 * else from the statement's start.
 */
export function nameRange(
  source: SourceFile,
  statement: Statement,
  name: string,
  location?: number,
  identifiers: readonly WrittenIdentifier[] = writtenIdentifiers(source, statement),
): { start: number; end: number } | undefined {
  const from = location === undefined ? statement.start : source.byteToIndex(statement.byteBase + location);
  const matches = identifiers.filter((identifier) => truncateIdentifier(identifier.name) === name);
  const found = matches.find((identifier) => identifier.start >= from) ?? matches[0];
  return found && { start: found.start, end: found.end };
}
