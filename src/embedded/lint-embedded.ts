import { basename } from 'node:path';
import { parseSync } from 'libpg-query';
import { analyze, type ExternalFinding, type FileAnalysis } from '../analysis/engine.js';
import type { TransactionMode } from '../analysis/transactions.js';
import { settingsForFile, type LintSettings } from '../lint-settings.js';
import type { Direction, LayoutName, MigrationInfo } from '../migrations/types.js';
import { fileReport, unreadableFileReport } from '../report/build.js';
import type { FileReport } from '../report/schema.js';
import { parseSql } from '../sql/parser.js';
import { SourceFile } from '../sql/source.js';
import { extractSql, type ExtractedSql, type SqlFragment } from './extract.js';
import { remapReport } from './remap.js';
import { MissingTypeScriptError } from './types.js';
import { VirtualSql } from './virtual.js';

/** The rule dynamic parts are reported under. */
const UNANALYZABLE = 'unanalyzable-statement';

/** One analysed part (up or down) of a TS/JS migration. */
export interface EmbeddedPart {
  migration: MigrationInfo | undefined;
  /** The analysis, in the coordinates of `sql` (absent when the file could not be read). */
  analysis: FileAnalysis | undefined;
  /** The SQL analysed, with the map back to the file. */
  sql: VirtualSql | undefined;
  /** The report, in the TS/JS file's lines and columns. */
  report: FileReport;
}

/**
 * Lints the SQL a TS/JS migration runs (see extractSql) with the same rules as .sql files: one
 * report per part, up and down told apart like the sections layout, every position in the TS/JS
 * file. Requires `loadParser()` first; loads `typescript` on first use.
 */
export function lintEmbedded(text: string, path: string, settings: LintSettings, absolutePath?: string): FileReport[] {
  return analyseEmbedded(text, path, settings, absolutePath).map((part) => part.report);
}

export function analyseEmbedded(text: string, path: string, base: LintSettings, absolutePath?: string): EmbeddedPart[] {
  const settings = absolutePath === undefined ? base : settingsForFile(base, absolutePath);
  // Like .sql files, a byte-order mark is not part of the text positions count from.
  const file = new SourceFile(path, text);
  let extracted: ExtractedSql;
  try {
    extracted = extractSql(file.text, path);
  } catch (error) {
    if (!(error instanceof MissingTypeScriptError)) throw error;
    return [{ migration: undefined, analysis: undefined, sql: undefined, report: unreadableFileReport(path, error.message) }];
  }
  return migrationParts(path, extracted, settings.rollback).map((migration, index) => {
    const sql = virtualSql(extracted, migration.direction);
    const analysed = new SourceFile(path, sql.text);
    const parsed = parseSql(analysed);
    // A parse error at a placeholder is the dynamic part's doing: its finding says so instead.
    const broken = new Set<number>();
    const errors = parsed.errors.filter((error) => {
      const at = sql.placeholders.findIndex((p) => error.index >= p.start && error.index < p.end);
      if (at >= 0) broken.add(at);
      return at < 0;
    });
    const external: ExternalFinding[] = sql.placeholders.map((placeholder, i) => ({
      ruleId: UNANALYZABLE,
      message: dynamicMessage(placeholder.reason, broken.has(i)),
      start: placeholder.start,
      end: placeholder.end,
    }));
    const analysis = analyze(
      { ...parsed, errors },
      {
        rules: settings.rules,
        postgresVersion: settings.postgresVersion,
        transaction: runnerTransaction(settings.transaction),
        severities: settings.severities,
        ...(settings.ruleOptions ? { ruleOptions: settings.ruleOptions } : {}),
        migration,
        external,
        ...(settings.stats ? { stats: settings.stats } : {}),
      },
    );
    const report = remapReport(fileReport(path, analysis, migration), analysed, sql, file);
    if (index === 0 && extracted.problems.length) {
      report.parseErrors.push(...extracted.problems.map((p) => ({ message: p.message, ...file.positionAt(p.index) })));
      report.risk = 'high';
    }
    return { migration, analysis, sql, report };
  });
}

