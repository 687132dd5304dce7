/** Milliseconds per unit of a PostgreSQL time setting (`SET statement_timeout = '5min'`). */
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A time setting's value in milliseconds, read the way PostgreSQL reads the timeouts: a bare
 * number is milliseconds, a unit may follow (`us`, `ms`, `s`, `min`, `h`, `d`). Undefined when
 * the value is not one PostgreSQL would accept.
 */
export function settingMs(value: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] ?? 'ms']!;
}

/** `30 s`, `5 min`, `2 h` for messages. */
export function formatMs(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** A timeout the migration set to something other than 0 (which disables it); unreadable values count as set. */
export function isTimeoutOn(value: string | undefined): boolean {
  return value !== undefined && (settingMs(value) ?? 1) > 0;
}
