import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createColors } from 'picocolors';
import { allRules } from '../../rules/index.js';
import { isRiskAbove, parseRisk, type Risk } from '../analysis/risk.js';
import type { Config } from '../config/schema.js';
import { loadConfig } from '../config/load.js';
import type { LintSettings } from '../lint-settings.js';
import { loadMigrationSet, type Migration } from '../migrations/migration-set.js';
import type { DatabaseSpec } from '../executor/db/open.js';
import type { Report } from '../report/schema.js';
import { formatText } from '../report/text.js';
import type { RehearsalOutcome } from '../rehearsal/report.js';
import { SeedError } from '../rehearsal/rehearse.js';
import { EXIT, UsageError, useColor, type CliIO } from './io.js';
import { lintSettingsFrom } from './lint-flags.js';
import { ProgressLine } from './progress.js';

export const REHEARSE_FORMATS = ['text', 'json', 'sarif', 'github'] as const;

export interface RehearseFlags {
  format: string;
  database?: string;
  from?: string;
  seed?: string;
  config?: string;
  output?: string;
  maxRisk?: string;
  color?: boolean;
}

/** What a rehearsal needs from the config and the flags. */
export interface RehearsalSetup {
  database: DatabaseSpec | undefined;
  seed: { path: string; text: string } | undefined;
}

/** `--database`, `--seed` (relative to the working directory) or the config's `rehearsal` (relative to its file). */
export function rehearsalSetup(config: Config, baseDir: string, io: CliIO, flags: { database?: string; seed?: string } = {}): RehearsalSetup {
  const database = flags.database ?? config.rehearsal?.database;
  const seedPath = flags.seed !== undefined ? resolve(io.cwd, flags.seed) : config.rehearsal?.seed !== undefined ? resolve(baseDir, config.rehearsal.seed) : undefined;
  let seed: RehearsalSetup['seed'];
  if (seedPath !== undefined) {
    try {
      seed = { path: seedPath, text: readFileSync(seedPath, 'utf8') };
    } catch (error) {
      throw new UsageError(`Cannot read the rehearsal seed ${seedPath}: ${(error as Error).message}`);
    }
  }
  return { database, seed };
}

/**
 * Rehearses with a progress line on standard error, and drops a server's scratch database if the
 * process is interrupted (Ctrl-C) before it finishes.
 */
export async function rehearseWithProgress(
  io: CliIO,
  request: {
    migrations: readonly Migration[];
    settings: LintSettings;
    setup: RehearsalSetup;
    cwd: string;
    from?: string;
    to?: string;
  },
): Promise<RehearsalOutcome> {
  const [{ runRehearsal }, { closeScratchDatabases }] = await Promise.all([import('../rehearsal/run.js'), import('../rehearsal/scratch.js')]);
  const progress = new ProgressLine(io.stderr, !!io.stderrIsTTY, io.stderr);
  const interrupted = (signal: NodeJS.Signals) => {
    progress.stop();
    io.stderr(`pgwarden: ${signal}: dropping the rehearsal's scratch database…\n`);
    void closeScratchDatabases().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await runRehearsal({
      migrations: request.migrations,
      settings: request.settings,
      cwd: request.cwd,
      env: io.env,
      ...(request.setup.database !== undefined ? { database: request.setup.database } : {}),
      ...(request.setup.seed ? { seed: request.setup.seed } : {}),
      ...(request.from !== undefined ? { from: request.from } : {}),
      ...(request.to !== undefined ? { to: request.to } : {}),
      onStart: () => progress.start(),
      onMigration: (result, index, total) => progress.update(`rehearsing ${result.migration.id} (${index}/${total})`),
    });
  } catch (error) {
    if (error instanceof SeedError) throw new UsageError(error.message);
    throw error;
  } finally {
    progress.stop();
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }
}

