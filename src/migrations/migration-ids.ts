/** How a directory numbers its migrations, learnt from the ids already there. */
export type IdStyle = 'sequence' | 'timestamp' | 'diesel';

const DIESEL = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(\d{2})(?!\d)/;
const DIGITS = /^\d+/;
const TIMESTAMP = /^(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])[0-5]\d[0-5]\d$/;

interface Prefix {
  style: IdStyle;
  value: string;
}

/** The ordering prefix of an id: `0007`, `20240101120000` or Diesel's `2024-01-01-120000`. */
function prefixOf(id: string): Prefix | undefined {
  const diesel = DIESEL.exec(id);
  if (diesel) return { style: 'diesel', value: diesel[0] };
  const digits = DIGITS.exec(id)?.[0];
  if (digits === undefined) return undefined;
  return { style: TIMESTAMP.test(digits) ? 'timestamp' : 'sequence', value: digits };
}

const byMigrationOrder = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * The prefix for the next migration after `existing` ids: the sequence continued (same zero
 * padding), or a UTC timestamp when the latest migration is timestamped. Without numbered ids,
 * `fallback` decides; `forced` overrides the history (Prisma only knows timestamps).
 */
export function nextIdPrefix(existing: readonly string[], fallback: IdStyle, now: Date, forced?: IdStyle): string {
  const prefixes = [...existing].sort(byMigrationOrder).flatMap((id) => prefixOf(id) ?? []);
  const style = forced ?? prefixes.at(-1)?.style ?? fallback;
  const same = prefixes.filter((p) => p.style === style).map((p) => p.value);
  if (style === 'sequence') {
    // Keeps the history's padding (0001_, 000001_, or none for 1_, 2_); a new sequence gets 0001_.
    const width = same.length ? Math.max(...same.map((v) => v.length)) : 4;
    const next = same.reduce((max, v) => (BigInt(v) > max ? BigInt(v) : max), 0n) + 1n;
    return next.toString().padStart(width, '0');
  }
  return timestampAfter(same, style, now);
}

/**
 * `now` in the style, or one second after the latest existing timestamp when the clock is behind it
 * (or two migrations are made within a second), so the new migration always sorts last.
 */
export function timestampAfter(existing: readonly string[], style: 'timestamp' | 'diesel', now: Date): string {
  const latest = existing.reduce<string | undefined>((max, v) => (max === undefined || v > max ? v : max), undefined);
  const candidate = formatTimestamp(now, style);
  if (latest === undefined || candidate > latest) return candidate;
  return formatTimestamp(new Date(parseTimestamp(latest).getTime() + 1000), style);
}

function formatTimestamp(date: Date, style: 'timestamp' | 'diesel'): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const day = `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`;
  const time = `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
  return style === 'timestamp' ? day + time : `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}-${time}`;
}

function parseTimestamp(value: string): Date {
  const d = value.replace(/-/g, '');
  const part = (start: number, length: number) => Number(d.slice(start, start + length));
  return new Date(Date.UTC(part(0, 4), part(4, 2) - 1, part(6, 2), part(8, 2), part(10, 2), part(12, 2)));
}

/**
 * The next Flyway version: the integer after the highest version's first part (`1`, `1.1`, `2_3`
 * → `3`), or a timestamp when the versions are timestamps.
 */
export function nextFlywayVersion(versions: readonly string[], now: Date): string {
  const parsed = versions.map((v) => v.split(/[._]/).map((part) => BigInt(part)));
  const highest = parsed.reduce<bigint[] | undefined>((max, v) => (max === undefined || compareVersions(v, max) > 0 ? v : max), undefined);
  if (!highest) return '1';
  const major = highest[0]!.toString();
  if (TIMESTAMP.test(major)) {
    return timestampAfter(parsed.map((v) => v[0]!.toString()).filter((v) => TIMESTAMP.test(v)), 'timestamp', now);
  }
  return (highest[0]! + 1n).toString();
}

function compareVersions(a: readonly bigint[], b: readonly bigint[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0n;
    const y = b[i] ?? 0n;
    if (x !== y) return x > y ? 1 : -1;
  }
  return 0;
}

const CHUNK = /(\d+)|(\D+)/g;
const DASHED_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})-(\d{6})/;

/** Diesel's `2018-04-24-145128_x` sorts with `20170322130523_x` (both are one timestamp). */
function withoutDateDashes(id: string): string {
  return id.replace(DASHED_TIMESTAMP, '$1$2$3$4');
}

/** Natural order: digit runs compare as numbers, the rest by code point. */
export function compareIds(a: string, b: string): number {
  const left = withoutDateDashes(a).match(CHUNK) ?? [];
  const right = withoutDateDashes(b).match(CHUNK) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]!;
    const y = right[i]!;
    if (x === y) continue;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    if (numeric) {
      const xs = x.replace(/^0+(?=\d)/, '');
      const ys = y.replace(/^0+(?=\d)/, '');
      if (xs.length !== ys.length) return xs.length - ys.length;
      if (xs !== ys) return xs < ys ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return left.length - right.length || (a < b ? -1 : a > b ? 1 : 0);
}
