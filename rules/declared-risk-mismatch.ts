import { defineRule } from '../src/analysis/rule.js';
import { ENGINE_RULES } from '../src/analysis/engine.js';

/** Reported by the engine after all other rules have run; this module carries its documentation. */
export default defineRule({
  meta: {
    id: ENGINE_RULES.declaredRisk,
    risk: 'low',
    severity: 'error',
    tags: ['process'],
    summary: 'The risk a migration declares in its header is lower than the risk pgwarden computes, or cannot be read.',
    rationale: [
      'Some teams write the risk of a migration into its header (`-- Risk Level: LOW`, or ',
      '`-- @metadata { "risk": "low" }`), and reviewers, dashboards and deploy tooling trust that label. A label ',
      'that understates the risk is worse than none: a migration that drops a table or blocks writes for minutes ',
      'goes through the light-touch process meant for safe changes.',
      '',
      'pgwarden computes the risk from the statements (the highest risk of its findings) and reports a header that ',
      'declares less, or one it cannot read (an unknown level, @metadata that is not a JSON object). Declaring more ',
      'than computed is fine. The finding is low risk itself, so it does not change the file’s risk, but its default ',
      'severity is error so that CI fails until the label is honest.',
    ].join('\n'),
    help: 'Fix the statements that raise the risk, or declare the computed risk in the header so reviewers see it.',
    badExample: ['-- Risk Level: LOW', 'DROP TABLE legacy_orders;'].join('\n'),
    safeRewrite: [
      '-- Risk Level: HIGH',
      '-- Drops legacy_orders (unused since release 41; backup taken in the deploy script).',
      "SET lock_timeout = '2s';",
      'DROP TABLE legacy_orders;',
    ].join('\n'),
  },
  create() {
    return {};
  },
});
