import type TS from 'typescript';
import { applyBindings } from './bindings.js';
import { FragmentBuilder, type DynamicPart } from './fragment.js';
import { LiteralReader, unwrap } from './literal.js';
import { findComments, findNoTransaction } from './markers.js';
import { readBindings, type BindingStyle } from './read-bindings.js';
import { MigrationStructure } from './structure.js';
import type { Direction, EmbeddedComment, MigrationFunction } from './types.js';
import { loadTypeScript, type TypeScript } from './typescript.js';

export type { DynamicPart } from './fragment.js';
export type { Direction, EmbeddedComment, MigrationFunction } from './types.js';
export { MissingTypeScriptError } from './types.js';

/** The SQL one call in a TS/JS file passes to the database. */
export interface SqlFragment {
  /** The SQL, escapes decoded; each dynamic part is replaced by a placeholder that keeps it parseable. */
  sql: string;
  /** UTF-16 index in the TS/JS file where the SQL text begins (inside the opening quote). */
  start: number;
  /** UTF-16 index in the TS/JS file where the SQL text ends (before the closing quote). */
  end: number;
  /** File index of the SQL character at `sqlIndex`; `sql.length` maps to `end`. */
  map(sqlIndex: number): number;
  /** File index just after the SQL characters before `sqlEnd` (for exclusive range ends). */
  mapEnd(sqlEnd: number): number;
  /** What only exists at run time, in file coordinates, with each placeholder's range in `sql`. */
  dynamic: DynamicPart[];
  /** The callee as written, e.g. `pgm.sql`, `knex.schema.raw`, `queryRunner.query`, `sql` (tag). */
  call: string;
  /** Range of the whole call or tagged template in the file. */
  callStart: number;
  callEnd: number;
  /** The parts of the migration that run it (see MigrationStructure.directionsOf). */
  directions: Direction[];
  /**
   * The call is an argument of another call or an element of a literal, as in
   * `.defaultTo(knex.raw('now()'))`: it may be an SQL expression rather than a statement.
   */
  nested: boolean;
}

export interface ExtractedSql {
  fragments: SqlFragment[];
  /** Syntax errors in the TS/JS file (SQL after one may have been missed). */
  problems: Array<{ message: string; index: number }>;
  /** The migration's up and down functions, when it has them. */
  up: MigrationFunction | undefined;
  down: MigrationFunction | undefined;
  /** `exports.down = false` or similar: the migration declares it has no down. */
  downDisabled: boolean;
  /** pgwarden directives and risk headers written as JS comments, as SQL comments. */
  comments: EmbeddedComment[];
  /** Where the migration says it must run outside a transaction. */
  noTransaction: { start: number; end: number } | undefined;
}

/** Method names whose first argument is SQL, whatever the receiver. */
const SQL_METHODS = new Set(['sql', 'raw', 'query', 'addSql']);

/** Extensions read as TypeScript (the others as JavaScript). */
const TYPESCRIPT_FILE = /\.[cm]?ts$/i;

/**
 * Finds the SQL a TS/JS migration runs: `pgm.sql(…)` (node-pg-migrate), `knex.raw(…)` and
 * `knex.schema.raw(…)` (Knex), `queryRunner.query(…)` (TypeORM, pg, Sequelize), `this.addSql(…)`
 * (MikroORM), `sql.raw(…)` and `` sql`…` `` (Kysely, any tag named `sql` or ending in `.sql`).
 * Loads the `typescript` package on first use; throws MissingTypeScriptError without it.
 */
export function extractSql(text: string, path: string): ExtractedSql {
  const ts = loadTypeScript();
  const kind = TYPESCRIPT_FILE.test(path) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
  const structure = new MigrationStructure(ts, file);
  const reader = new LiteralReader(ts, file);
  const fragments: SqlFragment[] = [];

  const visit = (node: TS.Node): void => {
    const call = recognise(ts, file, node);
    if (!call) {
      ts.forEachChild(node, visit);
      return;
    }
    const builder = new FragmentBuilder();
    reader.read(call.sql, builder);
    const bindings = readBindings(ts, file, call.style, call.bindings);
    const final = bindings ? applyBindings(builder.segments, bindings) : builder;
    fragments.push(fragment(final, call.name, node, file, structure.directionsOf(node), isNested(ts, node), call.sql));
    visit(call.callee);
  };
  visit(file);

  const [up] = structure.up;
  const [down] = structure.down;
  return {
    fragments,
    problems: syntaxProblems(ts, file),
    up: up ? structure.describe(up, file) : undefined,
    down: down ? structure.describe(down, file) : undefined,
    downDisabled: !down && structure.downDisabled,
    comments: findComments(ts, file, structure),
    noTransaction: findNoTransaction(ts, file),
  };
}

