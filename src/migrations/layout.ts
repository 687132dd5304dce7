import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Direction, LayoutName, MigrationInfo } from './types.js';

export type LayoutSetting = LayoutName | 'auto';
export type RollbackSetting = 'auto' | 'required' | 'off';

export interface LayoutOptions {
  layout: LayoutSetting;
  rollback: RollbackSetting;
  /** Turns an absolute path into the report's path (relative, `/` separators). */
  displayPath: (absolutePath: string) => string;
}

/** One analysable part of a file: the whole file, or one section of a sections-layout file. */
export interface MigrationPart {
  migration: MigrationInfo;
  /** UTF-16 range of the section; absent for the whole file. */
  range?: { start: number; end: number };
}

/** Layouts where a missing down part is reported under `rollback: auto`. */
const ROLLBACK_LAYOUTS: ReadonlySet<LayoutName> = new Set([
  'paired-files',
  'directory-pairs',
  'sections',
  'rollback-folder',
  'flyway',
]);

const PAIRED = /^(.+)\.(up|down)\.sql$/i;
const FLYWAY = /^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const FLYWAY_REPEATABLE = /^R__(.+)\.sql$/;
const ROLLBACK_FILE = /^(.+)_rollback\.sql$/i;
const SECTION_MARKER = /^[ \t]*--[ \t]*(?:\+goose[ \t]+(up|down)|migrate:(up|down)|(up|down))[ \t]*$/gim;

export interface Detected {
  layout: LayoutName;
  id: string;
  direction: Direction;
  /** Absolute path of the down part for an up part (whether or not it exists). */
  counterpart?: string;
  /** This layout never has a down part for this file (Flyway repeatable migrations). */
  noRollback?: boolean;
}

/** A file to place: its name and directory, worked out once for every detector. */
interface Candidate {
  name: string;
  dir: string;
}

const DETECTORS: Record<Exclude<LayoutName, 'sections' | 'plain'>, (file: Candidate) => Detected | undefined> = {
  'paired-files': ({ name, dir }) => {
    const match = PAIRED.exec(name);
    if (!match) return undefined;
    const id = match[1]!;
    const direction = match[2]!.toLowerCase() as Direction;
    return { layout: 'paired-files', id, direction, counterpart: join(dir, `${id}.down.sql`) };
  },
  'directory-pairs': ({ name, dir }) => {
    const lower = name.toLowerCase();
    if (lower !== 'up.sql' && lower !== 'down.sql') return undefined;
    return {
      layout: 'directory-pairs',
      id: basename(dir),
      direction: lower === 'up.sql' ? 'up' : 'down',
      counterpart: join(dir, 'down.sql'),
    };
  },
  prisma: ({ name, dir }) => (name === 'migration.sql' ? { layout: 'prisma', id: basename(dir), direction: 'up' } : undefined),
  flyway: ({ name, dir }) => {
    const repeatable = FLYWAY_REPEATABLE.exec(name);
    if (repeatable) return { layout: 'flyway', id: `R__${repeatable[1]}`, direction: 'up', noRollback: true };
    const match = FLYWAY.exec(name);
    if (!match) return undefined;
    const [, kind, version, description] = match;
    return {
      layout: 'flyway',
      id: `${version}__${description}`,
      direction: kind === 'V' ? 'up' : 'down',
      counterpart: join(dir, `U${version}__${description}.sql`),
    };
  },
  'rollback-folder': ({ name, dir }) => {
    const rollback = ROLLBACK_FILE.exec(name);
    if (rollback && /^rollbacks?$/i.test(basename(dir))) {
      return { layout: 'rollback-folder', id: rollback[1]!, direction: 'down' };
    }
    if (!name.toLowerCase().endsWith('.sql')) return undefined;
    const rollbacks = join(dirname(dir), 'rollbacks');
    if (!isDirectory(rollbacks)) return undefined;
    const id = name.slice(0, -4);
    return { layout: 'rollback-folder', id, direction: 'up', counterpart: join(rollbacks, `${id}_rollback.sql`) };
  },
};

const AUTO_ORDER = ['paired-files', 'directory-pairs', 'prisma', 'flyway', 'rollback-folder'] as const;

