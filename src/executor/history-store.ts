import type { HistoryConfig } from '../config/schema.js';
import type { DatabaseSession } from './db/types.js';
import {
  ensureHistory,
  finishMigration,
  markResolved,
  readHistory,
  recordApplied,
  recordAudit,
  startMigration,
  type HistoryKey,
  type MigrationAttempt,
} from './history.js';
import type { HistoryEntry, HistoryStore } from './store.js';

/** The executor's history and audit, kept in the database's tables (or an audit JSON-lines file). */
export function createHistoryStore(
  session: DatabaseSession,
  config: HistoryConfig,
  options: { cwd: string },
): HistoryStore {
  return {
    ensure: () => ensureHistory(session, config),
    async current() {
      const entries = new Map<string, HistoryEntry>();
      for (const [id, entry] of await readHistory(session, config)) {
        entries.set(id, {
          id,
          state: entry.state,
          appliedChecksum: entry.appliedChecksum,
          direction: entry.direction,
          finishedAt: entry.finishedAt,
          failedStatement: entry.failedStatement,
          error: entry.error,
        });
      }
      return entries;
    },
    recorder(run) {
      const attempt: MigrationAttempt = {
        id: run.id,
        direction: run.direction,
        checksum: run.checksum,
        risk: run.risk,
        overrideReason: run.override?.reason ?? null,
        overriddenBy: run.override?.user ?? null,
      };
      let key: HistoryKey | undefined;
      return {
        async recordAppliedInTransaction(durationMs) {
          await recordApplied(session, config, { ...attempt, durationMs });
        },
        async recordStarted() {
          key = await startMigration(session, config, attempt);
        },
        async recordFinished(outcome) {
          if (key === undefined) throw new Error('recordFinished before recordStarted');
          await finishMigration(
            session,
            config,
            key,
            outcome.ok
              ? { status: 'applied', durationMs: outcome.durationMs }
              : { status: 'failed', durationMs: outcome.durationMs, error: outcome.error, failedStatement: outcome.statement },
          );
        },
      };
    },
    async audit(entry) {
      await recordAudit(session, config, { ...entry }, { cwd: options.cwd });
    },
    async resolve(id, as) {
      await markResolved(session, config, id, as);
    },
  };
}
