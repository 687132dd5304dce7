import { loadModule, parseSync } from 'libpg-query';
import type { Node, RawStmt } from 'libpg-query';
import { SourceFile } from './source.js';
import { postgresTokens, splitStatements, startsLine } from './split.js';
import { expandDoBlock } from './plpgsql.js';
import { commentsBetween, type Comment } from './comments.js';

export type { Comment } from './comments.js';

/** Maps every node type name of the Postgres AST to the shape of its payload. */
export type NodeMap = { [N in Node as keyof N & string]: N[keyof N] };
export type NodeType = keyof NodeMap;

export interface Statement {
  /** Position in the file's statement list, DO-body statements included. */
  index: number;
  type: NodeType;
  ast: NodeMap[NodeType];
  /** Range in UTF-16 indices, end exclusive, without the terminating semicolon. */
  start: number;
  end: number;
  /** Byte offset of the text the parser saw; add a node's `location` to get its file byte offset. */
  byteBase: number;
  /** The DO statement whose body holds this one. */
  parent?: Statement;
  /** On DO statements: the parts static analysis cannot see into. */
  opaque?: OpaqueRegion[];
}

export interface OpaqueRegion {
  start: number;
  end: number;
  reason: string;
}

export interface ParseError {
  message: string;
  /** UTF-16 index of the error. */
  index: number;
}

export interface ParsedSql {
  source: SourceFile;
  statements: Statement[];
  errors: ParseError[];
  comments: Comment[];
}

let loaded: Promise<void> | undefined;
let ready = false;

/** Loads the WASM parser once per process. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule().then(() => {
    ready = true;
  });
  return loaded;
}

export function isParserReady(): boolean {
  return ready;
}

interface ByteRange {
  start: number;
  end: number;
}

/** Parses a whole migration. Requires `loadParser()` to have resolved. */
export function parseSql(source: SourceFile): ParsedSql {
  if (!ready) throw new Error('The SQL parser is not loaded: await loadParser() first.');
  const statements: Statement[] = [];
  const errors: ParseError[] = [];
  const codeRanges: ByteRange[] = [];
  const text = source.text;

  if (/\S/.test(text)) {
    try {
      addStatements(parseSync(text).stmts ?? [], 0, source.byteLength, source, statements, codeRanges);
    } catch {
      recoverStatementByStatement(source, statements, errors, codeRanges);
    }
  }

  const comments = commentsBetween(source, codeRanges);
  const withBodies = expandDoBlocks(statements, source);
  withBodies.forEach((statement, index) => (statement.index = index));
  return { source, statements: withBodies, errors, comments };
}

function recoverStatementByStatement(
  source: SourceFile,
  statements: Statement[],
  errors: ParseError[],
  codeRanges: ByteRange[],
): void {
  const bytes = Buffer.from(source.text, 'utf8');
  for (const chunk of splitStatements(source)) {
    codeRanges.push(chunk);
    if (chunk.metaCommand) {
      errors.push({ message: 'psql meta-command is not SQL', index: source.byteToIndex(chunk.start) });
      continue;
    }
    parseRange(source, bytes, chunk.start, chunk.end, statements, errors);
  }
}

/** A keyword that begins a statement, at the start of a line: where a missing semicolon shows. */
const STATEMENT_START =
  /^(ALTER|ANALYZE|BEGIN|CALL|CLUSTER|COMMENT|COMMIT|COPY|CREATE|DELETE|DO|DROP|GRANT|INSERT|LOCK|REFRESH|REINDEX|RESET|REVOKE|ROLLBACK|SELECT|SET|START|TRUNCATE|UPDATE|VACUUM|WITH)\b/i;

function parseRange(
  source: SourceFile,
  bytes: Buffer,
  startByte: number,
  endByte: number,
  statements: Statement[],
  errors: ParseError[],
): void {
  const startIndex = source.byteToIndex(startByte);
  try {
    addStatements(parseSync(bytes.subarray(startByte, endByte).toString('utf8')).stmts ?? [], startByte, endByte, source, statements, []);
    return;
  } catch (error) {
    const details = (error as { sqlDetails?: { message: string; cursorPosition: number } }).sqlDetails;
    const message = details?.message ?? (error as Error).message;
    const index = source.codePointsToIndex(details?.cursorPosition ?? 0, startIndex);
    // "… DROP CONSTRAINT x\nALTER TABLE …": parse what comes before the second statement on its
    // own; if that works, the error is a missing semicolon and the rest is parsed in turn.
    if (index > startIndex && startsLine(source.text, index) && STATEMENT_START.test(source.text.slice(index, index + 12))) {
      const splitByte = source.indexToByte(index);
      try {
        const head = parseSync(bytes.subarray(startByte, splitByte).toString('utf8')).stmts ?? [];
        addStatements(head, startByte, splitByte, source, statements, []);
        errors.push({ message: `${message} (is a semicolon missing before this statement?)`, index });
        parseRange(source, bytes, splitByte, endByte, statements, errors);
        return;
      } catch {
        // Not a missing semicolon: report the original error.
      }
    }
    errors.push({ message, index });
  }
}

function addStatements(
  raw: RawStmt[],
  base: number,
  limit: number,
  source: SourceFile,
  out: Statement[],
  codeRanges: ByteRange[],
): void {
  for (const entry of raw) {
    if (!entry.stmt) continue;
    const startByte = base + (entry.stmt_location ?? 0);
    let endByte = entry.stmt_len ? startByte + entry.stmt_len : limit;
    if (!entry.stmt_len) endByte = trimTrailingComments(source, startByte, endByte);
    const [type, ast] = Object.entries(entry.stmt)[0] as [NodeType, NodeMap[NodeType]];
    codeRanges.push({ start: startByte, end: endByte });
    out.push({
      index: out.length,
      type,
      ast,
      start: source.byteToIndex(startByte),
      end: source.byteToIndex(endByte),
      byteBase: base,
    });
  }
}

/** The last statement of a file without a final semicolon runs to the end, comments included. */
function trimTrailingComments(source: SourceFile, startByte: number, endByte: number): number {
  const startIndex = source.byteToIndex(startByte);
  const tail = source.text.slice(startIndex, source.byteToIndex(endByte));
  const trimmed = source.indexToByte(startIndex + tail.trimEnd().length);
  // Without a comment marker anywhere in the tail, trimming white space is enough.
  if (!tail.includes('--') && !tail.includes('/*')) return trimmed;
  try {
    const tokens = postgresTokens(tail);
    for (let i = tokens.length - 1; i >= 0; i--) {
      const token = tokens[i]!;
      if (!token.comment) return startByte + token.end;
    }
  } catch {
    // Keep the whitespace-trimmed range.
  }
  return trimmed;
}

function expandDoBlocks(statements: Statement[], source: SourceFile): Statement[] {
  if (!statements.some((s) => s.type === 'DoStmt')) return statements;
  const out: Statement[] = [];
  for (const statement of statements) {
    out.push(statement);
    if (statement.type === 'DoStmt') out.push(...expandDoBlock(statement, source));
  }
  return out;
}

/** Parses a standalone SQL fragment found inside a file (a DO body statement). */
export function parseFragment(
  fragment: string,
  fragmentByteStart: number,
  source: SourceFile,
  parent: Statement,
): Statement[] {
  const out: Statement[] = [];
  const raw = parseSync(fragment).stmts ?? [];
  addStatements(raw, fragmentByteStart, fragmentByteStart + Buffer.byteLength(fragment, 'utf8'), source, out, []);
  for (const statement of out) statement.parent = parent;
  return out;
}
