/**
 * `pgwarden/eslint`: the ESLint plugin. ESLint's parse() is synchronous, so the SQL parser
 * (WebAssembly) is loaded here, once, before the plugin is handed out.
 */
import { loadParser } from '../sql/parser.js';
import plugin from './plugin.js';

await loadParser();

export default plugin;
export { JS_MIGRATION_FILES, recommendedRules, type PgwardenPlugin } from './plugin.js';
export {
  embeddedFindingSource,
  JS_LANGUAGE,
  JS_RULE_PREFIX,
  JS_SETTINGS_KEY,
  jsParseErrorRule,
  jsRules,
  type JsRuleDefinition,
} from './js-rules.js';
export { SqlLanguage, type SqlLanguageTypes } from './language.js';
export { SqlSourceCode } from './source-code.js';
export type { SqlLanguageOptions, SqlFileAnalysis, FindingData, ParseErrorData } from './analysis.js';
export type { MigrationNode, StatementNode, CommentNode, SqlNode } from './ast.js';
export {
  findingRule,
  findingRules,
  reportFinding,
  ruleDocsUrl,
  type FindingSource,
  type FindingRuleContext,
  type FindingRuleDefinition,
  type LocatedFinding,
} from './rules.js';
export type { FindingEdits, FindingSuggestion, TextEdit } from './edits.js';
export { PARSE_ERROR_RULE, SQL_LANGUAGE, sqlFindingSource } from './sql-rules.js';
