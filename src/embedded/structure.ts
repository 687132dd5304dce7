import type TS from 'typescript';
import type { Direction, MigrationFunction } from './types.js';
import type { TypeScript } from './typescript.js';

type FunctionNode = TS.FunctionLikeDeclaration;

/**
 * The up and down functions of a migration module, found by name whatever the framework:
 * `exports.up = …` (node-pg-migrate, Knex), `export async function up` (Kysely), `up()` methods
 * (TypeORM classes, Sequelize objects), `{ up: migrateUp }` / `export { migrateUp as up }`.
 */
export class MigrationStructure {
  readonly up: FunctionNode[] = [];
  readonly down: FunctionNode[] = [];
  /** `exports.down = false` (node-pg-migrate's irreversible marker) or `null`/`undefined`. */
  downDisabled = false;
  private readonly identifiers = new Map<string, TS.Identifier[]>();
  private readonly functionsByName = new Map<string, FunctionNode[]>();

  constructor(
    private readonly ts: TypeScript,
    file: TS.SourceFile,
  ) {
    const aliases: Array<[Direction, string]> = [];
    const visit = (node: TS.Node): void => {
      if (ts.isIdentifier(node)) {
        const list = this.identifiers.get(node.text);
        if (list) list.push(node);
        else this.identifiers.set(node.text, [node]);
      }
      if (ts.isFunctionLike(node) && isFunctionNode(ts, node)) {
        const name = this.nameOf(node);
        if (name !== undefined) {
          const list = this.functionsByName.get(name);
          if (list) list.push(node);
          else this.functionsByName.set(name, [node]);
          if (name === 'up') this.up.push(node);
          if (name === 'down') this.down.push(node);
        }
      }
      const bound = this.boundValue(node);
      if (bound?.name === 'up' || bound?.name === 'down') {
        const value = unwrapValue(ts, bound.value);
        if (ts.isIdentifier(value) && value.text !== bound.name) aliases.push([bound.name, value.text]);
        else if (bound.name === 'down' && isNothing(ts, value)) this.downDisabled = true;
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
    for (const [direction, name] of aliases) {
      for (const fn of this.functionsByName.get(name) ?? []) this[direction].push(fn);
    }
  }

  get hasFunctions(): boolean {
    return this.up.length > 0 || this.down.length > 0;
  }

  describe(fn: FunctionNode, file: TS.SourceFile): MigrationFunction {
    const body = fn.body;
    const empty = !!body && this.ts.isBlock(body) && body.statements.length === 0;
    return { start: fn.getStart(file), end: fn.end, empty };
  }

  /**
   * The parts of the migration that run `node`: the up or down function around it; for code in
   * a named helper, the parts of the code that refer to the helper. Code the up and down
   * functions do not reach (top level, unused helpers) counts as up, so it is analysed rather
   * than skipped, and never as down.
   */
  directionsOf(node: TS.Node): Direction[] {
    const found = this.reach(node, new Set());
    return found.size ? [...found].sort() : ['up'];
  }

  private reach(node: TS.Node, seen: Set<string>): Set<Direction> {
    for (let current = node.parent; current; current = current.parent) {
      if (!this.ts.isFunctionLike(current) || !isFunctionNode(this.ts, current)) continue;
      if (this.up.includes(current)) return new Set(['up']);
      if (this.down.includes(current)) return new Set(['down']);
      const name = this.nameOf(current);
      if (name === undefined || seen.has(name)) continue;
      seen.add(name);
      const found = new Set<Direction>();
      for (const reference of this.identifiers.get(name) ?? []) {
        if (isDeclarationName(this.ts, reference)) continue;
        for (const direction of this.reach(reference, seen)) found.add(direction);
      }
      if (found.size) return found;
    }
    return new Set();
  }

  /** The name a function is known by: its own, or the variable, property or export it is assigned to. */
  private nameOf(fn: FunctionNode): string | undefined {
    const ts = this.ts;
    if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name) return propertyName(ts, fn.name);
    let holder: TS.Node = fn;
    while (ts.isParenthesizedExpression(holder.parent) || ts.isAsExpression(holder.parent) || ts.isSatisfiesExpression(holder.parent)) {
      holder = holder.parent;
    }
    const bound = this.boundValue(holder.parent);
    if (bound && bound.value === holder) return bound.name;
    if (ts.isFunctionExpression(fn) && fn.name) return fn.name.text;
    return undefined;
  }

  /** `name = value` in its usual spellings: variable, property, class field, `exports.name = …`. */
  private boundValue(node: TS.Node): { name: string; value: TS.Expression } | undefined {
    const ts = this.ts;
    let name: string | undefined;
    let value: TS.Expression | undefined;
    if ((ts.isVariableDeclaration(node) || ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node)) && node.initializer) {
      name = propertyName(ts, node.name);
      value = node.initializer;
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)) {
      name = node.left.name.text;
      value = node.right;
    } else if (ts.isExportSpecifier(node) && node.propertyName) {
      name = propertyName(ts, node.name);
      value = ts.isIdentifier(node.propertyName) ? node.propertyName : undefined;
    }
    return name !== undefined && value ? { name, value } : undefined;
  }
}

function isFunctionNode(ts: TypeScript, node: TS.Node): node is FunctionNode {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isConstructorDeclaration(node)
  );
}

function propertyName(ts: TypeScript, name: TS.Node): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  return undefined;
}

function unwrapValue(ts: TypeScript, node: TS.Expression): TS.Expression {
  let current = node;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current)) current = current.expression;
  return current;
}

function isNothing(ts: TypeScript, node: TS.Expression): boolean {
  return (
    node.kind === ts.SyntaxKind.FalseKeyword ||
    node.kind === ts.SyntaxKind.NullKeyword ||
    (ts.isIdentifier(node) && node.text === 'undefined')
  );
}

/** The identifier is the name being declared, not a use of it. */
function isDeclarationName(ts: TypeScript, node: TS.Identifier): boolean {
  const parent = node.parent;
  return (
    (ts.isFunctionDeclaration(parent) ||
      ts.isFunctionExpression(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isVariableDeclaration(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isPropertyAssignment(parent)) &&
    parent.name === node
  );
}
