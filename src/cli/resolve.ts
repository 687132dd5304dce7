import { acquireMigrationLock, migrationLockKey } from '../executor/advisory-lock.js';
import { migrationStates } from '../executor/executor.js';
import { EXIT, UsageError, type CliIO } from './io.js';
import { prepare, withDatabase, type ExecutorFlags } from './executor-setup.js';

export interface ResolveFlags extends ExecutorFlags {
  as?: string;
}

/**
 * `pgwarden resolve ID --as applied|pending`: after a migration that ran outside a transaction
 * failed part-way, the operator finishes or undoes it by hand and records which; apply refuses
 * to run until then.
 */
export async function runResolve(id: string, flags: ResolveFlags, io: CliIO): Promise<number> {
  if (flags.as !== 'applied' && flags.as !== 'pending') throw new UsageError('--as must be applied or pending.');
  const as = flags.as;
  const setup = await prepare(flags, io);
  const migration = setup.migrations.find((m) => m.id === id);
  if (!migration) throw new UsageError(`No migration has the id "${id}".`);
  return withDatabase(setup, io, async ({ session, store }) => {
    const lock = await acquireMigrationLock(session, { key: migrationLockKey(setup.loaded.config.history), timeoutMs: setup.environment.advisoryLockTimeoutMs });
    try {
      await store.ensure();
      const state = migrationStates(setup.migrations, await store.current()).find((s) => s.id === id)!;
      if (state.state !== 'failed') {
        io.stderr(`pgwarden: ${id} is ${state.state}, not failed: there is nothing to resolve.\n`);
        return EXIT.failed;
      }
      await store.resolve(id, as);
      await store.audit({
        environment: setup.environment.name,
        action: 'resolve',
        migrationId: id,
        risk: migration.up.report.risk,
        maxRisk: setup.environment.maxRisk,
        detail: { as, error: state.entry?.error ?? null, statement: state.entry?.failedStatement ?? null },
      });
      io.stdout(setup.json ? JSON.stringify({ id, resolvedAs: as }) + '\n' : `✔ ${id} is now recorded as ${as}.\n`);
      return EXIT.ok;
    } finally {
      await lock.release();
    }
  });
}
