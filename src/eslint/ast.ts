import type { SourceLocation, SourceRange } from '@eslint/core';
import type { NodeMap, NodeType } from '../sql/parser.js';
import type { Position } from '../sql/source.js';
import type { CommentData, SqlFileAnalysis } from './analysis.js';

/**
 * The tree ESLint traverses for a SQL file:
 *
 *     Migration { body: Statement[] }
 *     Statement { type: 'CreateStmt' | 'IndexStmt' | 'DoStmt' | …, stmt, body: Statement[] }
 *
 * A statement's `type` is its libpg-query node type, so a custom rule can listen to `IndexStmt`
 * or `AlterTableStmt` (`:statement` matches any). `stmt` is libpg-query's tree of the statement,
 * not traversed. `body` holds the statements of a DO block's body; it is empty elsewhere.
 * Positions follow the language: 1-based lines and 1-based UTF-16 columns, `range` in UTF-16
 * indices of the text, end exclusive. Comments are not in the tree: see `SqlSourceCode.comments`.
 */
export interface SqlNodeBase {
  range: SourceRange;
  loc: SourceLocation;
}

export interface MigrationNode extends SqlNodeBase {
  type: 'Migration';
  body: StatementNode[];
}

export interface StatementNode<T extends NodeType = NodeType> extends SqlNodeBase {
  type: T;
  /** libpg-query's tree of the statement. */
  stmt: NodeMap[T];
  /** Position among the file's statements (DO-body statements included), as pgwarden counts. */
  index: number;
  /** The statements of a DO block's body. */
  body: StatementNode[];
}

export interface CommentNode extends SqlNodeBase {
  type: 'LineComment' | 'BlockComment';
  /** The text between the markers (`--`, or `/*` and `*\/`). */
  value: string;
}

export type SqlNode = MigrationNode | StatementNode;
export type SqlSyntaxElement = SqlNode | CommentNode;

export function isStatementNode(node: unknown): node is StatementNode {
  return typeof node === 'object' && node !== null && 'stmt' in node && 'index' in node;
}

export function isCommentNode(node: SqlSyntaxElement): node is CommentNode {
  return node.type === 'LineComment' || node.type === 'BlockComment';
}

type Locate = (index: number) => Position;

function at(start: number, end: number, locate: Locate): SqlNodeBase {
  return { range: [start, end], loc: { start: locate(start), end: locate(end) } };
}

/** Builds the tree of one analysed file. */
export function buildAst(text: string, analysis: SqlFileAnalysis, locate: Locate): MigrationNode {
  const root: MigrationNode = { type: 'Migration', body: [], ...at(0, text.length, locate) };
  const nodes: StatementNode[] = [];
  analysis.statements.forEach((data, index) => {
    const node: StatementNode = { type: data.type, stmt: data.stmt, index, body: [], ...at(data.start, data.end, locate) };
    nodes.push(node);
    const parent = data.parent === undefined ? undefined : nodes[data.parent];
    (parent ? parent.body : root.body).push(node);
  });
  return root;
}

export function commentNodes(comments: readonly CommentData[], locate: Locate): CommentNode[] {
  return comments.map((comment) => ({
    type: comment.kind === 'line' ? 'LineComment' : 'BlockComment',
    value: comment.value,
    ...at(comment.start, comment.end, locate),
  }));
}

/** Visitor keys for the node types present in a tree: every statement may hold a DO body. */
export function visitorKeysOf(root: MigrationNode): Record<string, string[]> {
  const keys: Record<string, string[]> = { Migration: ['body'] };
  const visit = (nodes: readonly StatementNode[]) => {
    for (const node of nodes) {
      keys[node.type] = ['body'];
      visit(node.body);
    }
  };
  visit(root.body);
  return keys;
}
