import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../config/load.js';
import { SelectionError } from '../executor/executor.js';
import { MigrationLockTimeoutError } from '../executor/advisory-lock.js';
import { DatabaseError } from '../executor/db/types.js';
import { TOOL_VERSION } from '../version.js';
import { EXIT, UsageError, processIO, type CliIO } from './io.js';
import { LINT_FORMATS, runLint, type LintFlags } from './lint.js';
import { LAYOUT_CHOICES, ROLLBACK_CHOICES, TRANSACTION_CHOICES } from './lint-flags.js';
import type { InitFlags } from './init.js';
import type { ApplyFlags } from './apply.js';
import type { NewFlags } from './new.js';
import type { ResolveFlags } from './resolve.js';
import type { ExecutorFlags } from './executor-setup.js';
import type { StatsFlags } from './stats.js';
import type { RehearseFlags } from './rehearse.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Runs the CLI and resolves to the exit code; it never calls process.exit. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('pgwarden')
    .description('Lint PostgreSQL migrations for risk, and apply them only within what an environment allows.')
    .version(TOOL_VERSION, '-v, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('lint')
    .description('Analyse migration files and report risky statements.')
    .argument('[paths...]', 'files, directories, globs, or - for standard input (default: migrations.dir)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(LINT_FORMATS).default('text'))
    .option('--postgres-version <n>', 'target PostgreSQL major version (default 16 or config)')
    .option('--layout <layout>', `migration layout, overriding migrations.layout: ${LAYOUT_CHOICES.join(', ')}`)
    .option('--transaction <mode>', `how the runner wraps each file, overriding migrations.transaction: ${TRANSACTION_CHOICES.join(', ')}`)
    .option('--rollback <mode>', `when a missing down part is reported, overriding migrations.rollback: ${ROLLBACK_CHOICES.join(', ')}`)
    .option('--max-risk <level>', 'fail when a file is riskier than low, medium or high')
    .option('-c, --config <file>', 'configuration file (default: searched from the working directory)')
    .option('--rule <id=severity>', 'set a rule to off, warning or error, or to JSON [severity, options] (repeatable)', collect)
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--color', 'force colours')
    .option('--no-color', 'disable colours')
    .option('--stdin-filename <name>', 'path to report for standard input')
    .option('--stats <file>', 'table sizes from `pgwarden stats`: locking findings on small tables move down, on large ones up')
    .option('--fix', 'apply the fixes findings carry to the files, write the follow-up migrations they need, then report what remains')
    .option('--rehearse', 'also replay the migrations directory on a scratch database and merge what it observed (see `pgwarden rehearse`)')
    .action(async (paths: string[], flags: LintFlags) => {
      exitCode = await runLint(paths, flags, io);
    });

  const executorOptions = (command: Command) =>
    command
      .option('-e, --env <name>', 'environment from the config (default: development)')
      .option('-c, --config <file>', 'configuration file (default: searched from the working directory)')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--color', 'force colours')
      .option('--no-color', 'disable colours');
  const riskOptions = (command: Command) =>
    command
      .option('--accept-risk <level>', "let migrations up to this risk through (only where the environment's allowOverride is set)")
      .option('--reason <text>', 'why the risk is accepted; recorded with the migration and in the audit trail');

  riskOptions(
    executorOptions(
      program
        .command('plan')
        .description("List pending migrations with each one's risk and the gate's verdict; nothing is executed.")
        .option('--to <id>', 'plan up to and including this migration'),
    ),
  ).action(async (flags: ApplyFlags) => {
    exitCode = await (await import('./apply.js')).runPlan(flags, io);
  });

  riskOptions(
    executorOptions(
      program
        .command('apply')
        .description("Apply pending migrations, refusing all of them if any is above the environment's maxRisk.")
        .option('--to <id>', 'apply up to and including this migration'),
    ),
  ).action(async (flags: ApplyFlags) => {
    exitCode = await (await import('./apply.js')).runApply('up', flags, io);
  });

  riskOptions(
    executorOptions(
      program
        .command('down')
        .description('Roll back applied migrations, newest first, each gated by the risk of its down part.')
        .option('--steps <n>', 'how many migrations to roll back (default 1)')
        .option('--to <id>', 'roll back every migration after this one'),
    ),
  ).action(async (flags: ApplyFlags) => {
    exitCode = await (await import('./apply.js')).runApply('down', flags, io);
  });

  executorOptions(
    program.command('status').description('Show applied, pending, failed and drifted migrations (exit 1 when any needs attention).'),
  ).action(async (flags: ExecutorFlags) => {
    exitCode = await (await import('./status.js')).runStatus(flags, io);
  });

  executorOptions(
    program
      .command('resolve')
      .description('Record how a failed migration was settled by hand: --as applied or --as pending.')
      .argument('<id>', 'migration id')
      .requiredOption('--as <state>', 'applied (you completed it) or pending (you undid it)'),
  ).action(async (id: string, flags: ResolveFlags) => {
    exitCode = await (await import('./resolve.js')).runResolve(id, flags, io);
  });

  program
    .command('stats')
    .description('Print a JSON snapshot of table sizes (row estimates, bytes) for `pgwarden lint --stats`; read-only.')
    .option('--database <url>', 'a postgres:// URL, pglite:memory or pglite:<dir> (default: the environment\'s database)')
    .option('-e, --env <name>', 'environment from the config whose database to read (default: development)')
    .option('-c, --config <file>', 'configuration file (default: searched from the working directory)')
    .option('-o, --output <file>', 'write the snapshot to a file instead of standard output')
    .action(async (flags: StatsFlags) => {
      exitCode = await (await import('./stats.js')).runStats(flags, io);
    });

  program
    .command('rehearse')
    .description(
      'Replay migrations on a fresh database: observe the locks each statement holds and the tables it rewrites, and check that every down migration restores the schema.',
    )
    .argument('[dir]', 'migrations directory (default: migrations.dir)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif', 'github']).default('text'))
    .option('--database <url>', 'pglite:memory (default, PostgreSQL 18 in process) or a postgres:// URL: a scratch database is created on that server and dropped')
    .option('--from <id>', 'rehearse from this migration on; the earlier ones are only applied')
    .option('--seed <file>', 'SQL run before the first rehearsed migration, so rewrites and validations touch rows (default: rehearsal.seed)')
    .option('--max-risk <level>', 'fail when a rehearsed file is riskier than low, medium or high')
    .option('-c, --config <file>', 'configuration file (default: searched from the working directory)')
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--color', 'force colours')
    .option('--no-color', 'disable colours')
    .action(async (dir: string | undefined, flags: RehearseFlags) => {
      exitCode = await (await import('./rehearse.js')).runRehearse(dir, flags, io);
    });

  program
    .command('new')
    .description('Write the skeleton of the next migration in the configured layout.')
    .argument('<name...>', 'what the migration does, e.g. add email to users (slugged to snake_case)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-c, --config <file>', 'configuration file (default: searched from the working directory)')
    .action(async (name: string[], flags: NewFlags) => {
      exitCode = await (await import('./new.js')).runNew(name.join(' '), flags, io);
    });

  program
    .command('init')
    .description('Write a commented pgwarden.config.yaml for the migrations found here (layout, directory, transactions).')
    .option('--dir <dir>', 'migrations directory (default: detected)')
    .option('--force', 'overwrite an existing pgwarden.config.yaml')
    .action(async (flags: InitFlags) => {
      exitCode = await (await import('./init.js')).runInit(flags, io);
    });

  // Commands other than lint load their modules when run, so `pgwarden lint` starts faster.
  program
    .command('explain')
    .description("Print a rule's documentation: what it detects, why, and the safe rewrite.")
    .argument('<rule>', 'rule id')
    .action(async (id: string) => {
      exitCode = (await import('./explain.js')).runExplain(id, io);
    });

  program
    .command('rules')
    .description('List every rule with its risk and default severity.')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (flags: { format: string }) => {
      exitCode = (await import('./explain.js')).runRules(io, flags.format);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with code 0; every other commander error is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof SelectionError) {
      io.stderr(`pgwarden: ${error.message}\n`);
      return EXIT.error;
    }
    if (error instanceof MigrationLockTimeoutError) {
      // Another run kept the lock: nothing was applied, as when a migration is refused.
      io.stderr(`pgwarden: ${error.message}\n`);
      return EXIT.failed;
    }
    if (error instanceof DatabaseError) {
      // Messages from the database layer have their secrets removed already.
      io.stderr(`pgwarden: database error: ${error.message}\n`);
      return EXIT.error;
    }
    io.stderr(`pgwarden: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.error;
  }
}
