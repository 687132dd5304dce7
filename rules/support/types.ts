import type { TypeInfo } from '../../src/sql/ast.js';

/**
 * What `ALTER COLUMN … TYPE` costs, judged from the old and new types alone (no USING clause,
 * no collation change). Postgres skips the rewrite only when the cast it builds reduces to a
 * relabel: a binary-coercible cast, or a length coercion its support function proves a no-op.
 */
export type TypeChange = 'no-op' | 'binary-coercible' | 'timestamp-time-zone' | 'rewrite';

export function typeChange(oldType: TypeInfo, newType: TypeInfo): TypeChange {
  const from = storedType(oldType);
  const to = storedType(newType);
  if (from.array !== to.array) return 'rewrite';
  if (from.name === to.name && sameMods(from.mods, to.mods)) return 'no-op';
  // Array changes go through an element-wise ArrayCoerceExpr, which always rewrites.
  if (from.array) return 'rewrite';
  if (isTimestampTimeZoneChange(from, to)) return 'timestamp-time-zone';
  return isBinaryCoercible(from, to) ? 'binary-coercible' : 'rewrite';
}

/** serial types are stored as the integer type of the same width. */
const SERIAL_STORAGE: Record<string, string> = {
  smallserial: 'int2',
  serial2: 'int2',
  serial: 'int4',
  serial4: 'int4',
  bigserial: 'int8',
  serial8: 'int8',
};

function storedType(type: TypeInfo): TypeInfo {
  const stored = SERIAL_STORAGE[type.name];
  return stored ? { ...type, name: stored } : type;
}

/** timestamp ↔ timestamptz: no rewrite on PostgreSQL 12+ when the session TimeZone is UTC. */
function isTimestampTimeZoneChange(from: TypeInfo, to: TypeInfo): boolean {
  const zones = new Set([from.name, to.name]);
  return zones.size === 2 && zones.has('timestamp') && zones.has('timestamptz') && !to.mods.length;
}

function isBinaryCoercible(from: TypeInfo, to: TypeInfo): boolean {
  switch (`${from.name}>${to.name}`) {
    case 'varchar>varchar':
    case 'varbit>varbit':
      return widensLength(from.mods, to.mods);
    case 'varchar>text':
    case 'cidr>inet':
      return true;
    case 'text>varchar':
      return !to.mods.length;
    case 'numeric>numeric':
      return widensNumeric(from.mods, to.mods);
    case 'timestamp>timestamp':
    case 'timestamptz>timestamptz':
    case 'time>time':
      return widensPrecision(from.mods, to.mods);
    default:
      return false;
  }
}

function sameMods(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((mod, i) => mod === b[i]);
}

/** varchar(n) → varchar(m ≥ n) or unlimited. */
function widensLength(from: number[], to: number[]): boolean {
  if (!to.length) return true;
  return from.length === 1 && to.length === 1 && to[0]! >= from[0]!;
}

/** numeric(p, s) → numeric(p' ≥ p, s) or unconstrained numeric; numeric(p) means scale 0. */
function widensNumeric(from: number[], to: number[]): boolean {
  if (!to.length) return true;
  if (!from.length) return false;
  const [fromPrecision, fromScale = 0] = from;
  const [toPrecision, toScale = 0] = to;
  return toScale === fromScale && toPrecision! >= fromPrecision!;
}

/** timestamp(p) → timestamp(p' ≥ p), unconstrained, or the maximum precision 6. */
function widensPrecision(from: number[], to: number[]): boolean {
  if (!to.length || to[0] === 6) return true;
  return from.length === 1 && to.length === 1 && to[0]! >= from[0]!;
}
