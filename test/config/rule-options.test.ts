import { describe, expect, it } from 'vitest';
import { allRules, findRule } from '../../rules/index.js';
import { ConfigError, validateConfig } from '../../src/config/load.js';
import { optionsJsonSchema, optionsSchema, parseRuleOptions } from '../../src/config/rule-options-schema.js';
import { settingsForFile, settingsFromConfig, withFlags } from '../../src/lint-settings.js';
import { findingsOf } from '../helpers.js';

const ROOT = '/project';
const SNAKE_CASE = '^[a-z_][a-z0-9_]*$';
const RULE_IDS = new Set(allRules.map((rule) => rule.meta.id));

async function configError(raw: unknown): Promise<string> {
  try {
    await validateConfig(raw, '.pgwardenrc.json', RULE_IDS);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('rule options in the config', () => {
  it('take ESLint’s [severity, options] form; options left out get their defaults', async () => {
    const config = await validateConfig(
      { rules: { 'naming-convention': ['warning', { tables: '^tbl_' }], 'require-metadata': ['error'], 'no-drop-table': 'off' } },
      '.pgwardenrc.json',
      RULE_IDS,
    );
    expect(config.rules['naming-convention']).toEqual([
      'warning',
      expect.objectContaining({ tables: '^tbl_', columns: SNAKE_CASE, indexes: SNAKE_CASE }),
    ]);
    expect(config.rules['require-metadata']).toEqual(['error']);
    const settings = settingsFromConfig(config, ROOT);
    expect(settings.severities.get('naming-convention')).toBe('warning');
    expect(settings.severities.get('require-metadata')).toBe('error');
    expect(settings.ruleOptions?.get('naming-convention')).toMatchObject({ tables: '^tbl_' });
    expect(settings.ruleOptions?.has('require-metadata')).toBe(false);
  });

  it('a bad option is a config error that names its key path', async () => {
    const message = await configError({
      rules: {
        'naming-convention': ['error', { tables: '([', columns: 5, tabels: '.*' }],
        'no-drop-table': ['error', { force: true }],
        'require-metadata': ['sometimes'],
      },
      overrides: [{ files: ['legacy/**'], rules: { 'require-metadata': ['error', { fields: 'ticket' }] } }],
    });
    expect(message).toContain('Invalid configuration in .pgwardenrc.json');
    expect(message).toContain('rules.naming-convention.1.tables: not a valid regular expression');
    expect(message).toContain('rules.naming-convention.1.columns: Invalid input: expected string, received number');
    expect(message).toContain('rules.naming-convention.1.tabels: unknown key');
    expect(message).toContain('rules.no-drop-table.1: no-drop-table takes no options');
    expect(message).toMatch(/rules\.require-metadata\.0: Invalid option: expected one of "off"\|"warning"\|"error"/);
    expect(message).toContain('overrides.0.rules.require-metadata.1.fields: Invalid input: expected array, received string');
  });

  it('a wrong severity is still named by its key path, and unknown rules are still reported as such', async () => {
    expect(await configError({ rules: { 'no-drop-table': 'fatal' } })).toMatch(/rules\.no-drop-table: Invalid option: expected one of/);
    expect(await configError({ rules: { 'no-such-rule': ['error'] } })).toContain('rules.no-such-rule: unknown rule "no-such-rule"');
  });
});

describe('rule options through overrides and flags', () => {
  async function settingsOf(raw: unknown) {
    return settingsFromConfig(await validateConfig(raw, '.pgwardenrc.json', RULE_IDS), ROOT);
  }
  const config = {
    rules: { 'naming-convention': ['warning', { tables: '^app_' }] },
    overrides: [
      { files: ['legacy/**'], rules: { 'naming-convention': 'error' } },
      { files: ['prisma/**'], rules: { 'naming-convention': ['warning', { tables: '.*' }] } },
    ],
  };

  it('an override that sets only a severity keeps the options; one with options replaces them', async () => {
    const settings = await settingsOf(config);
    const legacy = settingsForFile(settings, `${ROOT}/legacy/0001.sql`);
    expect(legacy.severities.get('naming-convention')).toBe('error');
    expect(legacy.ruleOptions?.get('naming-convention')).toMatchObject({ tables: '^app_' });
    const prisma = settingsForFile(settings, `${ROOT}/prisma/0001.sql`);
    expect(prisma.ruleOptions?.get('naming-convention')).toMatchObject({ tables: '.*', columns: SNAKE_CASE });
  });

  it('--rule with a severity keeps the configured options (overrides’ too); with options it replaces them everywhere', async () => {
    const settings = await settingsOf(config);
    const severityOnly = withFlags(settings, { rules: new Map([['naming-convention', 'error']]) });
    expect(severityOnly.ruleOptions?.get('naming-convention')).toMatchObject({ tables: '^app_' });
    const prisma = settingsForFile(severityOnly, `${ROOT}/prisma/0001.sql`);
    expect(prisma.severities.get('naming-convention')).toBe('error');
    expect(prisma.ruleOptions?.get('naming-convention')).toMatchObject({ tables: '.*' });

    const withOptions = withFlags(settings, { rules: new Map([['naming-convention', ['warning', { tables: '^t_' }]]]) });
    for (const path of ['0001.sql', 'legacy/0001.sql', 'prisma/0001.sql']) {
      const file = settingsForFile(withOptions, `${ROOT}/${path}`);
      expect([path, file.ruleOptions?.get('naming-convention')]).toEqual([path, { tables: '^t_' }]);
    }
  });
});

describe('rules that take options', () => {
  const withOptions = allRules.filter((rule) => rule.meta.options);

  it('declare defaults that are valid options, one for every option of the schema', () => {
    expect(withOptions.map((rule) => rule.meta.id).sort()).toEqual(['naming-convention', 'require-metadata']);
    for (const rule of withOptions) {
      const parsed = parseRuleOptions(rule.meta, rule.meta.options!.defaults);
      expect([rule.meta.id, parsed]).toEqual([rule.meta.id, { ok: true, options: rule.meta.options!.defaults }]);
      expect(Object.keys(optionsSchema(rule.meta)!.shape).sort()).toEqual(Object.keys(rule.meta.options!.defaults).sort());
      // Every option is described: the docs page and editors show it.
      const json = optionsJsonSchema(rule.meta) as { properties: Record<string, { description?: string; default?: unknown }> };
      for (const [key, option] of Object.entries(json.properties)) {
        expect([rule.meta.id, key, typeof option.description, option.default]).toEqual([
          rule.meta.id,
          key,
          'string',
          (rule.meta.options!.defaults as Record<string, unknown>)[key],
        ]);
      }
    }
  });

  it('reach the rule: the same migration passes or fails with the options given', () => {
    const sql = 'CREATE TABLE "UserAccount" (id bigint PRIMARY KEY);\n';
    const on = new Map([['naming-convention', 'error' as const]]);
    expect(findingsOf(sql, { severities: on }).map((f) => f.ruleId)).toEqual(['naming-convention']);
    const pascal = parseRuleOptions(findRule('naming-convention')!.meta, { tables: '^[A-Z][A-Za-z]*$' });
    if (!pascal.ok) throw new Error(pascal.problems.join('\n'));
    expect(findingsOf(sql, { severities: on, ruleOptions: new Map([['naming-convention', pascal.options]]) })).toEqual([]);
  });
});
