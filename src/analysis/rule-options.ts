import type { z } from 'zod';
import type { SeveritySetting } from './finding.js';

/**
 * Rule options, as ESLint has them: a rule declares a zod schema and defaults in
 * `meta.options`, a config sets `rules: { id: [severity, options] }`, and the rule reads the
 * result as `context.options`. Nothing here loads zod: a rule's schema is built from the zod
 * module it is handed (see src/config/rule-options-schema.ts), so that linting without a config
 * file never pays for zod.
 */

/** The zod module, as a rule's options schema receives it. */
export type Zod = typeof z;

/** Options as a config gives them and a rule reads them: plain data (worker threads receive them by structured clone). */
export type RuleOptions = Readonly<Record<string, unknown>>;

export interface RuleOptionsMeta<O extends RuleOptions = RuleOptions> {
  /**
   * `zod.object({...})` with every option, each `.describe()`d: docs, the JSON schema and error
   * messages come from it. A config may give any subset; `defaults` fill in the rest.
   */
  schema: (zod: Zod) => z.ZodType<O>;
  /** Every option's value when the config leaves it out. */
  defaults: O;
}

/** A rule's entry in `rules`: a severity, or ESLint's `[severity, options]`. */
export type RuleSetting = SeveritySetting | readonly [SeveritySetting] | readonly [SeveritySetting, RuleOptions];

export function settingSeverity(setting: RuleSetting): SeveritySetting {
  return typeof setting === 'string' ? setting : setting[0];
}

/** The options a setting gives, when it gives any. */
export function settingOptions(setting: RuleSetting): RuleOptions | undefined {
  return typeof setting === 'string' ? undefined : setting[1];
}

/** What a rule runs with: the configured options over its defaults (a shallow merge, as each option is one key). */
export function effectiveOptions(meta: { options?: RuleOptionsMeta<RuleOptions> }, configured: RuleOptions | undefined): RuleOptions {
  const defaults = meta.options?.defaults;
  if (!configured) return defaults ?? EMPTY;
  return { ...defaults, ...configured };
}

const EMPTY: RuleOptions = Object.freeze({});
