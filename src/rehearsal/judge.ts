import type { Direction } from '../migrations/types.js';
import type { RehearsalJudgement } from '../executor/gate.js';
import type { Migration, MigrationPart } from '../migrations/migration-set.js';
import type { FileReport } from '../report/schema.js';
import { runRehearsal, type RehearsalRequest } from './run.js';

/**
 * The executor's rehearsal (`requireRehearsal`): the migrations before the ones about to run are
 * applied to a scratch database, then those are rehearsed (up, and down with the rollback check),
 * and each part to run gets its rehearsed report, or the reason it could not be rehearsed.
 */
export async function rehearseForExecutor(
  request: Omit<RehearsalRequest, 'from' | 'to'>,
  direction: Direction,
  items: ReadonlyArray<{ migration: Migration; part: MigrationPart }>,
): Promise<RehearsalJudgement> {
  const ids = items.map((item) => item.migration.id);
  // Up runs oldest first, down newest first: either way the rehearsal covers the same range.
  const [from, to] = direction === 'up' ? [ids[0], ids.at(-1)] : [ids.at(-1), ids[0]];
  const outcome = await runRehearsal({ ...request, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  const reports = new Map<MigrationPart, FileReport>();
  const failed = new Map<MigrationPart, string>();
  for (const { migration, part } of items) {
    const result = outcome.rehearsal.migrations.find((m) => m.migration.id === migration.id);
    const report = outcome.merged.get(part);
    if (report) reports.set(part, report);
    if (!result || result.status === 'not-rehearsed') {
      failed.set(part, `the rehearsal did not reach ${migration.id}${result?.note ? ` (${result.note})` : ''}`);
    } else if (result.status === 'failed') {
      const error = result.up?.failure?.error.message ?? result.note ?? 'it failed';
      failed.set(part, `${migration.id} fails in the rehearsal: ${error}`);
    } else if (direction === 'down' && result.rollback.status === 'failed') {
      failed.set(part, `the down part of ${migration.id} fails in the rehearsal: ${result.down?.failure?.error.message ?? 'it failed'}`);
    }
  }
  return { reports, failed };
}
