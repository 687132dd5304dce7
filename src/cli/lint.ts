import { existsSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { allRules } from '../../rules/index.js';
import { isRiskAbove, parseRisk, type Risk } from '../analysis/risk.js';
import { loadConfig } from '../config/load.js';
import { lintPaths, type LintRun } from '../lint.js';
import { prestartLintWorkers, stopPrestartedWorkers } from '../lint-parallel.js';
import { formatText } from '../report/text.js';
import type { Report } from '../report/schema.js';
import type { Config } from '../config/schema.js';
import type { LintSettings } from '../lint-settings.js';
import type { StatsSnapshot } from '../stats/schema.js';
import type { FixResult } from '../fix/fix-files.js';
import { EXIT, UsageError, useColor, type CliIO } from './io.js';
import { lintSettingsFrom, type SettingFlags } from './lint-flags.js';

export const LINT_FORMATS = ['text', 'json', 'sarif', 'github'] as const;

/** `--postgres-version`, `--layout`, `--transaction`, `--rollback` and `--rule` are in SettingFlags. */
export interface LintFlags extends SettingFlags {
  format: string;
  maxRisk?: string;
  config?: string;
  output?: string;
  color?: boolean;
  stdinFilename?: string;
  stats?: string;
  fix?: boolean;
  rehearse?: boolean;
}

export async function runLint(paths: string[], flags: LintFlags, io: CliIO): Promise<number> {
  if (!(LINT_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format must be one of ${LINT_FORMATS.join(', ')} (got "${flags.format}").`);
  }
  prestartLintWorkers();
  try {
    return await lint(paths, flags, io);
  } finally {
    stopPrestartedWorkers();
  }
}

async function lint(paths: string[], flags: LintFlags, io: CliIO): Promise<number> {
  const ruleIds = new Set(allRules.map((r) => r.meta.id));
  const { config, baseDir } = await loadConfig(io.cwd, flags.config ? resolve(io.cwd, flags.config) : undefined, ruleIds);
  const settings = await lintSettingsFrom(config, io.cwd, baseDir, flags, ruleIds);
  const statsPath = flags.stats !== undefined ? resolve(io.cwd, flags.stats) : config.stats !== undefined ? resolve(baseDir, config.stats) : undefined;
  if (statsPath !== undefined) settings.stats = await loadStats(statsPath);
  const maxRisk = flags.maxRisk === undefined ? undefined : parseMaxRisk(flags.maxRisk);

  let inputs = paths;
  if (!inputs.length) {
    const dir = resolve(baseDir, config.migrations.dir);
    if (!existsSync(dir)) {
      throw new UsageError(`No paths given and the migrations directory "${config.migrations.dir}" does not exist.`);
    }
    inputs = [dir];
  }
  if (flags.fix && inputs.includes('-')) {
    throw new UsageError('--fix rewrites files and writes follow-up migrations next to them; it cannot fix standard input (lint the file by its path instead).');
  }
  const stdin = inputs.includes('-') ? { text: await io.readStdin(), path: flags.stdinFilename ?? '<stdin>' } : undefined;
  let run = await lintPaths(inputs, settings, stdin);
  if (flags.fix && !run.problems.length && !run.internalErrors.length) {
    const { fixFiles } = await import('../fix/fix-files.js');
    const fixed = await fixFiles(run.report, { settings, migrationsDir: resolve(baseDir, config.migrations.dir), sources: run.sources });
    const summary = fixSummary(fixed);
    if (summary) (flags.format === 'text' && !flags.output ? io.stdout : io.stderr)(summary + (flags.format === 'text' ? '\n' : ''));
    // The report is of the files as they are now, follow-up migrations included when the inputs cover them.
    if (fixed.fixed.length) run = await lintPaths(inputs, settings);
  }

  for (const problem of run.problems) io.stderr(`pgwarden: ${problem}\n`);
  for (const error of run.internalErrors) io.stderr(`pgwarden: internal error in ${error}\n`);

  const output = flags.rehearse
    ? await lintAndRehearse(run, rehearsalDirectory(paths, config.migrations.dir, baseDir, io), { config, baseDir, settings }, flags, io, maxRisk)
    : await formatReport(run, flags, io, maxRisk);
  if (flags.output) writeFileSync(resolve(io.cwd, flags.output), output);
  else io.stdout(output);

  if (run.problems.length || run.internalErrors.length) return EXIT.error;
  return failed(run.report, maxRisk) ? EXIT.failed : EXIT.ok;
}

async function formatReport(run: LintRun, flags: LintFlags, io: CliIO, maxRisk: Risk | undefined): Promise<string> {
  switch (flags.format) {
    case 'json':
      return JSON.stringify(run.report) + '\n';
    case 'sarif':
      // Report paths are relative to the working directory, which is therefore %SRCROOT%.
      return (await import('../report/sarif.js')).formatSarif(run.report, { rules: allRules, srcRoot: io.cwd, sources: run.sources });
    case 'github':
      return (await import('../report/github.js')).formatGithub(run.report);
    default: {
      const color = flags.output ? false : useColor(io, flags.color);
      return formatText(run.report, { color, sources: run.sources, ...(maxRisk ? { maxRisk } : {}) });
    }
  }
}

/** What --fix changed and created, one line each; empty when it changed nothing. */
function fixSummary(result: FixResult): string {
  const lines: string[] = [];
  for (const file of result.fixed) lines.push(`Fixed ${file.fixes} ${file.fixes === 1 ? 'finding' : 'findings'} in ${file.path}`);
  for (const migration of result.created) {
    lines.push(`Created ${migration.files.join(' and ')}: the follow-up that ${migration.origin} now needs`);
  }
  for (const skipped of result.skipped) lines.push(`Left ${skipped.path} as it is: ${skipped.reason}`);
  return lines.map((line) => line + '\n').join('');
}

/** The directory `--rehearse` replays: the one directory given, or the configured migrations directory. */
function rehearsalDirectory(paths: readonly string[], configured: string, baseDir: string, io: CliIO): string {
  if (paths.length === 1) {
    const given = resolve(io.cwd, paths[0]!);
    if (existsSync(given) && statSync(given).isDirectory()) return given;
  }
  const dir = resolve(baseDir, configured);
  if (!existsSync(dir)) {
    throw new UsageError(`--rehearse replays a migrations directory: give one directory, or set migrations.dir (${configured} does not exist).`);
  }
  return dir;
}

/** `lint --rehearse`: the static report with the rehearsal's findings merged into the files they concern. */
async function lintAndRehearse(
  run: LintRun,
  dir: string,
  loaded: { config: Config; baseDir: string; settings: LintSettings },
  flags: LintFlags,
  io: CliIO,
  maxRisk: Risk | undefined,
): Promise<string> {
  const [{ loadMigrationSet }, rehearse, { mergeIntoReport }] = await Promise.all([
    import('../migrations/migration-set.js'),
    import('./rehearse.js'),
    import('../rehearsal/report.js'),
  ]);
  const set = await loadMigrationSet(dir, loaded.settings);
  if (set.problems.length) throw new UsageError(set.problems.join('\n'));
  const outcome = await rehearse.rehearseWithProgress(io, {
    migrations: set.migrations,
    settings: loaded.settings,
    setup: rehearse.rehearsalSetup(loaded.config, loaded.baseDir, io),
    cwd: loaded.baseDir,
  });
  run.report = mergeIntoReport(run.report, outcome);
  for (const part of outcome.merged.keys()) if (!run.sources.has(part.path)) run.sources.set(part.path, part.analysis.source.text);
  if (flags.format !== 'text') return formatReport(run, flags, io, maxRisk);
  return rehearse.formatRehearsal(run.report, outcome, flags, io, maxRisk, { onlyNotable: true, sources: run.sources });
}

function failed(report: Report, maxRisk: Risk | undefined): boolean {
  return report.files.some(
    (file) =>
      file.parseErrors.length > 0 ||
      file.findings.some((f) => f.severity === 'error') ||
      (maxRisk !== undefined && isRiskAbove(file.risk, maxRisk)),
  );
}

/** The snapshot, loaded once for every file (and worker); its module is loaded only when one is given. */
async function loadStats(path: string): Promise<StatsSnapshot> {
  const { loadStatsFile, StatsFileError } = await import('../stats/load.js');
  try {
    return await loadStatsFile(path);
  } catch (error) {
    throw error instanceof StatsFileError ? new UsageError(error.message) : error;
  }
}

function parseMaxRisk(value: string): Risk {
  const risk = parseRisk(value);
  if (!risk) throw new UsageError(`--max-risk must be low, medium or high (got "${value}").`);
  return risk;
}
