import type { ConfigObject, Plugin, RulesConfig } from '@eslint/core';
import { allRules } from '../../rules/index.js';
import { defaultSeverity } from '../analysis/rule.js';
import { loadParser } from '../sql/parser.js';
import { TOOL_VERSION } from '../version.js';
import { JS_RULE_PREFIX, jsRules, type JsRuleDefinition } from './js-rules.js';
import { SqlLanguage } from './language.js';
import { PARSE_ERROR_RULE, sqlRules, type SqlRuleDefinition } from './sql-rules.js';

/**
 * The plugin object. This module has no top-level await, so that `require()` can load it (see
 * index.cts); it starts loading the SQL parser, which index.ts awaits.
 */
loadParser().catch(() => undefined);

export interface PgwardenPlugin extends Plugin {
  meta: { name: 'pgwarden'; version: string; namespace: 'pgwarden' };
  languages: { sql: SqlLanguage };
  /** `<rule-id>` and `parse-error` for `*.sql` files; `js/<rule-id>` and `js/parse-error` for JS/TS migrations. */
  rules: Record<string, SqlRuleDefinition | JsRuleDefinition>;
  configs: { recommended: ConfigObject; 'recommended-js': ConfigObject };
}

/**
 * Every rule that is not opt-in, at its default severity, and parse errors as errors. `prefix`
 * picks the rules: `''` for `*.sql` files, `'js/'` for JS/TS migrations.
 */
export function recommendedRules(prefix = ''): RulesConfig {
  const rules: RulesConfig = {};
  for (const { meta } of allRules) {
    if (!meta.optIn) rules[`pgwarden/${prefix}${meta.id}`] = defaultSeverity(meta) === 'error' ? 'error' : 'warn';
  }
  rules[`pgwarden/${prefix}${PARSE_ERROR_RULE}`] = 'error';
  return rules;
}

/**
 * The TS/JS files `pgwarden lint` finds in a directory (src/migrations/discover.ts): named like a
 * migration (starting with a digit) in a folder named `migrations` or `migration`.
 */
export const JS_MIGRATION_FILES = ['**/{migrations,migration}/[0-9]*.{js,mjs,cjs,ts,mts,cts}'];

const plugin: PgwardenPlugin = {
  meta: { name: 'pgwarden', version: TOOL_VERSION, namespace: 'pgwarden' },
  languages: { sql: new SqlLanguage() },
  rules: { ...sqlRules(), ...jsRules() },
  configs: { recommended: {}, 'recommended-js': {} },
};

plugin.configs.recommended = {
  name: 'pgwarden/recommended',
  files: ['**/*.sql'],
  plugins: { pgwarden: plugin },
  language: 'pgwarden/sql',
  rules: recommendedRules(),
};

plugin.configs['recommended-js'] = {
  name: 'pgwarden/recommended-js',
  files: JS_MIGRATION_FILES,
  plugins: { pgwarden: plugin },
  rules: recommendedRules(JS_RULE_PREFIX),
};

export default plugin;
