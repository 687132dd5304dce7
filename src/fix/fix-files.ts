import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { displayPath, lintText, settingsForFile, type LintSettings } from '../lint-file.js';
import { describeFile } from '../migrations/layout.js';
import { newMigration } from '../migrations/new-migration.js';
import { followUpDownTemplate, followUpTemplate, type FollowUpStatement } from '../migrations/templates.js';
import type { LayoutName } from '../migrations/types.js';
import type { FileReport, FixReport, Report } from '../report/schema.js';
import { applyEdits, chooseFixes } from './edits.js';

/**
 * `pgwarden lint --fix`: applies the fixes findings carry, file by file, re-linting the fixed text
 * until no fix is left (or MAX_PASSES), then writes the file in one step and, for fixes that leave
 * work to a later migration, that migration (before the file, so a failure never leaves a NOT VALID
 * constraint without its VALIDATE).
 */

export const MAX_PASSES = 10;

export interface FixOptions {
  settings: LintSettings;
  /** The configured migrations directory (absolute): follow-ups of the files inside it are written there. */
  migrationsDir: string;
  /** Each linted file's text by report path (LintRun.sources): the text the report's edits apply to. */
  sources: ReadonlyMap<string, string>;
  /** The clock for timestamp ids of follow-up migrations. */
  now?: Date;
}

export interface FixedFile {
  /** Report path. */
  path: string;
  /** Fixes applied, over all passes. */
  fixes: number;
}

export interface FollowUpMigration {
  id: string;
  /** Report paths of the files written, up part first. */
  files: string[];
  /** Report path of the file whose fixes it completes. */
  origin: string;
}

export interface FixResult {
  fixed: FixedFile[];
  created: FollowUpMigration[];
  /** Files with fixes that were left as they are, and why. */
  skipped: Array<{ path: string; reason: string }>;
}

export async function fixFiles(report: Report, options: FixOptions): Promise<FixResult> {
  const result: FixResult = { fixed: [], created: [], skipped: [] };
  const byPath = new Map<string, FileReport[]>();
  for (const file of report.files) byPath.set(file.path, [...(byPath.get(file.path) ?? []), file]);

  for (const [path, parts] of byPath) {
    const fixes = fixesOf(parts);
    if (!fixes.length) continue;
    if (parts.some((part) => part.parseErrors.length)) {
      result.skipped.push({ path, reason: 'it does not parse' });
      continue;
    }
    const absolute = resolve(options.settings.cwd, path);
    const raw = readFileSync(absolute, 'utf8');
    if (raw !== options.sources.get(path)) {
      result.skipped.push({ path, reason: 'it changed while pgwarden was linting it' });
      continue;
    }
    const fixed = fixText(raw, fixes, path, absolute, options.settings);
    if ('reason' in fixed) {
      result.skipped.push({ path, reason: fixed.reason });
      continue;
    }
    if (fixed.followUps.length) {
      const origin = parts.find((part) => part.migration?.direction === 'up')?.migration?.id;
      if (!origin) {
        result.skipped.push({ path, reason: 'its fixes need a follow-up migration, and it is not an up migration' });
        continue;
      }
      try {
        result.created.push(await writeFollowUp(absolute, raw, origin, fixed.followUps, options));
      } catch (error) {
        result.skipped.push({ path, reason: `the follow-up migration could not be written: ${(error as Error).message}` });
        continue;
      }
    }
    writeAtomically(absolute, fixed.text);
    result.fixed.push({ path, fixes: fixed.count });
  }
  return result;
}

function fixesOf(parts: readonly FileReport[]): FixReport[] {
  return parts.flatMap((part) => part.findings.flatMap((finding) => (finding.fix ? [finding.fix] : [])));
}

/** The file's text with every fix applied, pass after pass, and the follow-ups they need. */
function fixText(
  raw: string,
  first: FixReport[],
  path: string,
  absolute: string,
  settings: LintSettings,
): { text: string; count: number; followUps: FollowUpStatement[] } | { reason: string } {
  // Offsets are into the text without its byte order mark, which the written file keeps.
  const bom = raw.startsWith('\uFEFF') ? '\uFEFF' : '';
  let text = raw.slice(bom.length);
  let fixes = first;
  let count = 0;
  const followUps: FollowUpStatement[] = [];
  for (let pass = 0; pass < MAX_PASSES && fixes.length; pass++) {
    const chosen = chooseFixes(fixes);
    if (!chosen.length) break;
    text = applyEdits(text, chosen.flatMap((fix) => fix.edits));
    count += chosen.length;
    for (const fix of chosen) if (fix.followUp) followUps.push(fix.followUp);
    const reports = lintText(bom + text, path, settings, absolute);
    // Rules check that each fix parses; this guards the combination.
    if (reports.some((report) => report.parseErrors.length)) return { reason: 'the fixed text would not parse (a pgwarden bug: please report it)' };
    fixes = fixesOf(reports);
  }
  return { text: bom + text, count, followUps };
}

/** Where a migration of this file's set is created: the configured directory when the file is in it. */
function migrationsDirFor(absolute: string, layout: LayoutName, configured: string): string {
  const inside = relative(configured, absolute);
  if (inside && !inside.startsWith('..') && !isAbsolute(inside)) return configured;
  // <dir>/<id>/up.sql, <dir>/<id>/migration.sql, <dir>/scripts/<id>.sql with <dir>/rollbacks/.
  const nested: readonly LayoutName[] = ['directory-pairs', 'prisma', 'rollback-folder'];
  return nested.includes(layout) ? dirname(dirname(absolute)) : dirname(absolute);
}

async function writeFollowUp(
  absolute: string,
  raw: string,
  origin: string,
  statements: readonly FollowUpStatement[],
  options: FixOptions,
): Promise<FollowUpMigration> {
  const settings = settingsForFile(options.settings, absolute);
  const parts = describeFile(absolute, raw, { layout: settings.layout, rollback: settings.rollback, displayPath: (p) => p });
  const layout = parts[0]?.migration.layout ?? 'plain';
  // The id's ordering prefix (0003_, 20240101120000_, 2024-01-01-120000_, Flyway's 3__) is the new migration's own.
  const name = `validate ${origin.replace(/^[\d_.-]+/, '') || origin}`;
  const created = await newMigration({
    dir: migrationsDirFor(absolute, layout, options.migrationsDir),
    layout,
    name,
    cwd: options.settings.cwd,
    ...(options.now ? { now: options.now } : {}),
    body: (id) => ({ up: followUpTemplate(origin, statements), down: followUpDownTemplate(id) }),
  });
  const display = displayPath(absolute, options.settings.cwd);
  return { id: created.id, files: created.files.map((file) => displayPath(file, options.settings.cwd)), origin: display };
}

/** Writes a sibling temporary file and renames it over the original: readers never see half a file. */
function writeAtomically(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.pgwarden-fix-${process.pid}.tmp`);
  writeFileSync(temporary, text, { mode: statSync(path).mode });
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
