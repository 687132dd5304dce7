import type { Finding } from '../analysis/finding.js';
import { riskRank, shiftRisk } from '../analysis/risk.js';
import { relationKey, type SchemaModel } from '../analysis/schema.js';
import { LOCK_MODES } from '../analysis/locks.js';
import { statementLocks, type LockedRelation } from '../analysis/statement-locks.js';
import type { Statement } from '../sql/parser.js';
import type { RelationStats, StatsSnapshot } from './schema.js';

/** Below this many rows a table is small: its locking findings move one level down. */
export const SMALL_TABLE_ROWS = 10_000;
/** Above this many rows a table is large: its locking findings move one level up. */
export const LARGE_TABLE_ROWS = 1_000_000;

/** Tags whose findings are about a lock only when the finding names one. */
const LOCK_DEPENDENT_TAGS = new Set(['rewrite', 'index', 'constraint']);

/** Relations by key (`relationKey`: `name` in public, `schema.name` elsewhere), built once per snapshot. */
const lookups = new WeakMap<StatsSnapshot, Map<string, RelationStats>>();

function lookupOf(stats: StatsSnapshot): Map<string, RelationStats> {
  let lookup = lookups.get(stats);
  if (!lookup) {
    lookup = new Map(stats.relations.map((r) => [relationKey({ schemaname: r.schema, relname: r.name }), r]));
    lookups.set(stats, lookup);
  }
  return lookup;
}

/** Whether table size may move the finding: locking findings, and rewrite/index/constraint ones that take a lock. */
export function sizeSensitive(finding: Pick<Finding, 'tags' | 'lock'>): boolean {
  return finding.tags.includes('locking') || (finding.lock !== undefined && finding.tags.some((t) => LOCK_DEPENDENT_TAGS.has(t)));
}

/** The relation a statement locks most strongly (tables before indexes at the same mode; the first listed on a tie). */
export function strongestLockedRelation(
  statement: Statement,
  options: { postgresVersion: number; schema?: SchemaModel },
): LockedRelation | undefined {
  let best: { relation: LockedRelation; rank: number } | undefined;
  for (const lock of statementLocks(statement, options)) {
    // An index is never in a snapshot: rank it below any table lock.
    const rank = LOCK_MODES.indexOf(lock.mode) * 2 + (lock.index ? 0 : 1);
    if (!best || rank > best.rank) best = { relation: lock.relation, rank };
  }
  return best?.relation;
}

export interface SizeContext {
  stats: StatsSnapshot;
  /** Statements by index (`Finding.statementIndex`). */
  statements: readonly Statement[];
  postgresVersion: number;
  schema?: SchemaModel;
}

/**
 * Moves size-sensitive findings by the size of their relation: one level down under
 * SMALL_TABLE_ROWS rows, one level up over LARGE_TABLE_ROWS. Data-loss findings never move down;
 * relations missing from the snapshot, or never analysed, do not move. A moved finding's message
 * says which size moved it. Findings without a relation get the one their statement locks most.
 */
export function applyTableSizes(findings: readonly Finding[], context: SizeContext): void {
  const lookup = lookupOf(context.stats);
  const relations = new Map<number, LockedRelation | undefined>();
  for (const finding of findings) {
    if (!sizeSensitive(finding)) continue;
    if (!finding.relation && finding.statementIndex !== undefined) {
      const index = finding.statementIndex;
      if (!relations.has(index)) {
        const statement = context.statements[index];
        relations.set(index, statement ? strongestLockedRelation(statement, context) : undefined);
      }
      const relation = relations.get(index);
      if (relation) finding.relation = relation;
    }
    if (!finding.relation) continue;
    const stats = lookup.get(relationKey(finding.relation));
    if (!stats || stats.rows === null) continue;
    const by = stats.rows < SMALL_TABLE_ROWS ? -1 : stats.rows > LARGE_TABLE_ROWS ? 1 : 0;
    if (by === 0 || (by < 0 && finding.tags.includes('data-loss'))) continue;
    const moved = shiftRisk(finding.risk, by);
    if (riskRank(moved) === riskRank(finding.risk)) continue;
    finding.risk = moved;
    finding.message += ` (${relationKey(finding.relation)}: ~${formatRows(stats.rows)} rows per stats of ${context.stats.capturedAt.slice(0, 10)})`;
  }
}

/** 950, 12k, 2.4M, 1.2B: two significant digits at most. */
export function formatRows(rows: number): string {
  const units: Array<[number, string]> = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of units) {
    if (rows >= size) {
      const value = rows / size;
      return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10}${suffix}`;
    }
  }
  return String(Math.round(rows));
}
