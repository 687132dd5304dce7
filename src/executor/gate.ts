import { isRiskAbove, type Risk } from '../analysis/risk.js';
import type { Migration, MigrationPart } from '../migrations/migration-set.js';
import type { Environment } from './environment.js';

/** `--accept-risk LEVEL --reason "…"`, with the operating user who gave it. */
export interface RiskOverride {
  level: Risk;
  reason: string;
  user: string;
}

export interface Verdict {
  migration: Migration;
  part: MigrationPart;
  risk: Risk;
  allowed: boolean;
  /** Let through only because of the override. */
  overridden: boolean;
  /** Why it was refused, or why an override let it through; empty when plainly within limits. */
  reason: string;
}

/**
 * The executor's gate: compares the analysis' risk with the environment's maxRisk. It never
 * computes risk itself. A part that does not parse is refused whatever the override: it cannot
 * be applied as written.
 */
export function judge(
  items: ReadonlyArray<{ migration: Migration; part: MigrationPart }>,
  environment: Environment,
  override?: RiskOverride,
): Verdict[] {
  return items.map(({ migration, part }) => {
    const risk = part.report.risk;
    const base = { migration, part, risk, overridden: false };
    const parseErrors = part.report.parseErrors.length;
    if (parseErrors) {
      return { ...base, allowed: false, reason: `${part.path} does not parse (${parseErrors} parse error${parseErrors > 1 ? 's' : ''}).` };
    }
    if (environment.requireRehearsal) {
      return {
        ...base,
        allowed: false,
        reason: `${environment.name} requires a rehearsal, and this version of pgwarden cannot rehearse yet.`,
      };
    }
    if (!isRiskAbove(risk, environment.maxRisk)) return { ...base, allowed: true, reason: '' };
    const above = `risk ${risk} is above ${environment.name}'s maxRisk ${environment.maxRisk}`;
    if (!override) return { ...base, allowed: false, reason: `${above}.` };
    if (!environment.allowOverride) {
      return { ...base, allowed: false, reason: `${above}, and ${environment.name} does not allow overrides (allowOverride).` };
    }
    if (isRiskAbove(risk, override.level)) {
      return { ...base, allowed: false, reason: `${above}, beyond --accept-risk ${override.level}.` };
    }
    return { ...base, allowed: true, overridden: true, reason: `${above}; accepted by ${override.user}: ${override.reason}` };
  });
}
