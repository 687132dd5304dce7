import { readFile } from 'node:fs/promises';
import { StatsSnapshotSchema, type StatsSnapshot } from './schema.js';

/** A stats file that cannot be read or is not a `pgwarden stats` snapshot. */
export class StatsFileError extends Error {}

/** Reads and validates a snapshot written by `pgwarden stats`. */
export async function loadStatsFile(path: string): Promise<StatsSnapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new StatsFileError(`Cannot read the stats file ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StatsFileError(`The stats file ${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = StatsSnapshotSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new StatsFileError(`The stats file ${path} is not a pgwarden stats snapshot (run \`pgwarden stats\`):\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
