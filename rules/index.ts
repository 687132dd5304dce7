import type { Rule } from '../src/analysis/rule.js';
import noDropTable from './no-drop-table.js';
import requireConcurrentIndex from './require-concurrent-index.js';
// batch A imports
// batch B imports

/** Every rule pgwarden ships, in documentation order. */
export const allRules: readonly Rule[] = [
  noDropTable,
  requireConcurrentIndex,
  // batch A rules
  // batch B rules
];

export function findRule(id: string): Rule | undefined {
  return allRules.find((rule) => rule.meta.id === id);
}
