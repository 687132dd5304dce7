import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { createColors } from 'picocolors';
import { allRules } from '../../rules/index.js';
import { parseRisk } from '../analysis/risk.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { openDatabase } from '../executor/db/open.js';
import { redactUrl } from '../executor/db/redact.js';
import type { DatabaseSession } from '../executor/db/types.js';
import { resolveEnvironment, UnknownEnvironmentError, type Environment } from '../executor/environment.js';
import type { RiskOverride } from '../executor/gate.js';
import { createHistoryStore } from '../executor/history-store.js';
import { currentOsUser } from '../executor/history.js';
import type { HistoryStore } from '../executor/store.js';
import { settingsFromConfig } from '../lint-file.js';
import { loadMigrationSet, type Migration } from '../migrations/migration-set.js';
import { UsageError, useColor, type CliIO } from './io.js';

export interface ExecutorFlags {
  env?: string;
  config?: string;
  format: string;
  color?: boolean;
}

export interface ExecutorSetup {
  loaded: LoadedConfig;
  environment: Environment;
  migrations: Migration[];
  /** Printable database target (no password). */
  database: string;
  colors: ReturnType<typeof createColors>;
  json: boolean;
}

/** Config, environment and migrations: everything short of a database connection. */
export async function prepare(flags: ExecutorFlags, io: CliIO): Promise<ExecutorSetup> {
  if (flags.format !== 'text' && flags.format !== 'json') throw new UsageError(`--format must be text or json (got "${flags.format}").`);
  const ruleIds = new Set(allRules.map((r) => r.meta.id));
  const loaded = await loadConfig(io.cwd, flags.config ? resolve(io.cwd, flags.config) : undefined, ruleIds);
  let environment: Environment;
  try {
    environment = resolveEnvironment(loaded.config, flags.env);
  } catch (error) {
    if (error instanceof UnknownEnvironmentError) throw new UsageError(error.message);
    throw error;
  }
  const dir = resolve(loaded.baseDir, loaded.config.migrations.dir);
  if (!existsSync(dir)) throw new UsageError(`The migrations directory "${loaded.config.migrations.dir}" does not exist (looked in ${dir}).`);
  const set = await loadMigrationSet(dir, settingsFromConfig(loaded.config, io.cwd, loaded.baseDir));
  if (set.problems.length) throw new UsageError(set.problems.join('\n'));
  return {
    loaded,
    environment,
    migrations: set.migrations,
    database: describeTarget(environment.database, io),
    colors: createColors(flags.format === 'text' && useColor(io, flags.color)),
    json: flags.format === 'json',
  };
}

/** The database spec as a string: the config's value, or the environment variable it names. */
export function databaseUrl(database: Environment['database'], io: CliIO): string | undefined {
  return typeof database === 'string' ? database : io.env[database.env];
}

function describeTarget(database: Environment['database'], io: CliIO): string {
  const url = databaseUrl(database, io);
  if (typeof database !== 'string') return `$${database.env}${url ? ` = ${redactUrl(url)}` : ''}`;
  return database.startsWith('pglite:') ? database : redactUrl(database);
}

export interface Connected {
  session: DatabaseSession;
  store: HistoryStore;
}

/** Opens the environment's database and its history store; closes them when `use` ends. */
export async function withDatabase<T>(setup: ExecutorSetup, io: CliIO, use: (connected: Connected) => Promise<T>): Promise<T> {
  const session = await openDatabase(setup.environment.database, { cwd: setup.loaded.baseDir, env: io.env });
  try {
    const store = createHistoryStore(session, setup.loaded.config.history, { cwd: setup.loaded.baseDir });
    return await use({ session, store });
  } finally {
    await session.close();
  }
}

/** `--accept-risk LEVEL --reason "…"` → an override; the reason is required and recorded. */
export function overrideFrom(flags: { acceptRisk?: string; reason?: string }): RiskOverride | undefined {
  if (flags.acceptRisk === undefined) {
    if (flags.reason !== undefined) throw new UsageError('--reason goes with --accept-risk.');
    return undefined;
  }
  const level = parseRisk(flags.acceptRisk);
  if (!level) throw new UsageError(`--accept-risk must be low, medium or high (got "${flags.acceptRisk}").`);
  const reason = flags.reason?.trim();
  if (!reason) throw new UsageError('--accept-risk needs --reason "…": the reason is recorded with the migration.');
  return { level, reason, user: currentOsUser() };
}
