import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { CONFIG_FILES } from '../config/load.js';
import { starterConfig, suggestedTransaction } from '../config/starter.js';
import { discoverFiles } from '../migrations/discover.js';
import { findMigrationsDir } from '../migrations/find-dir.js';
import type { LayoutSetting } from '../migrations/layout.js';
import { surveyMigrations } from '../migrations/survey.js';
import { EXIT, UsageError, type CliIO } from './io.js';

export interface InitFlags {
  /** The migrations directory, instead of looking for one. */
  dir?: string;
  force?: boolean;
}

export const INIT_FILE = 'pgwarden.config.yaml';

/** `pgwarden init`: writes a commented pgwarden.config.yaml for the migrations found under the working directory. */
export async function runInit(flags: InitFlags, io: CliIO): Promise<number> {
  const target = join(io.cwd, INIT_FILE);
  const existing = existingConfigs(io.cwd);
  if (!flags.force && existing.includes(INIT_FILE)) throw new UsageError(`${INIT_FILE} already exists; use --force to overwrite it.`);
  if (!flags.force && existing.length) {
    throw new UsageError(`pgwarden is already configured here (${existing.join(', ')}); use --force to write ${INIT_FILE} anyway.`);
  }

  const found = flags.dir === undefined ? await findMigrationsDir(io.cwd) : { dir: toPosix(relative(io.cwd, resolve(io.cwd, flags.dir)) || '.') };
  const dir = found?.dir ?? 'migrations';
  const survey = await surveyMigrations(resolve(io.cwd, dir), 'auto');
  const layout: LayoutSetting = survey.migrations.length ? survey.layout : 'auto';
  const noFlywayUndo = layout === 'flyway' && !(await hasFlywayUndo(resolve(io.cwd, dir)));
  const text = starterConfig({ schemaPath: schemaPath(io.cwd), dir, layout, migrations: survey.migrations.length, noFlywayUndo });
  writeFileSync(target, text);

  // cosmiconfig takes the first config file it finds in a directory, in CONFIG_FILES order.
  const shadowing = existing.filter((file) => CONFIG_FILES.indexOf(file) < CONFIG_FILES.indexOf(INIT_FILE));
  for (const file of shadowing) io.stderr(`pgwarden: warning: ${file} is read before ${INIT_FILE}; remove it for the new file to take effect.\n`);

  const where = found
    ? `${survey.migrations.length} migration${survey.migrations.length === 1 ? '' : 's'} in ${dir}/`
    : `no migrations directory found; set migrations.dir (now ${dir})`;
  io.stdout(`Wrote ${INIT_FILE}: ${where}, layout ${layout}, transaction ${suggestedTransaction(layout)}.\n`);
  io.stdout('Read its comments, then run `pgwarden lint`.\n');
  return EXIT.ok;
}

async function hasFlywayUndo(dir: string): Promise<boolean> {
  const { files } = await discoverFiles([dir], dir);
  return files.some((file) => /^U\d+(?:[._]\d+)*__.+\.sql$/.test(basename(file)));
}

/** Config files in `dir` that pgwarden would read (package.json only with a `pgwarden` key). */
function existingConfigs(dir: string): string[] {
  return CONFIG_FILES.filter((file) => {
    const path = join(dir, file);
    if (!existsSync(path)) return false;
    if (file !== 'package.json') return true;
    try {
      return (JSON.parse(readFileSync(path, 'utf8')) as { pgwarden?: unknown }).pgwarden !== undefined;
    } catch {
      return false;
    }
  });
}

/**
 * The published JSON Schema of the config, relative to the config file: in the nearest
 * node_modules/pgwarden from `dir` upwards, or where a local install will put it.
 */
function schemaPath(dir: string): string {
  const inPackage = 'node_modules/pgwarden/schemas/config.schema.json';
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, inPackage))) {
      const rel = toPosix(relative(dir, join(current, inPackage)));
      return rel.startsWith('.') ? rel : `./${rel}`;
    }
    if (dirname(current) === current) return `./${inPackage}`;
  }
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
