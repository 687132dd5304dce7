import { relative, resolve, sep } from 'node:path';
import { loadConfig } from '../config/load.js';
import { newMigration, NewMigrationError } from '../migrations/new-migration.js';
import { EXIT, UsageError, type CliIO } from './io.js';

export const NEW_FORMATS = ['text', 'json'] as const;

export interface NewFlags {
  format: string;
  config?: string;
}

/** `pgwarden new NAME`: writes the next migration's skeleton and prints the files it created. */
export async function runNew(name: string, flags: NewFlags, io: CliIO): Promise<number> {
  if (!(NEW_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format must be one of ${NEW_FORMATS.join(', ')} (got "${flags.format}").`);
  }
  const { config } = await loadConfig(io.cwd, flags.config ? resolve(io.cwd, flags.config) : undefined);
  const created = await newMigration({ dir: config.migrations.dir, layout: config.migrations.layout, name, cwd: io.cwd }).catch(
    (error: unknown) => {
      throw error instanceof NewMigrationError ? new UsageError(error.message) : error;
    },
  );
  const files = created.files.map((file) => {
    const rel = relative(io.cwd, file) || file;
    return sep === '/' ? rel : rel.split(sep).join('/');
  });
  io.stdout(flags.format === 'json' ? JSON.stringify({ id: created.id, files }) + '\n' : files.map((f) => f + '\n').join(''));
  return EXIT.ok;
}
