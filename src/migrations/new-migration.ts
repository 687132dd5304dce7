import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { LayoutSetting } from './layout.js';
import { nextFlywayVersion, nextIdPrefix } from './migration-ids.js';
import { surveyMigrations, type Survey } from './survey.js';
import { downTemplate, sectionsFile, sectionsTemplate, upTemplate } from './templates.js';
import type { LayoutName } from './types.js';

export interface NewMigrationOptions {
  /** The migrations directory, absolute or relative to `cwd`; created when missing. */
  dir: string;
  layout: LayoutSetting;
  /** Free text; slugged to lower snake_case for the file names. */
  name: string;
  /** The clock for timestamp ids (default: the current time; ids use UTC). */
  now?: Date;
  cwd: string;
  /** The parts' text, given the new id (default: the skeletons of templates.ts). */
  body?: (id: string) => MigrationBody;
}

/** What a new migration holds instead of the skeletons. */
export interface MigrationBody {
  up: string;
  /** The down part, in layouts that have one. */
  down: string;
}

export interface NewMigration {
  id: string;
  layout: LayoutName;
  /** Absolute paths written, up part first. */
  files: string[];
}

/** A name that slugs to nothing, or a file that already exists: the CLI exits 2. */
export class NewMigrationError extends Error {}

interface PlannedFile {
  path: string;
  text: string;
}

/** Writes the skeleton of the next migration in the directory's layout and id style. */
export async function newMigration(options: NewMigrationOptions): Promise<NewMigration> {
  const slug = slugName(options.name);
  if (!slug) throw new NewMigrationError(`The migration name must contain letters or digits (got "${options.name}").`);
  const dir = resolve(options.cwd, options.dir);
  const survey = await surveyMigrations(dir, options.layout);
  const { id, files } = planFiles(dir, survey, slug, options.now ?? new Date(), options.body);

  // Checked for every part before writing any, so a refusal leaves no half-made migration.
  const taken = files.find((file) => existsSync(file.path));
  if (taken) throw new NewMigrationError(`${taken.path} already exists; pgwarden new does not overwrite files.`);
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    try {
      writeFileSync(file.path, file.text, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new NewMigrationError(`${file.path} already exists; pgwarden new does not overwrite files.`);
      }
      throw error;
    }
  }
  return { id, layout: survey.layout, files: files.map((file) => file.path) };
}

/** Lower snake_case ASCII: accents dropped, camelCase split, anything else between words becomes `_`. */
export function slugName(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .replace(/([a-z\d])([A-Z])/g, '$1_$2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
      .toLowerCase()
      .replace(/[^a-z\d]+/g, '_')
      .replace(/^_+|_+$/g, '')
      // File names stay well under the 255-byte limit of common file systems.
      .slice(0, 100)
      .replace(/_+$/, '')
  );
}

function planFiles(
  dir: string,
  survey: Survey,
  slug: string,
  now: Date,
  body: NewMigrationOptions['body'],
): { id: string; files: PlannedFile[] } {
  const ids = survey.migrations.map((m) => m.id);
  const up = (path: string, hasRollback: boolean, id: string): PlannedFile => ({ path, text: body ? body(id).up : upTemplate(hasRollback) });
  const down = (path: string, id: string, upPart: string): PlannedFile => ({ path, text: body ? body(id).down : downTemplate(id, upPart) });
  const prefixed = (fallback: 'timestamp' | 'diesel') => `${nextIdPrefix(ids, fallback, now)}_${slug}`;

  switch (survey.layout) {
    case 'paired-files': {
      const id = prefixed('timestamp');
      return { id, files: [up(join(dir, `${id}.up.sql`), true, id), down(join(dir, `${id}.down.sql`), id, `${id}.up.sql`)] };
    }
    case 'directory-pairs': {
      const id = prefixed('diesel');
      return { id, files: [up(join(dir, id, 'up.sql'), true, id), down(join(dir, id, 'down.sql'), id, `${id}/up.sql`)] };
    }
    case 'sections': {
      const id = prefixed('timestamp');
      const style = survey.sectionStyle ?? 'dbmate';
      const text = body ? sectionsFile(style, body(id).up, body(id).down) : sectionsTemplate(id, style);
      return { id, files: [{ path: join(dir, `${id}.sql`), text }] };
    }
    case 'rollback-folder': {
      const id = prefixed('timestamp');
      const latest = survey.migrations.at(-1);
      const scripts = latest ? dirname(latest.path) : join(dir, 'scripts');
      const rollbacks = join(dirname(scripts), 'rollbacks');
      return { id, files: [up(join(scripts, `${id}.sql`), true, id), down(join(rollbacks, `${id}_rollback.sql`), id, `${id}.sql`)] };
    }
    case 'flyway': {
      const versions = ids.flatMap((existing) => /^(\d+(?:[._]\d+)*)__/.exec(existing)?.[1] ?? []);
      const id = `${nextFlywayVersion(versions, now)}__${slug}`;
      return { id, files: [up(join(dir, `V${id}.sql`), true, id), down(join(dir, `U${id}.sql`), id, `V${id}.sql`)] };
    }
    case 'prisma': {
      const id = `${nextIdPrefix(ids, 'timestamp', now, 'timestamp')}_${slug}`;
      return { id, files: [up(join(dir, id, 'migration.sql'), false, id)] };
    }
    case 'plain': {
      const id = prefixed('timestamp');
      return { id, files: [up(join(dir, `${id}.sql`), false, id)] };
    }
  }
}
