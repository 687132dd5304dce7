import { existsSync, readFileSync } from 'node:fs';
import { discoverFiles } from './discover.js';
import { describeFile, type LayoutSetting } from './layout.js';
import { sectionStyleOf, type SectionStyle } from './templates.js';
import type { LayoutName } from './types.js';

/** An up part already in the migrations directory. */
export interface ExistingMigration {
  path: string;
  id: string;
}

export interface Survey {
  layout: LayoutName;
  /** Up parts in that layout, in migration order. */
  migrations: ExistingMigration[];
  /** The marker style of the latest sections-layout file. */
  sectionStyle: SectionStyle | undefined;
}

/** Tie-break between layouts equally common in a directory: the order layout.ts detects them in. */
const PREFERENCE: readonly LayoutName[] = ['paired-files', 'directory-pairs', 'prisma', 'flyway', 'rollback-folder', 'sections', 'plain'];

/**
 * Reads the migrations in `dir` the way `pgwarden lint` does. Under `auto` the layout is the one
 * most of them use (plain only when no file is in another layout), paired files when there are none.
 */
export async function surveyMigrations(dir: string, layout: LayoutSetting): Promise<Survey> {
  const files = existsSync(dir) ? (await discoverFiles([dir], dir)).files : [];
  const ups: Array<ExistingMigration & { layout: LayoutName; text: string }> = [];
  for (const path of files) {
    const text = readFileSync(path, 'utf8');
    for (const { migration } of describeFile(path, text, { layout, rollback: 'auto', displayPath: (p) => p })) {
      if (migration.direction === 'up') ups.push({ path, id: migration.id, layout: migration.layout, text });
    }
  }
  const chosen = layout === 'auto' ? mostUsedLayout(ups.map((u) => u.layout)) : layout;
  const mine = ups.filter((u) => u.layout === chosen);
  return {
    layout: chosen,
    migrations: mine.map(({ path, id }) => ({ path, id })),
    sectionStyle: chosen === 'sections' ? sectionStyleOf(mine.at(-1)?.text ?? '') : undefined,
  };
}

function mostUsedLayout(layouts: readonly LayoutName[]): LayoutName {
  const counts = new Map<LayoutName, number>();
  for (const layout of layouts) counts.set(layout, (counts.get(layout) ?? 0) + 1);
  // A stray schema.sql or seed file reads as plain; it must not outvote the real layout.
  const candidates = counts.size > 1 ? PREFERENCE.filter((l) => l !== 'plain') : PREFERENCE;
  let best: LayoutName = 'paired-files';
  let bestCount = 0;
  for (const layout of candidates) {
    const count = counts.get(layout) ?? 0;
    if (count > bestCount) [best, bestCount] = [layout, count];
  }
  return best;
}
