import { findRule } from '../../rules/index.js';
import type { SeveritySetting } from '../analysis/finding.js';
import type { RuleOptions, RuleSetting } from '../analysis/rule-options.js';
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
export async function lintSettingsFrom(
  config: Config,
  cwd: string,
  baseDir: string,
  flags: SettingFlags,
  ruleIds: ReadonlySet<string>,
): Promise<LintSettings> {
  const settings = settingsFromConfig(config, cwd, baseDir);
  return withFlags(settings, {
    ...(flags.postgresVersion !== undefined ? { postgresVersion: parsePostgresVersion(flags.postgresVersion) } : {}),
    ...(flags.layout !== undefined ? { layout: choice('--layout', flags.layout, LAYOUT_CHOICES) } : {}),
    ...(flags.transaction !== undefined ? { transaction: choice('--transaction', flags.transaction, TRANSACTION_CHOICES) } : {}),
    ...(flags.rollback !== undefined ? { rollback: choice('--rollback', flags.rollback, ROLLBACK_CHOICES) } : {}),
    rules: await parseRuleFlags(flags.rule ?? [], ruleIds),
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

const RULE_FLAG_USAGE = '--rule takes ID=off|warning|error, or ID=\'["error", {...options}]\' for a rule with options';

/** `ID=severity`, or `ID=[severity, options]` in JSON as the config file has it. */
async function parseRuleFlags(flags: readonly string[], ruleIds: ReadonlySet<string>): Promise<Map<string, RuleSetting>> {
  const settings = new Map<string, RuleSetting>();
  for (const flag of flags) {
    const match = /^([\w-]+)=(off|warning|error|\[[\s\S]*\])$/.exec(flag.trim());
    if (!match) throw new UsageError(`${RULE_FLAG_USAGE} (got "${flag}").`);
    const id = match[1]!;
    if (!ruleIds.has(id)) throw new UsageError(`--rule names unknown rule "${id}" (see \`pgwarden rules\`).`);
    const value = match[2]!;
    settings.set(id, value.startsWith('[') ? await settingWithOptions(id, value) : (value as SeveritySetting));
  }
  return settings;
}

async function settingWithOptions(id: string, json: string): Promise<RuleSetting> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new UsageError(`--rule ${id}: ${(error as Error).message}`);
  }
  const [severity, options, ...rest] = parsed as unknown[];
  if (!['off', 'warning', 'error'].includes(severity as string) || rest.length) {
    throw new UsageError(`${RULE_FLAG_USAGE} (got "${id}=${json}").`);
  }
  const rule = findRule(id);
  if (options === undefined || !rule) return [severity as SeveritySetting];
  // zod is loaded only for options given on the command line.
  const { parseRuleOptions } = await import('../config/rule-options-schema.js');
  const result = parseRuleOptions(rule.meta, options, `--rule ${id}`);
  if (!result.ok) throw new UsageError(result.problems.join('\n'));
  return [severity as SeveritySetting, result.options as RuleOptions];
}
