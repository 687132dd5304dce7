import type { Config } from './schema.js';

/**
 * The configuration when no file is found: exactly what the zod schema yields for `{}`
 * (a test holds them equal). Kept apart so a run without a config file never loads zod.
 */
export const DEFAULT_CONFIG: Config = Object.freeze({
  postgresVersion: 16,
  migrations: Object.freeze({ dir: 'migrations', layout: 'auto', transaction: 'auto', rollback: 'auto' }),
  rules: Object.freeze({}),
  history: Object.freeze({ schema: 'public', table: 'pgwarden_migrations', auditTable: 'pgwarden_audit' }),
}) as Config;
