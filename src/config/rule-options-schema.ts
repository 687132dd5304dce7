import { z } from 'zod';
import type { Rule, RuleMeta } from '../analysis/rule.js';
import type { RuleOptions, RuleSetting } from '../analysis/rule-options.js';

/** The zod side of rule options (src/analysis/rule-options.ts): checking them, and describing them as JSON Schema. */

export const SeveritySchema = z.enum(['off', 'warning', 'error']);

const checked = new WeakMap<RuleMeta, z.ZodObject>();

/**
 * The options a config may give the rule: any subset of its options (each absent one takes its
 * default) and no other key. Undefined for a rule without options.
 */
export function optionsSchema(meta: RuleMeta): z.ZodObject | undefined {
  const spec = meta.options;
  if (!spec) return undefined;
  let schema = checked.get(meta);
  if (!schema) {
    const full = spec.schema(z);
    if (!(full instanceof z.ZodObject)) throw new TypeError(`${meta.id}: meta.options.schema must return zod.object({...}).`);
    const defaults = spec.defaults as Record<string, unknown>;
    const shape = Object.fromEntries(Object.entries(full.shape).map(([key, option]) => [key, option.default(defaults[key])]));
    schema = z.object(shape).strict();
    checked.set(meta, schema);
  }
  return schema;
}

export type OptionsResult = { ok: true; options: RuleOptions } | { ok: false; problems: string[] };

/** Checks options given to `rule`; problems name the key (`tables: …`), prefixed by `path`. */
export function parseRuleOptions(meta: RuleMeta, raw: unknown, path = ''): OptionsResult {
  const schema = optionsSchema(meta);
  if (!schema) return { ok: false, problems: [`${path || '(options)'}: ${meta.id} takes no options`] };
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, options: parsed.data };
  return { ok: false, problems: issueLines(parsed.error.issues, path) };
}

/** One `path: message` line per issue; a union's issues are those of the branch the value was meant for. */
export function issueLines(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.flatMap((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'invalid_union') {
      const branch = intendedBranch(issue.errors);
      if (branch) return issueLines(branch, path);
    }
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${path ? `${path}.` : ''}${key}: unknown key`);
    return [`${path || '(root)'}: ${issue.message}`];
  });
}

/**
 * The union branch whose issues to report: the only one that got past the value's type (its
 * issues lie deeper than the value itself, or are not about the value's type).
 */
function intendedBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] | undefined {
  const deeper = branches.filter((issues) => issues.some((issue) => issue.path.length > 0));
  if (deeper.length === 1) return deeper[0];
  const typed = branches.filter((issues) => !issues.every((issue) => issue.path.length === 0 && issue.code === 'invalid_type'));
  return typed.length === 1 ? typed[0] : undefined;
}

/** The JSON Schema of the rule's options; ESLint (ajv 6) wants draft-04. */
export function optionsJsonSchema(meta: RuleMeta, target: 'draft-4' | 'draft-2020-12' = 'draft-2020-12'): Record<string, unknown> | undefined {
  const schema = optionsSchema(meta);
  if (!schema) return undefined;
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input', target });
  return json;
}

function settingSchema(rule: Rule): z.ZodType<RuleSetting> {
  const options = optionsSchema(rule.meta);
  const tuple = options ? z.tuple([SeveritySchema, options.optional()]) : z.tuple([SeveritySchema]);
  return z.union([SeveritySchema, tuple]).describe(`${rule.meta.id}: a severity, or [severity, options]`) as z.ZodType<RuleSetting>;
}

/**
 * `rules` (and `overrides[].rules`): rule id → severity or `[severity, options]`, each rule's
 * options checked against its schema. Unknown ids pass here and are reported by the config
 * loader, which knows the rule set in use.
 */
export function rulesSchema(rules: readonly Rule[]): z.ZodType<Record<string, RuleSetting>> {
  const withOptions = rules.filter((rule) => rule.meta.options);
  const withoutOptions = new Set(rules.filter((rule) => !rule.meta.options).map((rule) => rule.meta.id));
  const other = z.union([SeveritySchema, z.tuple([SeveritySchema, z.record(z.string(), z.unknown()).optional()])]);
  return z
    .object(Object.fromEntries(withOptions.map((rule) => [rule.meta.id, settingSchema(rule).optional()])))
    .catchall(other)
    .superRefine(
      (value: unknown, context) => {
        if (typeof value !== 'object' || value === null) return;
        for (const [id, setting] of Object.entries(value)) {
          if (withoutOptions.has(id) && Array.isArray(setting) && setting.length > 1) {
            context.addIssue({ code: 'custom', path: [id, 1], message: `${id} takes no options` });
          }
        }
      },
      // Also when other entries have problems, so that one run reports them all.
      { when: () => true },
    ) as unknown as z.ZodType<Record<string, RuleSetting>>;
}
