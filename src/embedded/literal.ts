import type TS from 'typescript';
import { cook, type LiteralKind } from './cook.js';
import type { FragmentBuilder } from './fragment.js';
import type { TypeScript } from './typescript.js';

/** How deep `const A = B` chains are followed. */
const MAX_CONST_DEPTH = 8;

/**
 * Turns the expression a call passes as SQL into fragment pieces: string literals and templates
 * (escapes decoded, every character mapped to its source), `+` concatenations, and `const` names
 * bound once in the file to such an expression. Anything else, and each `${…}` substitution,
 * becomes a dynamic part.
 */
export class LiteralReader {
  private readonly declarations = new Map<string, TS.Node[]>();

  constructor(
    private readonly ts: TypeScript,
    private readonly file: TS.SourceFile,
  ) {
    const visit = (node: TS.Node): void => {
      const name = declaredName(ts, node);
      if (name !== undefined) {
        const list = this.declarations.get(name);
        if (list) list.push(node);
        else this.declarations.set(name, [node]);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }

  /** Adds `node` to `out`; `role` words the dynamic part when the whole expression is not static. */
  read(node: TS.Expression, out: FragmentBuilder, role: 'argument' | 'operand' = 'argument', depth = 0): void {
    const ts = this.ts;
    const expression = unwrap(ts, node);
    if (ts.isStringLiteral(expression)) return this.literal(expression, 'string', out);
    if (ts.isNoSubstitutionTemplateLiteral(expression)) return this.literal(expression, 'template', out);
    if (ts.isTemplateExpression(expression)) return this.template(expression, out);
    if (ts.isTaggedTemplateExpression(expression) && this.isStringRaw(expression.tag) && ts.isNoSubstitutionTemplateLiteral(expression.template)) {
      return this.literal(expression.template, 'raw', out);
    }
    if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      this.read(expression.left, out, 'operand', depth);
      this.read(expression.right, out, 'operand', depth);
      return;
    }
    if (ts.isNumericLiteral(expression)) {
      out.inline(String(Number(expression.text)), expression.getStart(this.file), expression.end);
      return;
    }
    if (ts.isIdentifier(expression) && depth < MAX_CONST_DEPTH) {
      const initializer = this.constInitializer(expression.text);
      if (initializer) return this.read(initializer, out, role, depth + 1);
    }
    const text = expression.getText(this.file);
    const reason = role === 'argument' ? `SQL passed as \`${short(text)}\`, not as a literal` : `\`${short(text)}\` concatenated into the SQL`;
    out.dynamic(expression.getStart(this.file), expression.end, text, reason);
  }

  private literal(node: TS.StringLiteral | TS.NoSubstitutionTemplateLiteral, kind: LiteralKind, out: FragmentBuilder): void {
    const start = node.getStart(this.file);
    this.piece(start + 1, node.end - 1, kind, kind === 'raw' ? undefined : node.text, out, start, node.end);
  }

  private template(node: TS.TemplateExpression, out: FragmentBuilder): void {
    const file = this.file;
    const head = node.head;
    this.piece(head.getStart(file) + 1, head.end - 2, 'template', head.text, out, head.getStart(file), head.end);
    let dollar = head.end - 2;
    for (const span of node.templateSpans) {
      const literal = span.literal;
      const literalStart = literal.getStart(file);
      const code = span.expression.getText(file);
      out.dynamic(dollar, literalStart + 1, code, `template substitution \`\${${short(code)}}\``);
      const tail = this.ts.isTemplateTail(literal);
      this.piece(literalStart + 1, literal.end - (tail ? 1 : 2), 'template', literal.text, out, literalStart, literal.end);
      dollar = literal.end - 2;
    }
  }

  /**
   * One literal piece. When decoding disagrees with TypeScript's own value (which should not
   * happen), TypeScript's value is used with every character mapped to the whole literal.
   */
  private piece(start: number, end: number, kind: LiteralKind, expected: string | undefined, out: FragmentBuilder, nodeStart: number, nodeEnd: number): void {
    const cooked = cook(this.file.text, start, end, kind);
    if (cooked && (expected === undefined || cooked.text === expected)) {
      out.cooked(cooked);
    } else if (!cooked) {
      out.dynamic(nodeStart, nodeEnd, 'invalid escape', 'a template piece whose escape sequence has no value');
    } else {
      out.inline(expected!, nodeStart, nodeEnd);
    }
  }

  private isStringRaw(tag: TS.Expression): boolean {
    const ts = this.ts;
    return ts.isPropertyAccessExpression(tag) && ts.isIdentifier(tag.expression) && tag.expression.text === 'String' && tag.name.text === 'raw';
  }

  /** The initializer of `const name = …` when that is the file's only declaration of `name`. */
  private constInitializer(name: string): TS.Expression | undefined {
    const ts = this.ts;
    const declarations = this.declarations.get(name);
    if (declarations?.length !== 1) return undefined;
    const declaration = declarations[0]!;
    if (!ts.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
    const list = declaration.parent;
    if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return undefined;
    return declaration.initializer;
  }
}

/** Parentheses, type assertions and `!` do not change the value. */
export function unwrap(ts: TypeScript, node: TS.Expression): TS.Expression {
  let current = node;
  for (;;) {
    if (
      ts.isParenthesizedExpression(current) ||
      ts.isAsExpression(current) ||
      ts.isSatisfiesExpression(current) ||
      ts.isNonNullExpression(current) ||
      ts.isTypeAssertionExpression(current)
    ) {
      current = current.expression;
    } else {
      return current;
    }
  }
}

/** The name a node declares in the file's scope chain, for telling `const` names apart. */
function declaredName(ts: TypeScript, node: TS.Node): string | undefined {
  if (
    (ts.isVariableDeclaration(node) ||
      ts.isParameter(node) ||
      ts.isBindingElement(node) ||
      ts.isFunctionDeclaration(node) ||
      ts.isClassDeclaration(node) ||
      ts.isImportSpecifier(node) ||
      ts.isImportClause(node) ||
      ts.isNamespaceImport(node) ||
      ts.isImportEqualsDeclaration(node) ||
      ts.isEnumDeclaration(node)) &&
    node.name &&
    ts.isIdentifier(node.name)
  ) {
    return node.name.text;
  }
  return undefined;
}

/** Source text shortened for a message. */
export function short(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}
