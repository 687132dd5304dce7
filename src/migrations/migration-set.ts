import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FileAnalysis } from '../analysis/engine.js';
import { analyseText, displayPath, type LintSettings } from '../lint-file.js';
import type { FileReport } from '../report/schema.js';
import { loadParser } from '../sql/parser.js';
import { discoverFiles } from './discover.js';
import { historyUnits, HistoryReplay } from './replay.js';
import type { Direction, LayoutName } from './types.js';
import { compareIds } from './migration-ids.js';

export { compareIds };

/** One direction of a migration, analysed. */
export interface MigrationPart {
  direction: Direction;
  /** Absolute path of the file holding it. */
  file: string;
  /** The report's path (relative to the working directory). */
  path: string;
  report: FileReport;
  analysis: FileAnalysis;
}

export interface Migration {
  id: string;
  layout: LayoutName;
  up: MigrationPart;
  down: MigrationPart | undefined;
  /** SHA-256 (hex) of the up part's file as it is on disk now. */
  checksum: string;
}

export interface MigrationSet {
  /** In application order. */
  migrations: Migration[];
  /** Files that could not be placed (a down part without its up part, a duplicate id). */
  problems: string[];
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Reads every migration under `dir`, pairs up and down parts by id, analyses each part once, and
 * orders them by id (numbers compared as numbers, so V2 comes before V10).
 */
export async function loadMigrationSet(dir: string, settings: LintSettings): Promise<MigrationSet> {
  await loadParser();
  const { files, problems } = await discoverFiles([dir], settings.cwd);
  const byId = new Map<string, { layout: LayoutName; up?: MigrationPart; down?: MigrationPart; checksum?: string }>();
  // In history order, so that each migration is analysed against the schema the earlier ones built.
  const replay = new HistoryReplay(settings.layout);
  for (const file of historyUnits(files, settings.layout).flat().map((i) => files[i]!)) {
    const text = readFileSync(file, 'utf8');
    const path = displayPath(file, settings.cwd);
    for (const part of analyseText(text, path, settings, file, replay)) {
      const migration = part.migration!;
      const entry = byId.get(migration.id) ?? { layout: migration.layout };
      byId.set(migration.id, entry);
      const existing = entry[migration.direction];
      if (existing) {
        problems.push(`Migration ${migration.id} has two ${migration.direction} parts: ${existing.path} and ${path}.`);
        continue;
      }
      entry[migration.direction] = { direction: migration.direction, file, path, report: part.report, analysis: part.analysis };
      if (migration.direction === 'up') entry.checksum = sha256(text);
    }
  }
  const migrations: Migration[] = [];
  for (const [id, entry] of byId) {
    if (!entry.up) {
      problems.push(`${entry.down!.path} is the down part of migration ${id}, which has no up part.`);
      continue;
    }
    migrations.push({ id, layout: entry.layout, up: entry.up, down: entry.down, checksum: entry.checksum! });
  }
  migrations.sort((a, b) => compareIds(a.id, b.id));
  return { migrations, problems };
}

