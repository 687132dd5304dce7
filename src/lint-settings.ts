import { createRequire } from 'node:module';
import { relative, sep } from 'node:path';
import type Picomatch from 'picomatch';
import { allRules } from '../rules/index.js';
import type { SeveritySetting } from './analysis/finding.js';
import type { Rule } from './analysis/rule.js';
import { settingOptions, settingSeverity, type RuleOptions, type RuleSetting } from './analysis/rule-options.js';
import type { TransactionMode } from './analysis/transactions.js';
import type { Config } from './config/schema.js';
import type { LayoutSetting, RollbackSetting } from './migrations/layout.js';
import type { StatsSnapshot } from './stats/schema.js';

/**
 * Settings for the files that match `files`. Plain data (no functions, no Map), so that worker
 * threads receive it as it is.
 */
export interface SettingsOverride {
  /** Glob patterns (picomatch), relative to `base`, `/` separators. */
  files: readonly string[];
  /** Absolute directory the patterns start from: the config file's. */
  base: string;
  postgresVersion?: number;
  layout?: LayoutSetting;
  transaction?: TransactionMode;
  rollback?: RollbackSetting;
  rules?: Readonly<Record<string, RuleSetting>>;
}

export interface LintSettings {
  cwd: string;
  postgresVersion: number;
  transaction: TransactionMode;
  layout: LayoutSetting;
  rollback: RollbackSetting;
  severities: ReadonlyMap<string, SeveritySetting>;
  /** Options configured per rule id (validated; each rule's defaults fill in the rest). */
  ruleOptions?: ReadonlyMap<string, RuleOptions>;
  rules: readonly Rule[];
  /** Per-path settings, later ones winning; see settingsForFile. */
  overrides?: readonly SettingsOverride[];
  /** Table sizes from `pgwarden stats` (`lint --stats`, config `stats`); moves locking findings by size. */
  stats?: StatsSnapshot;
}

/**
 * The settings a config describes. Override patterns are relative to `baseDir`, the directory of
 * the config file (the working directory when there is none).
 */
export function settingsFromConfig(config: Config, cwd: string, baseDir: string = cwd): LintSettings {
  const settings: LintSettings = {
    cwd,
    postgresVersion: config.postgresVersion,
    transaction: config.migrations.transaction,
    layout: config.migrations.layout,
    rollback: config.migrations.rollback,
    severities: new Map(),
    rules: allRules,
  };
  setRules(settings, Object.entries(config.rules));
  if (config.overrides?.length) {
    settings.overrides = config.overrides.map(({ files, postgresVersion, migrations, rules }) => ({
      files,
      base: baseDir,
      ...(postgresVersion !== undefined ? { postgresVersion } : {}),
      ...migrations,
      ...(rules ? { rules } : {}),
    }));
  }
  return settings;
}

/** Values given on the command line: each replaces the config's value, overrides included. */
export interface SettingsFlags {
  postgresVersion?: number;
  layout?: LayoutSetting;
  transaction?: TransactionMode;
  rollback?: RollbackSetting;
  /**
   * Rule settings on top of the config's. A severity alone keeps the options configured for the
   * rule (in overrides too), as in ESLint; `[severity, options]` replaces them.
   */
  rules?: ReadonlyMap<string, RuleSetting>;
}

const FLAG_KEYS = ['postgresVersion', 'layout', 'transaction', 'rollback'] as const;
type FlagKey = (typeof FLAG_KEYS)[number];
type Keyed = Pick<LintSettings, FlagKey>;

/** Sets each rule's severity, and its options when the setting gives some. */
function setRules(settings: LintSettings, entries: Iterable<[string, RuleSetting]>): void {
  const severities = new Map(settings.severities);
  const options = new Map(settings.ruleOptions);
  for (const [id, setting] of entries) {
    severities.set(id, settingSeverity(setting));
    const given = settingOptions(setting);
    if (given) options.set(id, given);
  }
  settings.severities = severities;
  if (options.size) settings.ruleOptions = options;
}

/** Copies the keys `source` defines. */
function assignDefined(target: Keyed, source: Partial<Keyed>): void {
  if (source.postgresVersion !== undefined) target.postgresVersion = source.postgresVersion;
  if (source.layout !== undefined) target.layout = source.layout;
  if (source.transaction !== undefined) target.transaction = source.transaction;
  if (source.rollback !== undefined) target.rollback = source.rollback;
}

