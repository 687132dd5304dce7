import { defineRule } from '../src/analysis/rule.js';
import { ENGINE_RULES } from '../src/analysis/engine.js';

/** Reported by the engine while it applies directives; this module carries its documentation. */
export default defineRule({
  meta: {
    id: ENGINE_RULES.invalidDirective,
    risk: 'low',
    severity: 'warning',
    tags: ['hygiene'],
    summary: 'A pgwarden-disable directive names a rule that does not exist.',
    rationale: [
      '`-- pgwarden-disable-next-statement rule-a, rule-b -- reason` and `-- pgwarden-disable rule-a -- reason` ',
      'suppress the named rules. A misspelled or removed rule id suppresses nothing, so the finding the author meant ',
      'to silence is still reported (or, worse, the author believes a reviewed exception is recorded when it is ',
      'not). pgwarden reports every unknown id so the directive can be corrected.',
    ].join('\n'),
    help: 'Use an id from `pgwarden explain` (the rule ids listed in the docs), or remove the directive.',
    badExample: ['-- pgwarden-disable-next-statement no-drop-tables -- archived in ticket OPS-12', 'DROP TABLE legacy_orders;'].join('\n'),
    safeRewrite: [
      "SET lock_timeout = '2s';",
      '-- pgwarden-disable-next-statement no-drop-table -- archived in ticket OPS-12',
      'DROP TABLE legacy_orders;',
    ].join('\n'),
  },
  create() {
    return {};
  },
});
