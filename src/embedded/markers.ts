import type TS from 'typescript';
import type { MigrationStructure } from './structure.js';
import type { EmbeddedComment } from './types.js';
import type { TypeScript } from './typescript.js';

/** Directives and the risk headers seed frameworks write (see analysis/directives.ts, headers.ts). */
const READ_COMMENT = /^\s*(?:pgwarden[-:]|risk\s+level\s*:|rollback\s+available\s*:|@metadata\b)/i;

/** The comments holding pgwarden directives or risk headers, in file order. */
export function findComments(ts: TypeScript, file: TS.SourceFile, structure: MigrationStructure): EmbeddedComment[] {
  const text = file.text;
  const found = new Map<number, EmbeddedComment>();
  const collect = (node: TS.Node, ranges: TS.CommentRange[] | undefined) => {
    for (const range of ranges ?? []) {
      if (found.has(range.pos)) continue;
      const line = range.kind === ts.SyntaxKind.SingleLineCommentTrivia;
      const body = text.slice(range.pos + 2, line ? range.end : range.end - 2);
      if (!READ_COMMENT.test(body)) continue;
      // SQL block comments nest and JS ones do not: an inner `/*` must not open one.
      const sql = line ? `--${body}` : `/*${body.replaceAll('/*', '//')}*/`;
      found.set(range.pos, { sql, start: range.pos, end: range.end, directions: structure.directionsOf(node) });
    }
  };
  const visit = (node: TS.Node): void => {
    collect(node, ts.getLeadingCommentRanges(text, node.pos));
    collect(node, ts.getTrailingCommentRanges(text, node.end));
    ts.forEachChild(node, visit);
  };
  visit(file);
  collect(file.endOfFileToken, ts.getLeadingCommentRanges(text, file.endOfFileToken.pos));
  return [...found.values()].sort((a, b) => a.start - b.start);
}

/**
 * Where the migration opts out of its runner's transaction: `pgm.noTransaction()`
 * (node-pg-migrate), `config = { transaction: false }` (Knex), `transaction = false` (TypeORM),
 * `isTransactional() { return false }` (MikroORM).
 */
export function findNoTransaction(ts: TypeScript, file: TS.SourceFile): { start: number; end: number } | undefined {
  let found: TS.Node | undefined;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'noTransaction' &&
      node.arguments.length === 0
    ) {
      found = node;
    } else if (
      (ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node)) &&
      ts.isIdentifier(node.name) &&
      node.name.text === 'transaction' &&
      node.initializer?.kind === ts.SyntaxKind.FalseKeyword
    ) {
      found = node;
    } else if (ts.isMethodDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === 'isTransactional' && returnsFalse(ts, node)) {
      found = node;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found ? { start: found.getStart(file), end: found.end } : undefined;
}

function returnsFalse(ts: TypeScript, method: TS.MethodDeclaration): boolean {
  const statements = method.body?.statements ?? [];
  const only = statements.length === 1 ? statements[0] : undefined;
  return !!only && ts.isReturnStatement(only) && only.expression?.kind === ts.SyntaxKind.FalseKeyword;
}
