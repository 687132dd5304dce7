import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../config/load.js';
import { TOOL_VERSION } from '../version.js';
import { EXIT, UsageError, processIO, type CliIO } from './io.js';
import { LINT_FORMATS, runLint, type LintFlags } from './lint.js';
import { runExplain, runRules } from './explain.js';

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
    .option('--max-risk <level>', 'fail when a file is riskier than low, medium or high')
    .option('-c, --config <file>', 'configuration file (default: searched from the working directory)')
    .option('--rule <id=severity>', 'set a rule to off, warning or error (repeatable)', collect)
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--color', 'force colours')
    .option('--no-color', 'disable colours')
    .option('--stdin-filename <name>', 'path to report for standard input')
    .action(async (paths: string[], flags: LintFlags) => {
      exitCode = await runLint(paths, flags, io);
    });

  program
    .command('explain')
    .description("Print a rule's documentation: what it detects, why, and the safe rewrite.")
    .argument('<rule>', 'rule id')
    .action((id: string) => {
      exitCode = runExplain(id, io);
    });

  program
    .command('rules')
    .description('List every rule with its risk and default severity.')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((flags: { format: string }) => {
      exitCode = runRules(io, flags.format);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with code 0; every other commander error is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.stderr(`pgwarden: ${error.message}\n`);
      return EXIT.error;
    }
    io.stderr(`pgwarden: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.error;
  }
}
