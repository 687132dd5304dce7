import type { Finding } from '../analysis/finding.js';
import { LOCK_MODES, strongerLock, type LockMode } from '../analysis/locks.js';
import { SchemaModel } from '../analysis/schema.js';
import { statementLocks, type LockedRelation } from '../analysis/statement-locks.js';
import type { LintSettings } from '../lint-settings.js';
import { allRules } from '../../rules/index.js';
import { analysePart } from './analysis.js';
import type { RelationInfo } from './observe.js';
import type { Rehearsal } from './rehearse.js';
import type { PartTrace, TracedStatement } from './trace.js';

/** What the static analysis says about a traced part, for the rehearsal server's version. */
export class Predictions {
  private staticFindings: Finding[] | undefined;
  private informedFindings: Finding[] | undefined;
  private names: Map<number, ReadonlyMap<number, { schema: string; relname: string } | null>> | undefined;
  /** Locks taken before each statement in its transaction: (statement number) → "oid:mode". */
  private readonly heldBefore = new Map<number, Set<string>>();

  constructor(
    private readonly trace: PartTrace,
    private readonly settings: LintSettings,
    private readonly version: number,
    /** The schema the earlier migrations built, for a second opinion with column types known. */
    private readonly history: () => SchemaModel,
  ) {
    const held = new Map<number, Set<string>>();
    for (const traced of trace.statements) {
      if (traced.transaction === undefined) continue;
      const set = held.get(traced.transaction) ?? new Set<string>();
      held.set(traced.transaction, set);
      this.heldBefore.set(traced.number, new Set(set));
      for (const lock of traced.locks) set.add(`${lock.relation.oid}:${lock.mode}`);
    }
  }

  /**
   * Rules whose finding on this statement predicts a table rewrite (tagged rewrite, at `risk`:
   * high for a rewrite, medium where the rule cannot tell). `informed`: analysed with the schema
   * the earlier migrations built, so that column types are known (a "may rewrite" from a file read
   * alone is not a prediction to hold against PostgreSQL).
   */
  rewriteRules(traced: TracedStatement, risk: 'high' | 'medium' = 'high', informed = false): string[] {
    const rules = (informed ? this.informed() : this.findings())
      .filter((f) => f.tags.includes('rewrite') && f.risk === risk && this.topLevelIndex(f) === traced.statement.index)
      .map((f) => f.ruleId);
    return [...new Set(rules)];
  }

  /** The strongest lock the statement is predicted to take on `relation`. */
  lockOn(traced: TracedStatement, relation: RelationInfo): LockMode | undefined {
    let mode: LockMode | undefined;
    for (const lock of statementLocks(traced.statement, { postgresVersion: this.version })) {
      if (this.resolve(lock.relation, traced) === relation) mode = strongerLock(mode, lock.mode);
    }
    return mode;
  }

  /** Predicted locks on pre-existing relations that the observation contradicts. */
  lockMismatches(traced: TracedStatement): Array<{ relation: RelationInfo; predicted: LockMode; observed: LockMode | undefined }> {
    const mismatches: Array<{ relation: RelationInfo; predicted: LockMode; observed: LockMode | undefined }> = [];
    const held = this.heldBefore.get(traced.number) ?? new Set<string>();
    const predicted = new Map<RelationInfo, LockMode>();
    for (const lock of statementLocks(traced.statement, { postgresVersion: this.version })) {
      const relation = this.resolve(lock.relation, traced);
      if (relation) predicted.set(relation, strongerLock(predicted.get(relation), lock.mode)!);
    }
    for (const [relation, mode] of predicted) {
      // Already held from an earlier statement: taking it again adds no row to pg_locks, nothing to compare.
      if (held.has(`${relation.oid}:${mode}`)) continue;
      let observed: LockMode | undefined;
      for (const lock of traced.locks) if (lock.relation === relation) observed = strongerLock(observed, lock.mode);
      if (observed === mode) continue;
      if (!observed && [...held].some((key) => key.startsWith(`${relation.oid}:`) && rank(key.split(':')[1]!) >= rank(mode))) continue;
      mismatches.push({ relation, predicted: mode, observed });
    }
    return mismatches;
  }

  /** The names of the pre-existing relations just before a statement ran, by oid (null: dropped). */
  private namesBefore(traced: TracedStatement): ReadonlyMap<number, { schema: string; relname: string } | null> {
    if (!this.names) {
      this.names = new Map();
      const current = new Map<number, { schema: string; relname: string } | null>();
      for (const relation of this.trace.preexisting.values()) current.set(relation.oid, relation);
      let snapshot = new Map(current);
      for (const statement of this.trace.statements) {
        this.names.set(statement.number, snapshot);
        let changed = false;
        for (const [oid, now] of statement.names) {
          const before = current.get(oid);
          if (before?.relname === now?.relname && before?.schema === now?.schema) continue;
          current.set(oid, now);
          changed = true;
        }
        if (changed) snapshot = new Map(current);
      }
    }
    return this.names.get(traced.number) ?? new Map();
  }

  private findings(): Finding[] {
    this.staticFindings ??= this.predict();
    return this.staticFindings;
  }

  private informed(): Finding[] {
    this.informedFindings ??= this.predict(this.history());
    return this.informedFindings;
  }

  private predict(schema?: SchemaModel): Finding[] {
    const rules = allRules.filter((rule) => rule.meta.source !== 'trace');
    const severities = new Map(rules.map((rule) => [rule.meta.id, 'error' as const]));
    const { analysis } = analysePart(this.trace.part, this.settings, {
      rules,
      severities,
      postgresVersion: this.version,
      ...(schema ? { schema } : {}),
    });
    // A suppressed finding is still a prediction.
    return [...analysis.findings, ...analysis.suppressed];
  }

  private topLevelIndex(finding: Finding): number | undefined {
    if (finding.statementIndex === undefined) return undefined;
    const statement = this.trace.part.analysis.statements.find((s) => s.index === finding.statementIndex);
    return (statement?.parent ?? statement)?.index;
  }

  /**
   * The pre-existing relation a name in the statement's SQL points at when it runs (unqualified
   * names: public first). Names follow the renames and drops observed before the statement, so a
   * table renamed away and replaced by a new one under its name is not confused with it.
   */
  private resolve(name: LockedRelation, traced: TracedStatement): RelationInfo | undefined {
    const current = this.namesBefore(traced);
    let fallback: RelationInfo | undefined;
    for (const [oid, now] of current) {
      if (!now || now.relname !== name.relname) continue;
      const relation = this.trace.preexisting.get(oid)!;
      if (name.schemaname) {
        if (now.schema === name.schemaname) return relation;
      } else if (now.schema === 'public') {
        return relation;
      } else {
        fallback ??= relation;
      }
    }
    return name.schemaname ? undefined : fallback;
  }
}


/**
 * The schema model after the up parts of the migrations before `index` (and of `index` itself,
 * for its down part), replayed from their statements as the analysis reads them.
 */
export function replayedSchema(rehearsal: Rehearsal, index: number, includeUp: boolean): SchemaModel {
  const schema = new SchemaModel();
  for (const result of rehearsal.migrations.slice(0, includeUp ? index + 1 : index)) {
    schema.setMigration(result.migration.id);
    for (const statement of result.migration.up.analysis.statements) schema.apply(statement);
  }
  return schema;
}

function rank(pgMode: string): number {
  return LOCK_MODES.indexOf(pgMode as LockMode);
}
