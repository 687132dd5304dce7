import { parseSync } from 'libpg-query';
import type { Fix, TextEdit } from '../../src/analysis/finding.js';
import type { RuleContext } from '../../src/analysis/rule.js';
import type { NodeMap, NodeType, Statement } from '../../src/sql/parser.js';
import { SourceFile } from '../../src/sql/source.js';
import { scanTokens } from '../../src/sql/split.js';

/** Helpers for rules whose findings carry a fix (`pgwarden lint --fix`). */

/** A token of one statement (comments left out), in UTF-16 indices of the file. */
export interface StatementToken {
  start: number;
  end: number;
  text: string;
  /** The upper-cased text of an unquoted word, for keyword comparison; undefined for anything else. */
  word: string | undefined;
}

export function statementTokens(source: SourceFile, statement: Statement): StatementToken[] {
  const slice = new SourceFile(source.path, source.text.slice(statement.start, statement.end));
  return scanTokens(slice)
    .filter((token) => !token.comment)
    .map((token) => ({
      start: statement.start + slice.byteToIndex(token.start),
      end: statement.start + slice.byteToIndex(token.end),
      text: token.text,
      word: /^[A-Za-z_][A-Za-z0-9_$]*$/.test(token.text) ? token.text.toUpperCase() : undefined,
    }));
}

/** The tokens from `from` on spell `words` (keywords, upper case). */
export function wordsAt(tokens: readonly StatementToken[], from: number, words: readonly string[]): boolean {
  return words.every((word, i) => tokens[from + i]?.word === word);
}

/** The index of the first token from `from` on that is the keyword `word`, or -1. */
export function findWord(tokens: readonly StatementToken[], word: string, from = 0): number {
  for (let i = from; i < tokens.length; i++) if (tokens[i]!.word === word) return i;
  return -1;
}

/**
 * The tokens of each comma-separated item at the top level, from token `from` on: the commands of
 * an ALTER TABLE (`ADD COLUMN a int, DROP COLUMN b`), whose commas in parentheses, brackets and
 * literals do not separate.
 */
export function topLevelItems(tokens: readonly StatementToken[], from = 0): StatementToken[][] {
  const items: StatementToken[][] = [[]];
  let depth = 0;
  for (const token of tokens.slice(from)) {
    if (token.text === '(' || token.text === '[') depth++;
    else if (token.text === ')' || token.text === ']') depth--;
    if (token.text === ',' && depth === 0) items.push([]);
    else items.at(-1)!.push(token);
  }
  return items;
}

export function insertAt(index: number, text: string): TextEdit {
  return { start: index, end: index, text };
}

export function insertBefore(token: StatementToken, text: string): TextEdit {
  return { start: token.start, end: token.start, text };
}

export function insertAfter(token: StatementToken, text: string): TextEdit {
  return { start: token.end, end: token.end, text };
}

/** The file index of a node's `location` (a byte offset into the text the parser saw). */
export function nodeIndex(source: SourceFile, statement: Statement, location: number): number {
  return source.byteToIndex(statement.byteBase + location);
}

/**
 * The fix, provided the statement it edits still parses as one statement of the same type for
 * which `holds` is true (`CONCURRENTLY` set, the guard present). A fix that fails the check is
 * dropped rather than offered: a fix must never break a migration.
 */
export function checkedFix<T extends NodeType>(
  source: SourceFile,
  statement: Statement,
  fix: Fix,
  holds: (node: NodeMap[T]) => boolean,
): Fix | undefined {
  if (!fix.edits.length) return undefined;
  const edits = [...fix.edits].sort((a, b) => a.start - b.start);
  if (edits.some((edit, i) => edit.start < statement.start || edit.end > statement.end || (i > 0 && edit.start < edits[i - 1]!.end))) {
    return undefined;
  }
  let text = source.text.slice(statement.start, statement.end);
  for (const edit of [...edits].reverse()) {
    text = text.slice(0, edit.start - statement.start) + edit.text + text.slice(edit.end - statement.start);
  }
  try {
    const stmts = parseSync(text).stmts ?? [];
    const node = stmts.length === 1 ? (stmts[0]!.stmt as Record<string, unknown> | undefined) : undefined;
    const ast = node?.[statement.type] as NodeMap[T] | undefined;
    return ast && holds(ast) ? { ...fix, edits } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The statement runs outside any transaction block, where the CONCURRENTLY forms may run: not in
 * the runner's transaction, an explicit BEGIN, an implicit block, or a DO body.
 */
export function runsOutsideTransaction(context: RuleContext, statement: Statement): boolean {
  return !statement.parent && !context.state.inTransaction;
}
