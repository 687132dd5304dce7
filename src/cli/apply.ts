import { acquireMigrationLock, migrationLockKey } from '../executor/advisory-lock.js';
import { applyMigrations, rollBackMigrations, type Outcome, type Rehearser, type Selection } from '../executor/executor.js';
import { settingsFromConfig } from '../lint-settings.js';
import { runHook } from '../executor/hooks.js';
import { redactText, urlSecrets } from '../executor/db/redact.js';
import { EXIT, UsageError, type CliIO } from './io.js';
import { headerLine, outcomeJson, outcomeText, planText } from './executor-output.js';
import { databaseUrl, overrideFrom, prepare, withDatabase, type ExecutorFlags, type ExecutorSetup } from './executor-setup.js';
import { ProgressLine } from './progress.js';

export interface ApplyFlags extends ExecutorFlags {
  to?: string;
  steps?: string;
  acceptRisk?: string;
  reason?: string;
}

const EXIT_FOR: Record<Outcome['status'], number> = {
  done: EXIT.ok,
  'nothing-to-do': EXIT.ok,
  blocked: EXIT.failed,
  refused: EXIT.failed,
  'hook-failed': EXIT.failed,
  failed: EXIT.failed,
};

/** `pgwarden apply` and `pgwarden down`. */
export async function runApply(direction: 'up' | 'down', flags: ApplyFlags, io: CliIO): Promise<number> {
  const selection: Selection = { ...selectionFrom(direction, flags) };
  const override = overrideFrom(flags);
  if (override) selection.override = override;
  const setup = await prepare(flags, io);
  const { colors: c, environment } = setup;
  const progress = new ProgressLine(io.stderr, !setup.json && !!io.stderrIsTTY, io.stdout);
  const say = (line: string) => (setup.json ? undefined : progress.log(line));
  say(headerLine(direction === 'up' ? 'apply' : 'down', environment, setup.database, c));

  const idWidth = Math.max(0, ...setup.migrations.map((m) => m.id.length));
  const outcome = await withDatabase(setup, io, async ({ session, store }) => {
    const lock = await acquireMigrationLock(session, {
      key: migrationLockKey(setup.loaded.config.history),
      timeoutMs: environment.advisoryLockTimeoutMs,
      onWait: (elapsedMs) => io.stderr(`pgwarden: another pgwarden run holds the migration lock on this database; waiting (${Math.round(elapsedMs / 1000)}s)…\n`),
    });
    try {
      await store.ensure();
      const secrets = databaseSecrets(setup, io);
      return await (direction === 'up' ? applyMigrations : rollBackMigrations)(
        {
          environment,
          store,
          session,
          migrations: setup.migrations,
          rehearse: rehearserFor(setup, io),
          runHook: async (name, command) => {
            const result = await runHook(command, {
              cwd: setup.loaded.baseDir,
              env: hookEnvironment(setup, io, name),
              secrets,
              onOutput: (line) => say(c.dim(`  [${name}] ${line}`)),
            });
            return { ok: result.ok, reason: result.reason };
          },
          events: {
            onStart: (migration, dir, index, total) => {
              progress.start();
              progress.update(`${dir === 'up' ? 'applying' : 'rolling back'} ${migration.id} (${index}/${total})`);
            },
            onProgress: (migration, p) =>
              progress.update(`${migration.id} · statement ${p.statement}/${p.statements}${p.attempt > 1 ? ` · attempt ${p.attempt}` : ''}`),
            onRetry: (migration, attempt, delayMs) =>
              say(c.yellow(`  ↻ ${migration.id}: lock timeout, retrying in ${delayMs < 1000 ? `${delayMs} ms` : `${(delayMs / 1000).toFixed(1)} s`} (retry ${attempt} of ${environment.lockRetries})`)),
            onFinish: (migration, result) => {
              const risk = (direction === 'up' ? migration.up : migration.down!).report.risk;
              const note = `${risk} risk · ${result.durationMs} ms${result.transactional ? '' : ' · outside a transaction'}`;
              say(`  ${result.ok ? c.green('✔') : c.red('✖')} ${migration.id.padEnd(idWidth)}  ${c.dim(note)}`);
            },
            // The command may spell out the database URL or password itself (pg_dump "postgres://…").
            onHook: (name, command) => say(c.dim(`  running ${name}: ${redactText(command, secrets)}`)),
            onRehearsal: (phase) => (phase === 'start' ? progress.update('rehearsing on a scratch database') : undefined),
          },
        },
        selection,
      );
    } finally {
      progress.stop();
      await lock.release();
    }
  });

  if (setup.json) io.stdout(JSON.stringify(outcomeJson(outcome, environment, setup.database)) + '\n');
  else io.stdout(outcomeText(outcome, environment, c, setup.loaded.config.postgresVersion));
  return EXIT_FOR[outcome.status];
}

