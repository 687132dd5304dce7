import type { Risk } from '../analysis/risk.js';
import type { Config } from '../config/schema.js';
import { durationMs } from '../config/duration.js';

export interface Environment {
  name: string;
  maxRisk: Risk;
  /** A URL, `{ env: NAME }`, `pglite:memory` or `pglite:<dir>`. */
  database: string | { env: string };
  lockTimeoutMs: number | undefined;
  statementTimeoutMs: number | undefined;
  requireRehearsal: boolean;
  allowOverride: boolean;
  beforeApply: string | undefined;
  afterApply: string | undefined;
  lockRetries: number;
  retryDelayMs: number;
  advisoryLockTimeoutMs: number;
}

export const DEFAULT_ENVIRONMENT = 'development';

/** An unknown environment name: the CLI turns it into a usage error. */
export class UnknownEnvironmentError extends Error {}

/**
 * The named environment from the config. With no `environments` in the config, `development`
 * exists anyway: maxRisk high on an embedded database in `.pgwarden/dev`, so a fresh clone can
 * apply its migrations without a server. An environment without a database gets its own
 * embedded one in `.pgwarden/<name>`.
 */
export function resolveEnvironment(config: Config, name = DEFAULT_ENVIRONMENT): Environment {
  const configured = config.environments?.[name];
  if (!configured && !(name === DEFAULT_ENVIRONMENT && !config.environments)) {
    const known = Object.keys(config.environments ?? {});
    throw new UnknownEnvironmentError(
      `Unknown environment "${name}"${known.length ? `; the config defines ${known.join(', ')}` : ''}.`,
    );
  }
  const settings = configured ?? { maxRisk: 'high' as const };
  return {
    name,
    maxRisk: settings.maxRisk,
    database: settings.database ?? `pglite:.pgwarden/${name === DEFAULT_ENVIRONMENT ? 'dev' : name}`,
    lockTimeoutMs: settings.lockTimeout === undefined ? undefined : durationMs(settings.lockTimeout),
    statementTimeoutMs: settings.statementTimeout === undefined ? undefined : durationMs(settings.statementTimeout),
    requireRehearsal: settings.requireRehearsal ?? false,
    allowOverride: settings.allowOverride ?? false,
    beforeApply: settings.beforeApply,
    afterApply: settings.afterApply,
    lockRetries: settings.lockRetries ?? 3,
    retryDelayMs: settings.retryDelay === undefined ? 1000 : durationMs(settings.retryDelay),
    advisoryLockTimeoutMs: settings.advisoryLockTimeout === undefined ? 300_000 : durationMs(settings.advisoryLockTimeout),
  };
}
