import { defineRule } from '../src/analysis/rule.js';
import { ENGINE_RULES } from '../src/analysis/engine.js';

/** Reported by the engine while it applies directives; this module carries its documentation. */
export default defineRule({
  meta: {
    id: ENGINE_RULES.unusedDirective,
    risk: 'low',
    severity: 'warning',
    tags: ['hygiene'],
    summary: 'A pgwarden-disable directive that suppresses no finding.',
    rationale: [
      'A suppression records a reviewed exception: “this statement is risky, and here is why it is acceptable”. ',
      'When the directive suppresses nothing (the statement was changed, the directive sits above the wrong ',
      'statement, or the rule never fired there), it documents an exception that does not exist, and it will ',
      'silently hide a real finding if the statement below it later becomes risky. pgwarden reports each rule a ',
      'directive names without suppressing anything, and a bare directive that suppressed nothing at all.',
    ].join('\n'),
    help: 'Remove the directive, or move it directly above the statement whose finding it is meant to suppress.',
    badExample: ['-- pgwarden-disable-next-statement no-drop-table -- reviewed', 'ALTER TABLE orders ADD COLUMN note text;'].join('\n'),
    safeRewrite: [
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN note text;',
      '-- pgwarden-disable-next-statement no-drop-table -- unused since release 41, backup in OPS-12',
      'DROP TABLE legacy_orders;',
    ].join('\n'),
  },
  create() {
    return {};
  },
});
