import { parsePlPgSQLSync } from 'libpg-query';
import type { DoStmt } from 'libpg-query';
import type { SourceFile } from './source.js';
import { parseFragment, type OpaqueRegion, type Statement } from './parser.js';

/**
 * The statements a DO block runs, parsed so rules see them like top-level statements, with
 * positions in the file. What cannot be seen statically (dynamic EXECUTE, other languages, a
 * body that does not parse) is recorded on the DO statement as opaque regions.
 */
export function expandDoBlock(statement: Statement, source: SourceFile): Statement[] {
  const opaque: OpaqueRegion[] = [];
  statement.opaque = opaque;
  const whole = { start: statement.start, end: statement.end };
  const language = doOption(statement.ast as DoStmt, 'language');
  if (language && language.toLowerCase() !== 'plpgsql') {
    opaque.push({ ...whole, reason: `DO block in language ${language}` });
    return [];
  }
  const text = source.text.slice(statement.start, statement.end);
  let tree: unknown;
  try {
    tree = parsePlPgSQLSync(text);
  } catch (error) {
    opaque.push({ ...whole, reason: `PL/pgSQL body does not parse: ${(error as Error).message}` });
    return [];
  }

  const children: Statement[] = [];
  let cursor = 0;
  const locate = (fragment: string): number => {
    let at = text.indexOf(fragment, cursor);
    if (at < 0) at = text.indexOf(fragment);
    if (at >= 0) cursor = at + fragment.length;
    return at;
  };
  const addFragment = (fragment: string, at: number) => {
    const index = statement.start + Math.max(at, 0);
    try {
      const parsed = parseFragment(fragment, source.indexToByte(index), source, statement);
      if (at < 0) for (const child of parsed) Object.assign(child, whole);
      children.push(...parsed);
    } catch (error) {
      opaque.push({ ...whole, reason: `statement in DO body does not parse: ${(error as Error).message}` });
    }
  };

  walk(tree, (kind, node) => {
    if (kind === 'PLpgSQL_stmt_execsql') {
      const query = exprQuery(node['sqlstmt']);
      if (query) addFragment(query, locate(query));
    } else if (kind === 'PLpgSQL_stmt_dynexecute' || kind === 'PLpgSQL_stmt_dynfors') {
      const query = exprQuery(node['query']) ?? '';
      const at = locate(query);
      const literal = /^\s*'((?:[^']|'')*)'\s*$/.exec(query);
      if (literal && at >= 0) {
        const content = literal[1]!;
        const contentAt = at + query.indexOf("'") + 1;
        if (content.includes("''")) addFragment(content.replaceAll("''", "'"), -1);
        else addFragment(content, contentAt);
      } else {
        const start = at >= 0 ? statement.start + at : whole.start;
        const end = at >= 0 ? start + query.length : whole.end;
        opaque.push({ start, end, reason: 'dynamic SQL (EXECUTE) cannot be analysed statically' });
      }
    }
  });
  return children;
}

function doOption(stmt: DoStmt, name: string): string | undefined {
  for (const arg of stmt.args ?? []) {
    const def = (arg as { DefElem?: { defname?: string; arg?: { String?: { sval?: string } } } }).DefElem;
    if (def?.defname === name) return def.arg?.String?.sval;
  }
  return undefined;
}

type PlNode = Record<string, unknown>;

function exprQuery(value: unknown): string | undefined {
  return ((value as { PLpgSQL_expr?: { query?: string } } | undefined)?.PLpgSQL_expr?.query) ?? undefined;
}

/** Depth-first, in source order: PL/pgSQL statement lists are arrays in execution order. */
function walk(value: unknown, visit: (kind: string, node: PlNode) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value as PlNode)) {
    if (key.startsWith('PLpgSQL_stmt_') && child && typeof child === 'object') {
      visit(key, child as PlNode);
    }
    walk(child, visit);
  }
}
