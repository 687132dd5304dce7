import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { allRules } from '../../rules/index.js';
import type { SeveritySetting } from '../analysis/finding.js';
import { isRiskAbove, parseRisk, type Risk } from '../analysis/risk.js';
import { loadConfig } from '../config/load.js';
import { lintPaths, settingsFromConfig } from '../lint.js';
import { prestartLintWorkers, stopPrestartedWorkers } from '../lint-parallel.js';
import { formatText } from '../report/text.js';
import type { Report } from '../report/schema.js';
import { EXIT, UsageError, useColor, type CliIO } from './io.js';

export const LINT_FORMATS = ['text', 'json'] as const;

export interface LintFlags {
  format: string;
  postgresVersion?: string;
  maxRisk?: string;
  config?: string;
  rule?: string[];
  output?: string;
  color?: boolean;
  stdinFilename?: string;
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
  const settings = settingsFromConfig(config, io.cwd);
  if (flags.postgresVersion !== undefined) settings.postgresVersion = parsePostgresVersion(flags.postgresVersion);
  settings.severities = withRuleFlags(settings.severities, flags.rule ?? [], ruleIds);
  const maxRisk = flags.maxRisk === undefined ? undefined : parseMaxRisk(flags.maxRisk);

  let inputs = paths;
  if (!inputs.length) {
    const dir = resolve(baseDir, config.migrations.dir);
    if (!existsSync(dir)) {
      throw new UsageError(`No paths given and the migrations directory "${config.migrations.dir}" does not exist.`);
    }
    inputs = [dir];
  }
  const stdin = inputs.includes('-') ? { text: await io.readStdin(), path: flags.stdinFilename ?? '<stdin>' } : undefined;
  const run = await lintPaths(inputs, settings, stdin);

  for (const problem of run.problems) io.stderr(`pgwarden: ${problem}\n`);
  for (const error of run.internalErrors) io.stderr(`pgwarden: internal error in ${error}\n`);

  const color = flags.output ? false : useColor(io, flags.color);
  const output =
    flags.format === 'json'
      ? JSON.stringify(run.report) + '\n'
      : formatText(run.report, { color, sources: run.sources, ...(maxRisk ? { maxRisk } : {}) });
  if (flags.output) writeFileSync(resolve(io.cwd, flags.output), output);
  else io.stdout(output);

  if (run.problems.length || run.internalErrors.length) return EXIT.error;
  return failed(run.report, maxRisk) ? EXIT.failed : EXIT.ok;
}

function failed(report: Report, maxRisk: Risk | undefined): boolean {
  return report.files.some(
    (file) =>
      file.parseErrors.length > 0 ||
      file.findings.some((f) => f.severity === 'error') ||
      (maxRisk !== undefined && isRiskAbove(file.risk, maxRisk)),
  );
}

function parsePostgresVersion(value: string): number {
  const version = Number(value);
  if (!Number.isInteger(version) || version < 10 || version > 18) {
    throw new UsageError(`--postgres-version must be a major version from 10 to 18 (got "${value}").`);
  }
  return version;
}

function parseMaxRisk(value: string): Risk {
  const risk = parseRisk(value);
  if (!risk) throw new UsageError(`--max-risk must be low, medium or high (got "${value}").`);
  return risk;
}

function withRuleFlags(
  base: ReadonlyMap<string, SeveritySetting>,
  flags: readonly string[],
  ruleIds: ReadonlySet<string>,
): Map<string, SeveritySetting> {
  const severities = new Map(base);
  for (const flag of flags) {
    const match = /^([\w-]+)=(off|warning|error)$/.exec(flag.trim());
    if (!match) throw new UsageError(`--rule takes ID=off|warning|error (got "${flag}").`);
    if (!ruleIds.has(match[1]!)) throw new UsageError(`--rule names unknown rule "${match[1]}" (see \`pgwarden rules\`).`);
    severities.set(match[1]!, match[2] as SeveritySetting);
  }
  return severities;
}