/** `pgwarden rehearse [dir]`. */
export async function runRehearse(dirArgument: string | undefined, flags: RehearseFlags, io: CliIO): Promise<number> {
  if (!(REHEARSE_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format must be one of ${REHEARSE_FORMATS.join(', ')} (got "${flags.format}").`);
  }
  const maxRisk = flags.maxRisk === undefined ? undefined : parseMaxRisk(flags.maxRisk);
  const ruleIds = new Set(allRules.map((r) => r.meta.id));
  const { config, baseDir } = await loadConfig(io.cwd, flags.config ? resolve(io.cwd, flags.config) : undefined, ruleIds);
  const settings = await lintSettingsFrom(config, io.cwd, baseDir, {}, ruleIds);
  const dir = dirArgument !== undefined ? resolve(io.cwd, dirArgument) : resolve(baseDir, config.migrations.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`${dirArgument ?? config.migrations.dir} is not a directory of migrations.`);
  }
  const set = await loadMigrationSet(dir, settings);
  if (set.problems.length) throw new UsageError(set.problems.join('\n'));
  if (!set.migrations.length) throw new UsageError(`No migrations found in ${dirArgument ?? config.migrations.dir}.`);
  if (flags.from !== undefined && !set.migrations.some((m) => m.id === flags.from)) {
    throw new UsageError(`--from ${flags.from}: no migration has that id.`);
  }
  const setup = rehearsalSetup(config, baseDir, io, flags);
  const outcome = await rehearseWithProgress(io, {
    migrations: set.migrations,
    settings,
    setup,
    cwd: baseDir,
    ...(flags.from !== undefined ? { from: flags.from } : {}),
  });
  const { rehearsalReport } = await import('../rehearsal/report.js');
  const report = rehearsalReport(outcome, settings);
  const output = await formatRehearsal(report, outcome, flags, io, maxRisk);
  if (flags.output) writeFileSync(resolve(io.cwd, flags.output), output);
  else io.stdout(output);
  return failed(report, maxRisk) ? EXIT.failed : EXIT.ok;
}

/**
 * The report in the requested format; text shows the lock timeline above the findings (with
 * `onlyNotable`, just the migrations with a trace finding, a failure or a rollback problem).
 */
export async function formatRehearsal(
  report: Report,
  outcome: RehearsalOutcome,
  flags: { format: string; output?: string; color?: boolean },
  io: CliIO,
  maxRisk: Risk | undefined,
  options: { onlyNotable?: boolean; sources?: Map<string, string> } = {},
): Promise<string> {
  const sources = options.sources ?? new Map<string, string>();
  for (const part of outcome.merged.keys()) if (!sources.has(part.path)) sources.set(part.path, part.analysis.source.text);
  switch (flags.format) {
    case 'json':
      return JSON.stringify(report) + '\n';
    case 'sarif':
      return (await import('../report/sarif.js')).formatSarif(report, { rules: allRules, srcRoot: io.cwd, sources });
    case 'github':
      return (await import('../report/github.js')).formatGithub(report);
    default: {
      const color = flags.output ? false : useColor(io, flags.color);
      const c = createColors(color);
      const { formatRehearsalText } = await import('../rehearsal/text.js');
      const only = options.onlyNotable ? notableMigrations(outcome) : undefined;
      const timeline = report.rehearsal ? formatRehearsalText(report.rehearsal, c, only ? { only } : {}) + '\n\n' : '';
      return timeline + formatText(report, { color, sources, ...(maxRisk ? { maxRisk } : {}) });
    }
  }
}

function notableMigrations(outcome: RehearsalOutcome): Set<string> {
  const ids = new Set<string>();
  for (const result of outcome.rehearsal.migrations) {
    const parts = [result.migration.up, result.migration.down];
    if (parts.some((part) => part && outcome.findings.get(part)?.length)) ids.add(result.migration.id);
    if (result.status === 'failed' || result.rollback.status === 'failed' || result.rollback.status === 'mismatch') ids.add(result.migration.id);
  }
  return ids;
}

export function failed(report: Report, maxRisk: Risk | undefined): boolean {
  return report.files.some(
    (file) =>
      file.parseErrors.length > 0 ||
      file.findings.some((f) => f.severity === 'error') ||
      (maxRisk !== undefined && isRiskAbove(file.risk, maxRisk)),
  );
}

function parseMaxRisk(value: string): Risk {
  const risk = parseRisk(value);
  if (!risk) throw new UsageError(`--max-risk must be low, medium or high (got "${value}").`);
  return risk;
}
