import { buildReport } from './report/build.js';
import type { FileReport, Report } from './report/schema.js';
import { discoverFiles } from './migrations/discover.js';
import { loadParser } from './sql/parser.js';
import { resolve } from 'node:path';
import { EMBEDDED_FILE, lintFile, loadEmbeddedSupport, settingsForFile, type LintSettings } from './lint-file.js';
import { lintInParallel } from './lint-parallel.js';

export {
  displayPath,
  loadEmbeddedSupport,
  lintFile,
  lintText,
  settingsForFile,
  settingsFromConfig,
  withFlags,
  type FileOutcome,
  type LintSettings,
  type SettingsOverride,
} from './lint-file.js';

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
  const [discovered] = await Promise.all([discoverFiles(inputs, settings.cwd, { embedded: true }), loadParser()]);
  if (discovered.files.some((file) => EMBEDDED_FILE.test(file)) || (discovered.stdin && stdin && EMBEDDED_FILE.test(stdin.path))) {
    await loadEmbeddedSupport();
  }
  const outcomes = await lintInParallel(discovered.files, settings);
  if (discovered.stdin && stdin) {
    // Overrides apply to standard input by the name it is reported under (--stdin-filename).
    outcomes.push(lintFile(() => stdin.text, stdin.path, settingsForFile(settings, resolve(settings.cwd, stdin.path))));
  }

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
