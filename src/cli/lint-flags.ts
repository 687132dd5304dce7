import type { SeveritySetting } from '../analysis/finding.js';
import { TRANSACTION_MODES, type TransactionMode } from '../analysis/transactions.js';
import type { Config } from '../config/schema.js';
import { settingsFromConfig, withFlags, type LintSettings } from '../lint-settings.js';
import type { LayoutSetting, RollbackSetting } from '../migrations/layout.js';
import { LAYOUTS } from '../migrations/types.js';
import { UsageError } from './io.js';

/** The `pgwarden lint` flags that change analysis settings; each overrides one config key. */
export interface SettingFlags {
  postgresVersion?: string;
  layout?: string;
  transaction?: string;
  rollback?: string;
  rule?: string[];
}

export const LAYOUT_CHOICES: readonly LayoutSetting[] = ['auto', ...LAYOUTS];
export const TRANSACTION_CHOICES: readonly TransactionMode[] = TRANSACTION_MODES;
export const ROLLBACK_CHOICES: readonly RollbackSetting[] = ['auto', 'required', 'off'];

/**
 * The config's settings with the flags applied key by key: `--rule` adds to the config's rules,
 * and every flag also wins over the config's per-path overrides.
 */
export function lintSettingsFrom(
  config: Config,
  cwd: string,
  baseDir: string,
  flags: SettingFlags,
  ruleIds: ReadonlySet<string>,
): LintSettings {
  const settings = settingsFromConfig(config, cwd, baseDir);
  return withFlags(settings, {
    ...(flags.postgresVersion !== undefined ? { postgresVersion: parsePostgresVersion(flags.postgresVersion) } : {}),
    ...(flags.layout !== undefined ? { layout: choice('--layout', flags.layout, LAYOUT_CHOICES) } : {}),
    ...(flags.transaction !== undefined ? { transaction: choice('--transaction', flags.transaction, TRANSACTION_CHOICES) } : {}),
    ...(flags.rollback !== undefined ? { rollback: choice('--rollback', flags.rollback, ROLLBACK_CHOICES) } : {}),
    rules: parseRuleFlags(flags.rule ?? [], ruleIds),
  });
}

function choice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${choices.join(', ')} (got "${value}").`);
  }
  return value as T;
}

function parsePostgresVersion(value: string): number {
  const version = Number(value);
  if (!Number.isInteger(version) || version < 10 || version > 18) {
    throw new UsageError(`--postgres-version must be a major version from 10 to 18 (got "${value}").`);
  }
  return version;
}

function parseRuleFlags(flags: readonly string[], ruleIds: ReadonlySet<string>): Map<string, SeveritySetting> {
  const severities = new Map<string, SeveritySetting>();
  for (const flag of flags) {
    const match = /^([\w-]+)=(off|warning|error)$/.exec(flag.trim());
    if (!match) throw new UsageError(`--rule takes ID=off|warning|error (got "${flag}").`);
    if (!ruleIds.has(match[1]!)) throw new UsageError(`--rule names unknown rule "${match[1]}" (see \`pgwarden rules\`).`);
    severities.set(match[1]!, match[2] as SeveritySetting);
  }
  return severities;
}
