import type { DatabaseSpec } from '../executor/db/open.js';
import type { LintSettings } from '../lint-settings.js';
import type { Migration } from '../migrations/migration-set.js';
import { loadParser } from '../sql/parser.js';
import { extensionsUsed } from './extensions.js';
import { outcomeOf, type RehearsalOutcome } from './report.js';
import { rehearse, type MigrationRehearsal } from './rehearse.js';
import { openScratchDatabase } from './scratch.js';

export const DEFAULT_REHEARSAL_DATABASE = 'pglite:memory';

export interface RehearsalRequest {
  migrations: readonly Migration[];
  /** The lint settings the migrations were analysed with: trace findings are reported with them. */
  settings: LintSettings;
  /** Default pglite:memory. */
  database?: DatabaseSpec;
  /** `pglite:` directories and `{ env }` specs are resolved here. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  from?: string;
  to?: string;
  seed?: { path: string; text: string };
  onStart?: (database: string, serverVersion: string) => void;
  onMigration?: (rehearsal: MigrationRehearsal, index: number, total: number) => void;
}

/** Opens a scratch database, rehearses, derives the findings, and drops the database (also when it fails). */
export async function runRehearsal(request: RehearsalRequest): Promise<RehearsalOutcome> {
  await loadParser();
  const scratch = await openScratchDatabase(request.database ?? DEFAULT_REHEARSAL_DATABASE, {
    cwd: request.cwd,
    env: request.env,
    extensions: extensionsUsed(request.migrations),
  });
  try {
    request.onStart?.(scratch.description, scratch.server.text);
    const rehearsal = await rehearse({
      session: scratch.session,
      database: scratch.description,
      server: scratch.server,
      migrations: request.migrations,
      ...(request.from !== undefined ? { from: request.from } : {}),
      ...(request.to !== undefined ? { to: request.to } : {}),
      ...(request.seed ? { seed: request.seed } : {}),
      ...(request.onMigration ? { onMigration: request.onMigration } : {}),
    });
    return outcomeOf(rehearsal, request.settings);
  } finally {
    await scratch.close();
  }
}
