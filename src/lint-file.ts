import { relative, sep } from 'node:path';
import { allRules } from '../rules/index.js';
import { analyze, type FileAnalysis } from './analysis/engine.js';
import type { SeveritySetting } from './analysis/finding.js';
import type { Rule } from './analysis/rule.js';
import type { TransactionMode } from './analysis/transactions.js';
import type { Config } from './config/schema.js';
import { describeFile, type LayoutSetting, type RollbackSetting } from './migrations/layout.js';
import type { MigrationInfo } from './migrations/types.js';
import { fileReport, unreadableFileReport } from './report/build.js';
import type { FileReport } from './report/schema.js';
import { parseSql } from './sql/parser.js';
import { SourceFile } from './sql/source.js';

export interface LintSettings {
  cwd: string;
  postgresVersion: number;
  transaction: TransactionMode;
  layout: LayoutSetting;
  rollback: RollbackSetting;
  severities: ReadonlyMap<string, SeveritySetting>;
  rules: readonly Rule[];
}

export function settingsFromConfig(config: Config, cwd: string): LintSettings {
  return {
    cwd,
    postgresVersion: config.postgresVersion,
    transaction: config.migrations.transaction,
    layout: config.migrations.layout,
    rollback: config.migrations.rollback,
    severities: new Map(Object.entries(config.rules)),
    rules: allRules,
  };
}

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
 * Analyses one file's text. `absolutePath` locates its migration siblings (down parts); without
 * it (standard input) the file is treated as a plain migration. Requires `loadParser()` first.
 */
export function analyseText(text: string, path: string, settings: LintSettings, absolutePath?: string): AnalysedPart[] {
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
    const analysis = analyze(parsed, {
      rules: settings.rules,
      postgresVersion: settings.postgresVersion,
      transaction: settings.transaction,
      severities: settings.severities,
      ...(migration ? { migration } : {}),
      ...(range ? { part: range } : {}),
    });
    return { migration, range, analysis, report: fileReport(path, analysis, migration) };
  });
}

/** The reports of one file's parts (see analyseText). */
export function lintText(text: string, path: string, settings: LintSettings, absolutePath?: string): FileReport[] {
  return analyseText(text, path, settings, absolutePath).map((part) => part.report);
}

/** What linting one file produced; plain data, so a worker thread can send it back. */
export interface FileOutcome {
  path: string;
  reports: FileReport[];
  /** The file's text when a report has something to show under it. */
  text?: string;
  internalError?: string;
}

export function lintFile(read: () => string, path: string, settings: LintSettings, absolutePath?: string): FileOutcome {
  let text: string;
  try {
    text = read();
  } catch (error) {
    return { path, reports: [unreadableFileReport(path, `Cannot read file: ${(error as Error).message}`)] };
  }
  try {
    const reports = lintText(text, path, settings, absolutePath);
    // The text is only needed for excerpts under findings; leaving it out keeps worker messages small.
    const shown = reports.some((r) => r.findings.length || r.parseErrors.length);
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
