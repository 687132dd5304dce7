import type TS from 'typescript';
import type { BindingValue, Bindings } from './bindings.js';
import { short, unwrap } from './literal.js';
import type { TypeScript } from './typescript.js';

/** How a call binds values into its SQL: Knex `raw`, node-pg-migrate `sql`, or not at all. */
export type BindingStyle = 'knex' | 'pgm' | 'plain';

/** What the argument after the SQL binds into it, read from the source. */
export function readBindings(ts: TypeScript, file: TS.SourceFile, style: BindingStyle, node: TS.Expression | undefined): Bindings | undefined {
  if (style === 'plain') return undefined;
  // Without bindings Knex still unescapes `\?`; node-pg-migrate replaces nothing.
  if (!node) return style === 'knex' ? { style: 'knex-none' } : undefined;
  return bindingsOf(ts, file, node, style);
}

function bindingsOf(ts: TypeScript, file: TS.SourceFile, node: TS.Expression, style: 'knex' | 'pgm'): Bindings {
  const label = short(node.getText(file));
  const expression = unwrap(ts, node);
  if (ts.isObjectLiteralExpression(expression) || style === 'pgm') {
    const values = ts.isObjectLiteralExpression(expression) ? objectBindings(ts, file, expression) : undefined;
    return style === 'pgm' ? { style: 'pgm', values, label } : { style: 'knex-named', values, label };
  }
  const values = ts.isArrayLiteralExpression(expression)
    ? expression.elements.some((e) => ts.isSpreadElement(e))
      ? undefined
      : expression.elements.map((e) => bindingValue(ts, file, e))
    : undefined;
  return { style: 'knex-positional', values, label };
}

/** The object's keys and values; undefined when a spread or computed key hides some keys. */
function objectBindings(ts: TypeScript, file: TS.SourceFile, object: TS.ObjectLiteralExpression): Map<string, BindingValue> | undefined {
  const values = new Map<string, BindingValue>();
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) {
      values.set(property.name.text, bindingValue(ts, file, property.initializer));
    } else if (ts.isShorthandPropertyAssignment(property)) {
      values.set(property.name.text, { kind: 'dynamic', label: property.name.text });
    } else {
      return undefined;
    }
  }
  return values;
}

function bindingValue(ts: TypeScript, file: TS.SourceFile, node: TS.Expression): BindingValue {
  const value = unwrap(ts, node);
  if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) return { kind: 'literal', value: value.text };
  if (ts.isNumericLiteral(value)) return { kind: 'literal', value: Number(value.text) };
  if (value.kind === ts.SyntaxKind.TrueKeyword) return { kind: 'literal', value: true };
  if (value.kind === ts.SyntaxKind.FalseKeyword) return { kind: 'literal', value: false };
  if (value.kind === ts.SyntaxKind.NullKeyword) return { kind: 'literal', value: null };
  return { kind: 'dynamic', label: value.getText(file) };
}
