import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { openDatabase, type DatabaseSpec } from '../executor/db/open.js';
import { resolveEnvironment, UnknownEnvironmentError } from '../executor/environment.js';
import { captureStats } from '../stats/capture.js';
import { EXIT, UsageError, type CliIO } from './io.js';

export interface StatsFlags {
  database?: string;
  env?: string;
  config?: string;
  output?: string;
}

/**
 * `pgwarden stats`: a JSON snapshot of table sizes, for `pgwarden lint --stats`. The database is
 * `--database`, or else the database of the config environment `--env` (default development).
 */
export async function runStats(flags: StatsFlags, io: CliIO): Promise<number> {
  if (flags.database !== undefined && flags.env !== undefined) {
    throw new UsageError('--database and --env are alternatives: give one of them.');
  }
  const { spec, cwd } = await target(flags, io);
  const session = await openDatabase(spec, { cwd, env: io.env });
  let json: string;
  try {
    json = JSON.stringify(await captureStats(session), null, 2) + '\n';
  } finally {
    await session.close();
  }
  if (flags.output) {
    const file = resolve(io.cwd, flags.output);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, json);
  } else {
    io.stdout(json);
  }
  return EXIT.ok;
}

async function target(flags: StatsFlags, io: CliIO): Promise<{ spec: DatabaseSpec; cwd: string }> {
  if (flags.database !== undefined) return { spec: flags.database, cwd: io.cwd };
  const { config, baseDir } = await loadConfig(io.cwd, flags.config ? resolve(io.cwd, flags.config) : undefined);
  try {
    return { spec: resolveEnvironment(config, flags.env).database, cwd: baseDir };
  } catch (error) {
    if (error instanceof UnknownEnvironmentError) throw new UsageError(error.message);
    throw error;
  }
}