/**
 * Applies command-line values key by key: a flag replaces that one key, in the top-level settings
 * and in every override (so a flag wins over an override too); everything else stays as configured.
 */
export function withFlags(settings: LintSettings, flags: SettingsFlags): LintSettings {
  const result: LintSettings = { ...settings };
  assignDefined(result, flags);
  const flagged = FLAG_KEYS.filter((key) => flags[key] !== undefined);
  const ruleFlags = flags.rules ?? new Map<string, RuleSetting>();
  if (ruleFlags.size) setRules(result, ruleFlags);
  if (settings.overrides && (flagged.length || ruleFlags.size)) {
    const overrides = settings.overrides.map((override) => withoutFlagged(override, flagged, ruleFlags)).filter(hasSettings);
    if (overrides.length) result.overrides = overrides;
    else delete result.overrides;
  }
  return result;
}

function withoutFlagged(
  override: SettingsOverride,
  flagged: readonly FlagKey[],
  ruleFlags: ReadonlyMap<string, RuleSetting>,
): SettingsOverride {
  const copy: SettingsOverride = { ...override };
  for (const key of flagged) delete copy[key];
  if (override.rules && ruleFlags.size) {
    const rules = Object.entries(override.rules).flatMap(([id, setting]): Array<[string, RuleSetting]> => {
      const flag = ruleFlags.get(id);
      if (flag === undefined) return [[id, setting]];
      // The flag's severity wins; options the override gives stay unless the flag gives its own.
      const options = settingOptions(setting);
      return options && !settingOptions(flag) ? [[id, [settingSeverity(flag), options]]] : [];
    });
    if (rules.length) copy.rules = Object.fromEntries(rules);
    else delete copy.rules;
  }
  return copy;
}

function hasSettings(override: SettingsOverride): boolean {
  return FLAG_KEYS.some((key) => override[key] !== undefined) || override.rules !== undefined;
}

/** Compiled patterns per override object; a worker thread compiles its own copies once. */
const matchers = new WeakMap<SettingsOverride, (path: string) => boolean>();
/** Merged settings per set of matching overrides, so files that match the same ones share them. */
const merged = new WeakMap<LintSettings, Map<string, LintSettings>>();

/** Loaded on first use: a run without overrides (and each worker thread) never pays for it. */
let picomatch: typeof Picomatch | undefined;

function matcherOf(override: SettingsOverride): (path: string) => boolean {
  let matcher = matchers.get(override);
  if (!matcher) {
    picomatch ??= createRequire(import.meta.url)('picomatch') as typeof Picomatch;
    const patterns = override.files.map((p) => (p.startsWith('./') ? p.slice(2) : p));
    matcher = picomatch(patterns, { dot: true });
    matchers.set(override, matcher);
  }
  return matcher;
}

/** `absolutePath` relative to `base`, with `/` separators (`../…` outside it, which no pattern matches). */
function relativeTo(base: string, absolutePath: string): string {
  const prefix = base.endsWith(sep) ? base : base + sep;
  const rel = absolutePath.startsWith(prefix) ? absolutePath.slice(prefix.length) : relative(base, absolutePath);
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/**
 * The settings for one file: `settings` with every override whose patterns match the file applied
 * in order. Without overrides, or when none matches, `settings` itself is returned.
 */
export function settingsForFile(settings: LintSettings, absolutePath: string): LintSettings {
  const overrides = settings.overrides;
  if (overrides === undefined || overrides.length === 0) return settings;
  let key = '';
  let base: string | undefined;
  let rel = '';
  for (let i = 0; i < overrides.length; i++) {
    const override = overrides[i]!;
    if (override.base !== base) {
      base = override.base;
      rel = relativeTo(base, absolutePath);
    }
    if (matcherOf(override)(rel)) key += `${i},`;
  }
  if (key === '') return settings;

  let cache = merged.get(settings);
  if (!cache) merged.set(settings, (cache = new Map()));
  let result = cache.get(key);
  if (!result) {
    result = applyOverrides(settings, key.slice(0, -1).split(',').map((i) => overrides[Number(i)]!));
    cache.set(key, result);
  }
  return result;
}

function applyOverrides(settings: LintSettings, matching: readonly SettingsOverride[]): LintSettings {
  const { overrides: _overrides, ...result } = settings;
  for (const override of matching) {
    assignDefined(result, override);
    if (override.rules) setRules(result, Object.entries(override.rules));
  }
  return result;
}
