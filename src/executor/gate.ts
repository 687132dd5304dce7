import { isRiskAbove, type Risk } from '../analysis/risk.js';
import type { Migration, MigrationPart } from '../migrations/migration-set.js';
import type { FileReport } from '../report/schema.js';
import type { Environment } from './environment.js';

/** `--accept-risk LEVEL --reason "…"`, with the operating user who gave it. */
export interface RiskOverride {
  level: Risk;
  reason: string;
  user: string;
}

/** What a rehearsal of the migrations to run found (src/rehearsal/), as the gate needs it. */
export interface RehearsalJudgement {
  /** Why no rehearsal could be made at all (the scratch database could not be opened…). */
  failure?: string;
  /** Each rehearsed part's report: its static findings and what the rehearsal observed, together. */
  reports: ReadonlyMap<MigrationPart, FileReport>;
  /** Parts the rehearsal could not run through, with why: their migration failed or was not reached. */
  failed: ReadonlyMap<MigrationPart, string>;
}

export interface Verdict {
  migration: Migration;
  part: MigrationPart;
  /** The report judged: the part's own, or with the rehearsal's findings merged in. */
  report: FileReport;
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
 * be applied as written. With `requireRehearsal` the risk judged is the rehearsed one (static and
 * observed findings together), and a part the rehearsal could not run through is refused whatever
 * the override, as is every part when no rehearsal was made.
 */
export function judge(
  items: ReadonlyArray<{ migration: Migration; part: MigrationPart }>,
  environment: Environment,
  override?: RiskOverride,
  rehearsal?: RehearsalJudgement,
): Verdict[] {
  return items.map(({ migration, part }) => {
    const report = (environment.requireRehearsal ? rehearsal?.reports.get(part) : undefined) ?? part.report;
    const risk = report.risk;
    const base = { migration, part, report, risk, overridden: false };
    const parseErrors = part.report.parseErrors.length;
    if (parseErrors) {
      return { ...base, allowed: false, reason: `${part.path} does not parse (${parseErrors} parse error${parseErrors > 1 ? 's' : ''}).` };
    }
    if (environment.requireRehearsal) {
      const problem = !rehearsal
        ? 'no rehearsal was run'
        : rehearsal.failure
          ? `the rehearsal could not run: ${rehearsal.failure}`
          : rehearsal.failed.get(part);
      if (problem) return { ...base, allowed: false, reason: `${environment.name} requires a rehearsal, and ${problem}.` };
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
