/** `500ms`, `2s`, `1min`, `1h`, a bare number of milliseconds, or a number: milliseconds. */
export function durationMs(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)\s*(ms|s|min|h)?$/.exec(value.trim());
  if (!match) throw new Error(`not a duration: "${value}"`);
  const amount = Number(match[1]);
  const unit = match[2] ?? 'ms';
  return amount * { ms: 1, s: 1000, min: 60_000, h: 3_600_000 }[unit]!;
}
