/** Milliseconds per unit PostgreSQL accepts for a time setting (units are case-sensitive). */
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A time setting whose base unit is the millisecond (lock_timeout, statement_timeout), parsed the
 * way PostgreSQL does: a number, optionally fractional, an optional unit (a bare number is in
 * milliseconds), rounded to whole milliseconds, so `'100us'` is 0. Undefined when PostgreSQL
 * would reject the value or it is not a constant.
 */
export function settingMilliseconds(value: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(us|ms|s|min|h|d)?\s*$/.exec(value);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 'ms']!);
}

/** `1500` → `1.5s`, `60000` → `1min`, for messages. */
export function formatMilliseconds(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}min`;
  if (ms >= 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}