/**
 * The file's parts. With up/down functions it is read like a sections-layout file: an up part,
 * and a down part when there is a down function. `exports.down = false` declares the migration
 * irreversible, which counts as a deliberate rollback rather than a missing one.
 */
function migrationParts(path: string, extracted: ExtractedSql, rollback: LintSettings['rollback']): MigrationInfo[] {
  const id = basename(path).replace(/\.[cm]?[jt]s$/i, '');
  const layout: LayoutName = extracted.up || extracted.down ? 'sections' : 'plain';
  const expected = rollback === 'required' || (rollback === 'auto' && layout === 'sections');
  const down = extracted.down;
  const up: MigrationInfo = {
    id,
    direction: 'up',
    layout,
    rollback: down || extracted.downDisabled ? path : null,
    rollbackExpected: expected,
    rollbackEmpty: !!down?.empty,
  };
  if (!down) return [up];
  return [up, { id, direction: 'down', layout, rollback: null, rollbackExpected: false, rollbackEmpty: false }];
}

/**
 * `auto` describes pgwarden's own executor, which does not run TS/JS migrations. node-pg-migrate,
 * Knex, TypeORM, Kysely and MikroORM run each migration in a transaction unless it opts out, which
 * the extractor turns into `-- pgwarden:no-transaction`. (Sequelize does not: set
 * `migrations.transaction: none` for its files.)
 */
function runnerTransaction(mode: TransactionMode): TransactionMode {
  return mode === 'auto' ? 'per-file' : mode;
}

/** The fragments and comments of one part, in file order, as one SQL text. */
function virtualSql(extracted: ExtractedSql, direction: Direction): VirtualSql {
  const pieces: Array<{ at: number; add: (sql: VirtualSql) => void }> = [];
  for (const fragment of extracted.fragments) {
    if (!fragment.directions.includes(direction) || isExpression(fragment)) continue;
    pieces.push({ at: fragment.callStart, add: (sql) => sql.fragment(fragment) });
  }
  for (const comment of extracted.comments) {
    if (comment.directions.includes(direction)) pieces.push({ at: comment.start, add: (sql) => sql.comment(comment) });
  }
  pieces.sort((a, b) => a.at - b.at);
  const sql = new VirtualSql();
  const marker = extracted.noTransaction;
  if (marker) sql.add('-- pgwarden:no-transaction\n', marker.start, marker.end);
  // A leading byte-order mark would be dropped by SourceFile, shifting every position.
  else sql.add('\n', 0, 0);
  for (const piece of pieces) piece.add(sql);
  return sql;
}

/**
 * `.defaultTo(knex.raw('now()'))`, `` .check(sql`price > 0`) ``: a fragment passed into another
 * call that is not a statement but reads as an SQL expression is part of a builder call, which
 * pgwarden does not analyse. Anything that parses as statements, or as nothing, is linted, and so
 * is a fragment that may be a whole statement only known at run time (`[knex.raw(statement)]`).
 */
function isExpression(fragment: SqlFragment): boolean {
  if (!fragment.nested || fragment.dynamic.some((part) => part.alone)) return false;
  if (parses(fragment.sql)) return false;
  return parses(`SELECT ${fragment.sql}`);
}

function parses(sql: string): boolean {
  try {
    parseSync(sql);
    return true;
  } catch {
    return false;
  }
}

function dynamicMessage(reason: string, broken: boolean): string {
  const message =
    `${reason.charAt(0).toUpperCase()}${reason.slice(1)}: pgwarden cannot see the SQL it produces at run time, ` +
    'so which objects it changes and which locks it takes are unknown; review it by hand.';
  return broken ? `${message} The statement does not parse with a placeholder in its place, so none of it was analysed.` : message;
}
