import { FragmentBuilder, type Segment, type TextSegment } from './fragment.js';

/**
 * A value bound into the SQL by the library before it runs: a literal pgwarden can write into the
 * SQL itself, or an expression only known at run time.
 */
export type BindingValue =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'dynamic'; label: string };

/**
 * How a call binds values into its SQL text:
 * - Knex `raw(sql, [a, b])`: `?` is a value, `??` an identifier, `\?` a literal question mark;
 * - Knex `raw(sql, { a })`: `:a` is a value, `:a:` an identifier;
 * - node-pg-migrate `sql(sql, { a })`: `{a}` is replaced by the value.
 * `values` is undefined when the bindings argument is not a literal array or object; `label` is
 * that argument's source text.
 */
export type Bindings =
  | { style: 'knex-positional'; values: BindingValue[] | undefined; label: string }
  | { style: 'knex-named'; values: Map<string, BindingValue> | undefined; label: string }
  | { style: 'knex-none' }
  | { style: 'pgm'; values: Map<string, BindingValue> | undefined; label: string };

const KNEX_POSITIONAL = /\\?\?\??/g;
const KNEX_NAMED = /\\?(:(\w+):(?=::)|:(\w+):(?!:)|:(\w+))/g;
const PGM_KEY = /\{(\w+)\}/g;

/** Rewrites the binding markers of `segments` into SQL (literals) or dynamic parts. */
export function applyBindings(segments: readonly Segment[], bindings: Bindings): FragmentBuilder {
  const out = new FragmentBuilder();
  let position = 0;
  for (const segment of segments) {
    if (segment.kind === 'dynamic') out.append(segment);
    else position = rewriteText(segment, bindings, out, position);
  }
  return out;
}

function rewriteText(segment: TextSegment, bindings: Bindings, out: FragmentBuilder, position: number): number {
  const { text } = segment;
  const pattern = bindings.style === 'pgm' ? PGM_KEY : bindings.style === 'knex-named' ? KNEX_NAMED : KNEX_POSITIONAL;
  pattern.lastIndex = 0;
  let cursor = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const at = match.index;
    const marker = match[0];
    const range = { start: segment.from[at]!, end: segment.to[at + marker.length - 1]! };
    const replacement = replace(marker, match, bindings, position);
    if (replacement === undefined) continue;
    out.text(text.slice(cursor, at), segment.from.slice(cursor, at), segment.to.slice(cursor, at));
    if (replacement.consumed) position++;
    for (const piece of replacement.pieces) {
      if (piece.kind === 'sql') out.inline(piece.sql, range.start, range.end);
      else out.dynamic(range.start, range.end, piece.label, piece.reason);
    }
    cursor = at + marker.length;
  }
  out.text(text.slice(cursor), segment.from.slice(cursor), segment.to.slice(cursor));
  return position;
}

type Piece = { kind: 'sql'; sql: string } | { kind: 'dynamic'; label: string; reason: string };

interface Replacement {
  pieces: Piece[];
  /** A positional binding was used. */
  consumed: boolean;
}

function replace(marker: string, match: RegExpExecArray, bindings: Bindings, position: number): Replacement | undefined {
  switch (bindings.style) {
    case 'knex-none':
      // Without bindings Knex leaves `?` alone; the pg client unescapes `\?`.
      return marker.startsWith('\\') ? { pieces: [{ kind: 'sql', sql: '?' }], consumed: false } : undefined;
    case 'knex-positional': {
      if (marker.startsWith('\\')) {
        const pieces: Piece[] = [{ kind: 'sql', sql: '?' }];
        if (marker.length === 3) pieces.push(bound('value', bindings.values?.[position], `${bindings.label}[${position}]`, 'Knex binding `?`'));
        return { pieces, consumed: marker.length === 3 };
      }
      const kind = marker === '??' ? 'identifier' : 'value';
      return { pieces: [bound(kind, bindings.values?.[position], `${bindings.label}[${position}]`, `Knex binding \`${marker}\``)], consumed: true };
    }
    case 'knex-named': {
      if (marker.startsWith('\\')) return { pieces: [{ kind: 'sql', sql: match[1]! }], consumed: false };
      const key = (match[2] ?? match[3] ?? match[4])!;
      if (bindings.values ? !bindings.values.has(key) : match.input[match.index - 1] === ':') return undefined;
      const value = bindings.values?.get(key);
      const kind = marker.endsWith(':') ? 'identifier' : 'value';
      return { pieces: [bound(kind, value, `${bindings.label}.${key}`, `Knex binding \`${marker}\``)], consumed: false };
    }
    case 'pgm': {
      const key = match[1]!;
      if (bindings.values && !bindings.values.has(key)) return undefined;
      return { pieces: [bound('value', bindings.values?.get(key), `${bindings.label}.${key}`, `pgm.sql argument \`${marker}\``)], consumed: false };
    }
  }
}

/** The SQL a binding produces: its literal written out, or a dynamic part. */
function bound(kind: 'value' | 'identifier', value: BindingValue | undefined, fallbackLabel: string, name: string): Piece {
  if (value?.kind === 'literal') {
    const sql = kind === 'identifier' ? identifierSql(value.value) : valueSql(value.value);
    if (sql !== undefined) return { kind: 'sql', sql };
  }
  const label = value?.kind === 'dynamic' ? value.label : fallbackLabel;
  return { kind: 'dynamic', label, reason: `${name} bound to \`${label}\`` };
}

function valueSql(value: string | number | boolean | null): string | undefined {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  return `'${value.replaceAll("'", "''")}'`;
}

/** Knex quotes each dot-separated part of an identifier binding. */
function identifierSql(value: string | number | boolean | null): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  return String(value)
    .split('.')
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.');
}
