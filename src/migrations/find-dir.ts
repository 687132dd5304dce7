import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { discoverFiles } from './discover.js';

/** Where migration tools keep their SQL, most common first (relative to the project root). */
export const MIGRATION_DIRS = [
  'migrations', // golang-migrate, sqlx, Diesel, many hand-rolled setups
  'db/migrations', // dbmate
  'prisma/migrations', // Prisma Migrate
  'supabase/migrations', // Supabase CLI
  'src/main/resources/db/migration', // Flyway's default location in Maven and Gradle projects
  'db/migration',
  'src/migrations',
  'sql',
] as const;

export interface FoundDir {
  /** Relative to the root, `/` separators. */
  dir: string;
  /** How many `*.sql` files it holds, subdirectories included. */
  sqlFiles: number;
}

/**
 * The first of MIGRATION_DIRS under `root` that holds SQL files; failing that, the first that
 * exists (still empty); undefined when none does.
 */
export async function findMigrationsDir(root: string): Promise<FoundDir | undefined> {
  let empty: FoundDir | undefined;
  for (const dir of MIGRATION_DIRS) {
    const absolute = join(root, dir);
    if (!existsSync(absolute) || !statSync(absolute).isDirectory()) continue;
    const { files } = await discoverFiles([absolute], root);
    if (files.length) return { dir, sqlFiles: files.length };
    empty ??= { dir, sqlFiles: 0 };
  }
  return empty;
}
