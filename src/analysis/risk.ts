export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type Risk = (typeof RISK_LEVELS)[number];

export function riskRank(risk: Risk): number {
  return RISK_LEVELS.indexOf(risk);
}

export function maxRisk(a: Risk, b: Risk): Risk {
  return riskRank(a) >= riskRank(b) ? a : b;
}

export function isRiskAbove(risk: Risk, limit: Risk): boolean {
  return riskRank(risk) > riskRank(limit);
}

/** One level up or down, clamped to the scale. */
export function shiftRisk(risk: Risk, by: -1 | 1): Risk {
  const rank = Math.min(Math.max(riskRank(risk) + by, 0), RISK_LEVELS.length - 1);
  return RISK_LEVELS[rank]!;
}

export function parseRisk(value: string): Risk | undefined {
  const lower = value.trim().toLowerCase();
  return (RISK_LEVELS as readonly string[]).includes(lower) ? (lower as Risk) : undefined;
}