/** `pgwarden plan`: what apply would do, judged, with nothing executed. */
export async function runPlan(flags: ApplyFlags, io: CliIO): Promise<number> {
  const selection: Selection = { ...selectionFrom('up', flags), dryRun: true };
  const override = overrideFrom(flags);
  if (override) selection.override = override;
  const setup = await prepare(flags, io);
  const outcome = await withDatabase(setup, io, ({ session, store }) =>
    applyMigrations({ environment: setup.environment, store, session, migrations: setup.migrations, rehearse: rehearserFor(setup, io) }, selection),
  );
  if (setup.json) io.stdout(JSON.stringify(outcomeJson(outcome, setup.environment, setup.database)) + '\n');
  else io.stdout(headerLine('plan', setup.environment, setup.database, setup.colors) + '\n' + planText(outcome, setup.colors));
  return EXIT_FOR[outcome.status];
}

function selectionFrom(direction: 'up' | 'down', flags: ApplyFlags): Selection {
  const selection: Selection = {};
  if (flags.to !== undefined) selection.to = flags.to;
  if (flags.steps !== undefined) {
    if (direction === 'up') throw new UsageError('--steps is for down; apply takes --to ID.');
    if (flags.to !== undefined) throw new UsageError('--steps and --to cannot be used together.');
    const steps = Number(flags.steps);
    if (!Number.isInteger(steps) || steps < 1) throw new UsageError(`--steps must be a whole number of at least 1 (got "${flags.steps}").`);
    selection.steps = steps;
  }
  return selection;
}

/** `requireRehearsal`: rehearse on the config's rehearsal database (pglite:memory by default) with its seed. */
function rehearserFor(setup: ExecutorSetup, io: CliIO): Rehearser {
  return async (direction, items) => {
    const [{ rehearseForExecutor }, { rehearsalSetup }] = await Promise.all([import('../rehearsal/judge.js'), import('./rehearse.js')]);
    const { config, baseDir } = setup.loaded;
    const { database, seed } = rehearsalSetup(config, baseDir, io);
    return rehearseForExecutor(
      {
        migrations: setup.migrations,
        settings: settingsFromConfig(config, io.cwd, baseDir),
        cwd: baseDir,
        env: io.env,
        ...(database !== undefined ? { database } : {}),
        ...(seed ? { seed } : {}),
      },
      direction,
      items,
    );
  };
}

function databaseSecrets(setup: ExecutorSetup, io: CliIO): string[] {
  const url = databaseUrl(setup.environment.database, io);
  return url ? urlSecrets(url) : [];
}

/** What a hook may need: which environment, and the database URL (for pg_dump and the like). */
function hookEnvironment(setup: ExecutorSetup, io: CliIO, hook: string): Record<string, string> {
  const url = databaseUrl(setup.environment.database, io);
  return { PGWARDEN_ENV: setup.environment.name, PGWARDEN_HOOK: hook, ...(url ? { PGWARDEN_DATABASE_URL: url } : {}) };
}

