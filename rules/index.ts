import type { Rule } from '../src/analysis/rule.js';
import noDropTable from './no-drop-table.js';
import requireConcurrentIndex from './require-concurrent-index.js';

/** Every rule pgwarden ships, in documentation order. */
export const allRules: readonly Rule[] = [
  noDropTable,
  requireConcurrentIndex,
];

export function findRule(id: string): Rule | undefined {
  return allRules.find((rule) => rule.meta.id === id);
}
