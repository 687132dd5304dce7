import { analyze, type ExternalFinding, type FileAnalysis } from '../analysis/engine.js';
import type { SeveritySetting } from '../analysis/finding.js';
import type { SchemaModel } from '../analysis/schema.js';
import type { Rule } from '../analysis/rule.js';
import { displayPath } from '../lint-file.js';
import { settingsForFile, type LintSettings } from '../lint-settings.js';
import { describeFile } from '../migrations/layout.js';
import type { MigrationPart } from '../migrations/migration-set.js';
import { fileReport } from '../report/build.js';
import type { FileReport } from '../report/schema.js';
import { parseSql } from '../sql/parser.js';
import { SourceFile } from '../sql/source.js';

export interface PartAnalysisOptions {
  /** Default: the settings' rules. */
  rules?: readonly Rule[];
  /** Replaces the settings' severities (the file's overrides still apply on top). */
  severities?: ReadonlyMap<string, SeveritySetting>;
  postgresVersion?: number;
  /** Trace findings, in the part's file coordinates: reported, suppressed and counted like the rules' own. */
  external?: readonly ExternalFinding[];
  /** What earlier migrations created (column types…); the analysis adds this part's statements to it. */
  schema?: SchemaModel;
}

/**
 * Analyses one migration part again, the way `pgwarden lint` does (same layout, transaction
 * model, overrides and directives), with other options: trace findings added, or another
 * PostgreSQL version. Requires `loadParser()` first.
 */
export function analysePart(part: MigrationPart, base: LintSettings, options: PartAnalysisOptions = {}): { analysis: FileAnalysis; report: FileReport } {
  const withOptions: LintSettings = {
    ...base,
    ...(options.rules ? { rules: options.rules } : {}),
    ...(options.severities ? { severities: options.severities } : {}),
    ...(options.postgresVersion !== undefined ? { postgresVersion: options.postgresVersion, overrides: withoutVersion(base) } : {}),
  };
  const settings = settingsForFile(withOptions, part.file);
  const source = new SourceFile(part.path, part.analysis.source.text);
  const described = describeFile(part.file, source.text, {
    layout: settings.layout,
    rollback: settings.rollback,
    displayPath: (p: string) => displayPath(p, settings.cwd),
  }).find((candidate) => candidate.migration.direction === part.direction);
  const analysis = analyze(parseSql(source), {
    rules: settings.rules,
    postgresVersion: settings.postgresVersion,
    transaction: settings.transaction,
    severities: settings.severities,
    ...(described ? { migration: described.migration } : {}),
    ...(described?.range ? { part: described.range } : {}),
    ...(settings.stats ? { stats: settings.stats } : {}),
    ...(options.external ? { external: options.external } : {}),
    ...(options.schema ? { schema: options.schema } : {}),
  });
  return { analysis, report: fileReport(part.path, analysis, described?.migration) };
}

/** Overrides without their postgresVersion, so that an explicit version wins everywhere. */
function withoutVersion(settings: LintSettings): LintSettings['overrides'] {
  return settings.overrides?.map(({ postgresVersion: _dropped, ...rest }) => rest);
}