interface RecognisedCall {
  /** The callee or tag as written. */
  name: string;
  callee: TS.Expression;
  sql: TS.Expression;
  /** The argument after the SQL, for the styles that bind values into it. */
  bindings: TS.Expression | undefined;
  style: BindingStyle;
}

function recognise(ts: TypeScript, file: TS.SourceFile, node: TS.Node): RecognisedCall | undefined {
  if (ts.isTaggedTemplateExpression(node)) {
    const tag = node.tag;
    const isSql = (ts.isIdentifier(tag) && tag.text === 'sql') || (ts.isPropertyAccessExpression(tag) && tag.name.text === 'sql');
    if (!isSql) return undefined;
    return { name: callName(tag, file), callee: tag, sql: node.template, bindings: undefined, style: 'plain' };
  }
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
  const callee = node.expression;
  const method = callee.name.text;
  if (!SQL_METHODS.has(method)) return undefined;
  const receiver = ts.isIdentifier(callee.expression) ? callee.expression.text : undefined;
  if (method === 'raw' && receiver === 'String') return undefined;
  const [first, second] = node.arguments;
  if (!first || ts.isSpreadElement(first)) return undefined;
  // `db.query(sql`…`)`: the inner tagged template is the SQL, found on its own.
  const inner = unwrap(ts, first);
  if (recognise(ts, file, inner)) return undefined;
  const style = method === 'sql' ? 'pgm' : method === 'raw' && receiver !== 'sql' ? 'knex' : 'plain';
  return { name: callName(callee, file), callee, sql: first, bindings: style === 'plain' ? undefined : second, style };
}

function callName(node: TS.Node, file: TS.SourceFile): string {
  return node.getText(file).replace(/\s+/g, '');
}

function fragment(
  builder: FragmentBuilder,
  call: string,
  node: TS.Node,
  file: TS.SourceFile,
  directions: Direction[],
  nested: boolean,
  sqlNode: TS.Expression,
): SqlFragment {
  const built = builder.build();
  const { sql, from, to } = built;
  const fallback = sqlNode.getStart(file);
  const start = from.length ? from[0]! : fallback;
  const end = to.length ? to[to.length - 1]! : fallback;
  return {
    sql,
    start,
    end,
    map: (i) => (i < 0 ? start : i < from.length ? from[i]! : end),
    mapEnd: (i) => (i <= 0 ? start : i <= to.length ? to[i - 1]! : end),
    dynamic: built.dynamic,
    call,
    callStart: node.getStart(file),
    callEnd: node.end,
    directions,
    nested,
  };
}

/**
 * The call is an argument of another call or an element of a literal. `await`, parentheses,
 * type assertions and method calls on the result (`.execute(db)`, `.then(…)`) are looked through.
 */
function isNested(ts: TypeScript, node: TS.Node): boolean {
  let current = node;
  for (;;) {
    const parent = current.parent;
    if (
      ts.isParenthesizedExpression(parent) ||
      ts.isAsExpression(parent) ||
      ts.isSatisfiesExpression(parent) ||
      ts.isNonNullExpression(parent) ||
      ts.isTypeAssertionExpression(parent) ||
      ts.isAwaitExpression(parent)
    ) {
      current = parent;
    } else if (ts.isPropertyAccessExpression(parent) && parent.expression === current && ts.isCallExpression(parent.parent) && parent.parent.expression === parent) {
      current = parent.parent;
    } else {
      break;
    }
  }
  const parent = current.parent;
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression !== current) return true;
  return ts.isArrayLiteralExpression(parent) || ts.isPropertyAssignment(parent) || ts.isTemplateSpan(parent) || ts.isSpreadElement(parent);
}

function syntaxProblems(ts: TypeScript, file: TS.SourceFile): Array<{ message: string; index: number }> {
  // parseDiagnostics is not in the public typings, but has been on every SourceFile for years.
  const diagnostics = (file as unknown as { parseDiagnostics?: readonly TS.Diagnostic[] }).parseDiagnostics ?? [];
  return diagnostics.map((d) => ({
    message: `TypeScript/JavaScript syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    index: d.start ?? 0,
  }));
}