/** Works out which migration a file belongs to, in which direction, and where its rollback is. */
export function describeFile(path: string, text: string, options: LayoutOptions): MigrationPart[] {
  const forced = options.layout;
  const detected = detectFileLayout(path, forced);
  if (forced === 'sections' || (forced === 'auto' && !detected)) {
    const sections = splitSections(text);
    if (sections) return sectionParts(path, text, sections, options);
  }
  if (!detected) {
    return [{ migration: part(basename(path).replace(/\.sql$/i, ''), 'up', 'plain', null, expectsRollback('plain', options), false) }];
  }
  if (detected.direction === 'down') {
    return [{ migration: part(detected.id, 'down', detected.layout, null, false, false) }];
  }
  const down = detected.counterpart && existsSync(detected.counterpart) ? detected.counterpart : undefined;
  return [
    {
      migration: part(
        detected.id,
        'up',
        detected.layout,
        down ? options.displayPath(down) : null,
        !detected.noRollback && expectsRollback(detected.layout, options),
        down ? !hasStatements(readFileSync(down, 'utf8')) : false,
      ),
    },
  ];
}

/** Detections by layout setting and path: a run places each file in its history and describes it. */
const detections = new Map<LayoutSetting, Map<string, Detected | undefined>>();

export function detectFileLayout(path: string, forced: LayoutSetting = 'auto'): Detected | undefined {
  let byPath = detections.get(forced);
  if (!byPath) detections.set(forced, (byPath = new Map()));
  if (byPath.has(path)) return byPath.get(path);
  const detected = detect(path, forced);
  byPath.set(path, detected);
  return detected;
}

function detect(path: string, forced: LayoutSetting): Detected | undefined {
  if (forced === 'plain' || forced === 'sections') return undefined;
  const file = { name: basename(path), dir: dirname(path) };
  if (forced !== 'auto') return DETECTORS[forced](file);
  for (const layout of AUTO_ORDER) {
    const detected = DETECTORS[layout](file);
    if (detected) return detected;
  }
  return undefined;
}

function expectsRollback(layout: LayoutName, options: LayoutOptions): boolean {
  if (options.rollback === 'off') return false;
  if (options.rollback === 'required') return true;
  return ROLLBACK_LAYOUTS.has(layout);
}

function part(
  id: string,
  direction: Direction,
  layout: LayoutName,
  rollback: string | null,
  rollbackExpected: boolean,
  rollbackEmpty: boolean,
): MigrationInfo {
  return { id, direction, layout, rollback, rollbackExpected, rollbackEmpty };
}

interface Sections {
  up: { start: number; end: number };
  down?: { start: number; end: number };
}

/** `-- UP` / `-- DOWN`, `-- migrate:up` / `-- migrate:down` (dbmate) and `-- +goose Up` / `Down`. */
export function splitSections(text: string): Sections | undefined {
  const markers = [...text.matchAll(SECTION_MARKER)].map((m) => ({
    direction: (m[1] ?? m[2] ?? m[3])!.toLowerCase() as Direction,
    start: m.index,
    end: m.index + m[0].length,
  }));
  const up = markers.find((m) => m.direction === 'up');
  if (!up) return undefined;
  const down = markers.find((m) => m.direction === 'down' && m.start > up.start);
  return {
    up: { start: 0, end: down ? down.start : text.length },
    ...(down ? { down: { start: down.end, end: text.length } } : {}),
  };
}

function sectionParts(path: string, text: string, sections: Sections, options: LayoutOptions): MigrationPart[] {
  const id = basename(path).replace(/\.sql$/i, '');
  const downText = sections.down ? text.slice(sections.down.start, sections.down.end) : '';
  const self = options.displayPath(path);
  const parts: MigrationPart[] = [
    {
      migration: part(id, 'up', 'sections', sections.down ? self : null, expectsRollback('sections', options), !!sections.down && !hasStatements(downText)),
      range: sections.up,
    },
  ];
  if (sections.down) parts.push({ migration: part(id, 'down', 'sections', null, false, false), range: sections.down });
  return parts;
}

/** True when the text holds anything besides comments, white space and semicolons. */
export function hasStatements(text: string): boolean {
  return /\S/.test(text.replace(/--[^\n\r]*|\/\*[\s\S]*?\*\//g, '').replace(/;/g, ''));
}

const directoryCache = new Map<string, boolean>();

function isDirectory(path: string): boolean {
  let known = directoryCache.get(path);
  if (known === undefined) {
    try {
      known = statSync(path).isDirectory();
    } catch {
      known = false;
    }
    directoryCache.set(path, known);
  }
  return known;
}
