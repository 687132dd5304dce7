import { relative, sep } from 'node:path';
import { analyze, type FileAnalysis } from './analysis/engine.js';
import { settingsForFile, type LintSettings } from './lint-settings.js';
import { describeFile } from './migrations/layout.js';
import type { MigrationInfo } from './migrations/types.js';
import type { HistoryReplay } from './migrations/replay.js';
import { fileReport, unreadableFileReport } from './report/build.js';
import type { FileReport } from './report/schema.js';
import { parseSql } from './sql/parser.js';
import { SourceFile } from './sql/source.js';

export { settingsForFile, settingsFromConfig, withFlags, type LintSettings, type SettingsOverride } from './lint-settings.js';

/** The report's path for a file: relative to the working directory, `/` separators. */
export function displayPath(absolutePath: string, cwd: string): string {
  const prefix = cwd.endsWith(sep) ? cwd : cwd + sep;
  // The common case, a file under the working directory, needs no path normalisation.
  const rel = absolutePath.startsWith(prefix) ? absolutePath.slice(prefix.length) : relative(cwd, absolutePath) || absolutePath;
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/** One analysed part of a file (the whole file, or one section) with its report. */
export interface AnalysedPart {
  migration: MigrationInfo | undefined;
  range: { start: number; end: number } | undefined;
  analysis: FileAnalysis;
  report: FileReport;
}

/**
 * Analyses one file's text. `absolutePath` locates its migration siblings (down parts) and picks
 * the config overrides that apply; without it (standard input) the file is treated as a plain
 * migration. Requires `loadParser()` first.
 */
export function analyseText(
  text: string,
  path: string,
  base: LintSettings,
  absolutePath?: string,
  replay?: HistoryReplay,
): AnalysedPart[] {
  const settings = absolutePath === undefined ? base : settingsForFile(base, absolutePath);
  const source = new SourceFile(path, text);
  const parsed = parseSql(source);
  const layoutOptions = {
    layout: settings.layout,
    rollback: settings.rollback,
    displayPath: (p: string) => displayPath(p, settings.cwd),
  };
  const parts = absolutePath
    ? describeFile(absolutePath, source.text, layoutOptions)
    : [{ migration: undefined, range: undefined }];
  return parts.map(({ migration, range }) => {
    // Up parts start from the schema the earlier migrations built; down parts are analysed alone.
    const schema = replay && absolutePath && migration?.direction === 'up' ? replay.before(absolutePath) : undefined;
    let analysis: FileAnalysis;
    try {
      analysis = analyze(parsed, {
        rules: settings.rules,
        postgresVersion: settings.postgresVersion,
        transaction: settings.transaction,
        severities: settings.severities,
        ...(settings.ruleOptions ? { ruleOptions: settings.ruleOptions } : {}),
        ...(migration ? { migration } : {}),
        ...(range ? { part: range } : {}),
        ...(settings.stats ? { stats: settings.stats } : {}),
        ...(schema ? { schema } : {}),
      });
    } catch (error) {
      if (schema) replay!.discard(absolutePath!);
      throw error;
    }
    if (schema) replay!.analysed(absolutePath!);
    return { migration, range, analysis, report: fileReport(path, analysis, migration) };
  });
}

/** TS/JS migrations: their SQL is read out of node-pg-migrate, Knex, TypeORM and Kysely calls (src/embedded/). */
export const EMBEDDED_FILE = /\.[cm]?[jt]s$/i;

let embedded: typeof import('./embedded/lint-embedded.js') | undefined;

/** Loads what lintText needs for TS/JS files (`EMBEDDED_FILE`); linting .sql files never loads it. */
export async function loadEmbeddedSupport(): Promise<void> {
  embedded ??= await import('./embedded/lint-embedded.js');
}

/**
 * The reports of one file's parts (see analyseText). TS/JS files are read for the SQL they embed
 * (see lintEmbedded), which requires `loadEmbeddedSupport()` first.
 */
export function lintText(text: string, path: string, settings: LintSettings, absolutePath?: string, replay?: HistoryReplay): FileReport[] {
  if (EMBEDDED_FILE.test(path)) {
    if (!embedded) throw new Error('TS/JS migration support is not loaded: await loadEmbeddedSupport() first.');
    return embedded.lintEmbedded(text, path, settings, absolutePath);
  }
  return analyseText(text, path, settings, absolutePath, replay).map((part) => part.report);
}

/** What linting one file produced; plain data, so a worker thread can send it back. */
export interface FileOutcome {
  path: string;
  reports: FileReport[];
  /** The file's text when a report has something to show under it. */
  text?: string;
  internalError?: string;
}

export function lintFile(
  read: () => string,
  path: string,
  settings: LintSettings,
  absolutePath?: string,
  replay?: HistoryReplay,
): FileOutcome {
  let text: string;
  try {
    text = read();
  } catch (error) {
    return { path, reports: [unreadableFileReport(path, `Cannot read file: ${(error as Error).message}`)] };
  }
  try {
    const reports = lintText(text, path, settings, absolutePath, replay);
    // The text is needed for excerpts and SARIF fingerprints (suppressed findings too); leaving it
    // out of clean files keeps worker messages small.
    const shown = reports.some((r) => r.findings.length || r.parseErrors.length || r.suppressed.length);
    return { path, reports, ...(shown ? { text } : {}) };
  } catch (error) {
    return {
      path,
      text,
      reports: [unreadableFileReport(path, `pgwarden could not analyse this file: ${(error as Error).message}`)],
      internalError: `${path}: ${(error as Error).stack ?? String(error)}`,
    };
  }
}
