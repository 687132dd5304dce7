import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';

export interface Discovered {
  /** Absolute paths, unique, in code-point order (migration order for the usual numbered names). */
  files: string[];
  /** `-` was given: read one file from standard input. */
  stdin: boolean;
  /** Inputs that matched nothing, each with a sentence saying so. */
  problems: string[];
}

const IGNORE = ['**/node_modules/**', '**/.git/**'];

/**
 * TS/JS migrations a directory yields besides `*.sql`: files named like a migration (starting with
 * its number or timestamp, as node-pg-migrate, Knex, TypeORM, Sequelize and numbered Kysely
 * migrations are) in a folder named `migrations` or `migration`. Runner scripts, configs and build
 * output elsewhere are left out; any TS/JS file can still be linted by naming it or a glob.
 */
const EMBEDDED_IN_MIGRATIONS = '[0-9]*.{ts,js,mjs,cjs,mts,cts}';
const MIGRATIONS_DIR = /^migrations?$/;

export interface DiscoverOptions {
  /** Directories also yield TS/JS migrations (see EMBEDDED_IN_MIGRATIONS): for linting, never for applying. */
  embedded?: boolean;
}

/** Expands files, directories (recursively, `*.sql`), globs and `-` into the files to lint. */
export async function discoverFiles(inputs: readonly string[], cwd: string, options: DiscoverOptions = {}): Promise<Discovered> {
  const found = new Set<string>();
  const problems: string[] = [];
  let stdin = false;
  for (const input of inputs) {
    if (input === '-') {
      stdin = true;
      continue;
    }
    const absolute = resolve(cwd, input);
    const kind = fileKind(absolute);
    if (kind === 'file') {
      found.add(absolute);
    } else if (kind === 'directory') {
      const patterns = ['**/*.sql'];
      if (options.embedded) {
        patterns.push(`**/{migrations,migration}/${EMBEDDED_IN_MIGRATIONS}`);
        if (MIGRATIONS_DIR.test(basename(absolute))) patterns.push(EMBEDDED_IN_MIGRATIONS);
      }
      const matches = await glob(patterns, { cwd: absolute, absolute: true, onlyFiles: true, ignore: IGNORE });
      for (const match of matches) found.add(match);
    } else if (isDynamicPattern(input)) {
      const matches = await glob([input], { cwd, absolute: true, onlyFiles: true, ignore: IGNORE });
      if (!matches.length) problems.push(`No files match the pattern "${input}".`);
      for (const match of matches) found.add(resolve(match));
    } else {
      problems.push(`No such file or directory: "${input}".`);
    }
  }
  return { files: [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), stdin, problems };
}

function fileKind(path: string): 'file' | 'directory' | undefined {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? 'directory' : stat.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}
