import { buildReport } from './report/build.js';
import type { FileReport, Report } from './report/schema.js';
import { discoverFiles } from './migrations/discover.js';
import { loadParser } from './sql/parser.js';
import { lintFile, type LintSettings } from './lint-file.js';
import { lintInParallel } from './lint-parallel.js';

export { displayPath, lintFile, lintText, settingsFromConfig, type FileOutcome, type LintSettings } from './lint-file.js';

export interface LintRun {
  report: Report;
  /** Inputs that matched nothing; the CLI exits 2 when there are any. */
  problems: string[];
  /** Files whose analysis crashed (a pgwarden bug): reported, and the CLI exits 2. */
  internalErrors: string[];
  /** Each linted file's text by report path, for excerpts. */
  sources: Map<string, string>;
}

export async function lintPaths(
  inputs: readonly string[],
  settings: LintSettings,
  stdin?: { text: string; path: string },
): Promise<LintRun> {
  const [discovered] = await Promise.all([discoverFiles(inputs, settings.cwd), loadParser()]);
  const outcomes = await lintInParallel(discovered.files, settings);
  if (discovered.stdin && stdin) outcomes.push(lintFile(() => stdin.text, stdin.path, settings));

  const files: FileReport[] = [];
  const internalErrors: string[] = [];
  const sources = new Map<string, string>();
  for (const outcome of outcomes) {
    files.push(...outcome.reports);
    if (outcome.text !== undefined) sources.set(outcome.path, outcome.text);
    if (outcome.internalError) internalErrors.push(outcome.internalError);
  }
  return { report: buildReport(files, settings.postgresVersion), problems: discovered.problems, internalErrors, sources };
}
