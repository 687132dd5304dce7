import type { ConfigObject, Plugin, RulesConfig } from '@eslint/core';
import { allRules } from '../../rules/index.js';
import { defaultSeverity } from '../analysis/rule.js';
import { loadParser } from '../sql/parser.js';
import { TOOL_VERSION } from '../version.js';
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
  rules: Record<string, SqlRuleDefinition>;
  configs: { recommended: ConfigObject };
}

/** Every rule that is not opt-in, at its default severity, and parse errors as errors. */
export function recommendedRules(): RulesConfig {
  const rules: RulesConfig = {};
  for (const { meta } of allRules) {
    if (!meta.optIn) rules[`pgwarden/${meta.id}`] = defaultSeverity(meta) === 'error' ? 'error' : 'warn';
  }
  rules[`pgwarden/${PARSE_ERROR_RULE}`] = 'error';
  return rules;
}

const plugin: PgwardenPlugin = {
  meta: { name: 'pgwarden', version: TOOL_VERSION, namespace: 'pgwarden' },
  languages: { sql: new SqlLanguage() },
  rules: sqlRules(),
  configs: { recommended: {} },
};

plugin.configs.recommended = {
  name: 'pgwarden/recommended',
  files: ['**/*.sql'],
  plugins: { pgwarden: plugin },
  language: 'pgwarden/sql',
  rules: recommendedRules(),
};

export default plugin;
