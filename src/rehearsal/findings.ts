import type { ExternalFinding } from '../analysis/engine.js';
import type { Finding } from '../analysis/finding.js';
import { blocksTraffic, describeLockEffect, LOCK_MODES, strongerLock, type LockMode } from '../analysis/locks.js';
import { statementLocks, type LockedRelation } from '../analysis/statement-locks.js';
import { SchemaModel } from '../analysis/schema.js';
import { DatabaseError } from '../executor/db/types.js';
import type { LintSettings } from '../lint-settings.js';
import type { MigrationPart } from '../migrations/migration-set.js';
import type { Statement } from '../sql/parser.js';
import { allRules } from '../../rules/index.js';
import { analysePart } from './analysis.js';
import { describeDifference } from './catalog.js';
import { QUERYABLE, REWRITABLE, type RelationInfo } from './observe.js';
import type { MigrationRehearsal, Rehearsal } from './rehearse.js';
import type { LockRelease, LockSpan, PartTrace, TracedStatement } from './trace.js';

export const TRACE_RULES = {
  migrationFailed: 'migration-failed',
  rollbackFailed: 'rollback-failed',
  rollbackMismatch: 'rollback-mismatch',
  observedRewrite: 'observed-rewrite',
  observedBlockingLock: 'observed-blocking-lock',
  contradiction: 'trace-contradicts-prediction',
} as const;

/** Statements whose new files are the point, not a rewrite: emptying a table, refreshing a view. */
const NOT_A_REWRITE = new Set(['TruncateStmt', 'RefreshMatViewStmt']);

/**
 * The findings a rehearsal makes, per migration part, in the part's file coordinates. `settings`
 * are the lint settings: the static predictions the trace is compared with are made with them,
 * every rule on, for the rehearsal server's version.
 */
export function traceFindings(rehearsal: Rehearsal, settings: LintSettings): Map<MigrationPart, ExternalFinding[]> {
  const byPart = new Map<MigrationPart, ExternalFinding[]>();
  const add = (part: MigrationPart, finding: Omit<ExternalFinding, 'source'>) => {
    let list = byPart.get(part);
    if (!list) byPart.set(part, (list = []));
    list.push({ ...finding, source: 'trace' });
  };
  const server = `PostgreSQL ${rehearsal.server.text}`;
  for (const [index, result] of rehearsal.migrations.entries()) {
    if (result.status === 'failed') {
      migrationFailed(result, rehearsal, add);
      continue;
    }
    if (result.status !== 'rehearsed') continue;
    for (const trace of [result.up, result.down]) {
      if (!trace || trace.failure) continue;
      const history = () => replayedSchema(rehearsal, index, trace.part.direction === 'down');
      const predictions = new Predictions(trace, settings, rehearsal.server.major, history);
      observedRewrites(trace, add);
      blockingLocks(trace, predictions, add);
      contradictions(trace, predictions, server, add);
    }
    rollbackFindings(result, add);
  }
  return byPart;
}

type Add = (part: MigrationPart, finding: Omit<ExternalFinding, 'source'>) => void;

function migrationFailed(result: MigrationRehearsal, rehearsal: Rehearsal, add: Add): void {
  const part = result.migration.up;
  const failure = result.up?.failure;
  const after = 'The migrations after it were not rehearsed.';
  if (!failure) {
    // It does not parse: the parse error is where it fails.
    const error = part.analysis.parseErrors[0];
    const at = error?.index ?? 0;
    add(part, { ruleId: TRACE_RULES.migrationFailed, message: `${result.note ?? `${part.path} could not be rehearsed`}. ${after}`, start: at, end: at });
    return;
  }
  const { statement } = failure.statement;
  const pglite = rehearsal.database.startsWith('pglite:') && statement.type === 'CreateExtensionStmt';
  const hint = pglite ? ' PGlite does not ship this extension: rehearse on your own server with --database postgres://….' : '';
  add(part, {
    ruleId: TRACE_RULES.migrationFailed,
    message: `On ${rehearsal.database.startsWith('pglite:') ? 'PGlite' : 'the server'} (PostgreSQL ${rehearsal.server.text}) this statement fails: ${errorText(failure.error)}.${hint} ${after}`,
    ...errorRange(part, statement, failure.error),
    ...(failure.error instanceof DatabaseError && failure.error.hint ? { help: failure.error.hint } : {}),
  });
}

function rollbackFindings(result: MigrationRehearsal, add: Add): void {
  const down = result.migration.down;
  if (!down) return;
  const failure = result.down?.failure;
  if (failure && result.rollback.status === 'failed') {
    add(down, {
      ruleId: TRACE_RULES.rollbackFailed,
      message: `Run right after ${result.migration.up.path}, this statement of the down migration fails: ${errorText(failure.error)}.`,
      ...errorRange(down, failure.statement.statement, failure.error),
      ...(failure.error instanceof DatabaseError && failure.error.hint ? { help: failure.error.hint } : {}),
    });
  }
  if (result.rollback.status !== 'mismatch') return;
  const first = down.analysis.statements.find((s) => !s.parent);
  const parts: string[] = [];
  const differences = result.rollback.differences.map(describeDifference);
  if (differences.length) {
    parts.push(`After this down migration the schema is not what it was before ${result.migration.up.path}: ${differences.join('; ')}.`);
  }
  if (result.rollback.reapplyError) {
    parts.push(`${differences.length ? 'Applying' : `After this down migration, applying`} the up migration again fails: ${errorText(result.rollback.reapplyError)}.`);
  }
  add(down, { ruleId: TRACE_RULES.rollbackMismatch, message: parts.join(' '), start: first?.start ?? 0, end: first?.end ?? 0 });
}

function observedRewrites(trace: PartTrace, add: Add): void {
  for (const traced of trace.statements) {
    if (NOT_A_REWRITE.has(traced.statement.type)) continue;
    const tables = rewrittenTables(traced);
    if (!tables.length) continue;
    const names = tables.map((t) => t.name).join(', ');
    add(trace.part, {
      ruleId: TRACE_RULES.observedRewrite,
      message: `The rehearsal saw this statement rewrite ${names} (new files for the table and its indexes) under an ACCESS EXCLUSIVE lock: reads and writes of ${names} wait while every row is copied.`,
      start: traced.statement.start,
      end: traced.statement.end,
    });
  }
}

function rewrittenTables(traced: TracedStatement): RelationInfo[] {
  return traced.rewritten.filter((relation) => REWRITABLE.has(relation.kind));
}

/**
 * One finding per transaction: the locks that block traffic on relations that existed before,
 * held while a later statement of the same transaction scans or rewrites a table. Reported at
 * the first statement whose lock is held that way.
 */
function blockingLocks(trace: PartTrace, predictions: Predictions, add: Add): void {
  const byStatement = new Map(trace.statements.map((s) => [s.number, s]));
  const spansByTransaction = new Map<number, LockSpan[]>();
  for (const span of trace.spans) {
    const transaction = byStatement.get(span.takenBy)?.transaction;
    if (transaction === undefined || !blocksTraffic(span.mode) || !QUERYABLE.has(span.relation.kind) || span.heldThrough <= span.takenBy) continue;
    const list = spansByTransaction.get(transaction) ?? [];
    list.push(span);
    spansByTransaction.set(transaction, list);
  }
  for (const spans of spansByTransaction.values()) {
    /** Per relation: the first blocking lock taken on it, and the strongest mode held. */
    const involved = new Map<number, { first: LockSpan; mode: LockMode }>();
    const slow: Array<{ traced: TracedStatement; tables: RelationInfo[]; rewrite: boolean }> = [];
    for (const traced of trace.statements) {
      if (!traced.observed || traced.transaction !== byStatement.get(spans[0]!.takenBy)?.transaction) continue;
      const rewritten = NOT_A_REWRITE.has(traced.statement.type) ? [] : rewrittenTables(traced);
      const tables = [...new Set([...rewritten, ...traced.scanned])];
      if (!tables.length) continue;
      const held = spans.filter((span) => {
        if (span.takenBy >= traced.number || span.heldThrough < traced.number) return false;
        // A statement that itself locks the relation at least as strongly blocks the same traffic anyway.
        const own = predictions.lockOn(traced, span.relation);
        return !own || strongerLock(own, span.mode) !== own;
      });
      if (!held.length) continue;
      slow.push({ traced, tables, rewrite: rewritten.length > 0 });
      for (const span of held) {
        const known = involved.get(span.relation.oid);
        if (!known) involved.set(span.relation.oid, { first: span, mode: span.mode });
        else known.mode = strongerLock(known.mode, span.mode)!;
      }
    }
    const first = slow[0];
    if (!first) continue;
    const locks = [...involved.values()].sort((a, b) => a.first.takenBy - b.first.takenBy);
    const strongest = locks.reduce<LockMode | undefined>((mode, lock) => strongerLock(mode, lock.mode), undefined)!;
    const taker = byStatement.get(locks[0]!.first.takenBy)!;
    const names = locks.map(({ first: span, mode }) => `${span.relation.name} (${mode}, from line ${byStatement.get(span.takenBy)!.line})`);
    const listed = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
    const action = `${first.rewrite ? 'rewrites' : 'scans'} ${first.tables.map((t) => t.name).join(', ')}`;
    const more = slow.length > 1 ? ` (and ${slow.length - 1} more slow statement${slow.length > 2 ? 's' : ''} after it)` : '';
    add(trace.part, {
      ruleId: TRACE_RULES.observedBlockingLock,
      message:
        `From this statement on, the transaction holds locks that block ${describeLockEffect(strongest).replace(/^blocks /, '')} on ${listed} ` +
        `${heldUntil(locks[0]!.first.release)}, while line ${first.traced.line} (${label(trace.part, first.traced.statement)}) ${action}${more}: ` +
        `queries on ${locks.length > 1 ? 'those relations' : locks[0]!.first.relation.name} wait for it, and that wait grows with the tables read.`,
      start: taker.statement.start,
      end: taker.statement.end,
      lock: strongest,
    });
  }
}

/**
 * Disagreements between the static predictions and the trace, one finding per kind of
 * disagreement and part (a migration that changes 80 columns the same way gets one finding,
 * at the first statement, listing the lines).
 */
function contradictions(trace: PartTrace, predictions: Predictions, server: string, add: Add): void {
  const groups = new Map<string, { statements: TracedStatement[]; describe: (where: string) => string; lock?: LockMode }>();
  const note = (key: string, traced: TracedStatement, describe: (where: string) => string, lock?: LockMode) => {
    const group = groups.get(key);
    if (group) group.statements.push(traced);
    else groups.set(key, { statements: [traced], describe, ...(lock ? { lock } : {}) });
  };
  for (const traced of trace.statements) {
    if (!traced.observed) continue;
    const rewritten = NOT_A_REWRITE.has(traced.statement.type) ? [] : rewrittenTables(traced);
    const predicted = predictions.rewriteRules(traced);
    if (rewritten.length && !predicted.length) {
      const unsure = predictions.rewriteRules(traced, 'medium');
      const names = rewritten.map((r) => r.name).join(', ');
      note(`unpredicted:${unsure.join(',')}:${names}`, traced, (where) =>
        unsure.length
          ? `${unsure.join(', ')} could not tell whether ${where} rewrite${where === 'this statement' ? 's' : ''} a table, and the rehearsal on ${server} saw ${names} rewritten.`
          : `No pgwarden rule predicted a rewrite for ${where}, but the rehearsal on ${server} saw ${names} rewritten.`,
      );
    } else if (!rewritten.length && predicted.length) {
      // Held against PostgreSQL only when the rule still predicts it knowing the earlier migrations.
      const firm = predictions.rewriteRules(traced, 'high', true);
      if (firm.length) {
        note(`overstated:${firm.join(',')}`, traced, (where) =>
          `${firm.join(', ')} predicted a rewrite for ${where}, but the rehearsal on ${server} saw no table rewritten: on this version that finding overstates the risk.`,
        );
      }
    }
    for (const mismatch of predictions.lockMismatches(traced)) {
      const seen = mismatch.observed ? `${mismatch.observed} (${describeLockEffect(mismatch.observed)})` : 'no lock';
      note(
        `lock:${mismatch.predicted}:${mismatch.observed ?? ''}:${mismatch.relation.oid}`,
        traced,
        (where) => `pgwarden predicted ${mismatch.predicted} on ${mismatch.relation.name} for ${where}; the rehearsal on ${server} saw ${seen}.`,
        mismatch.observed,
      );
    }
  }
  for (const group of groups.values()) {
    const first = group.statements[0]!;
    const where =
      group.statements.length === 1
        ? 'this statement'
        : `this statement and ${group.statements.length - 1} more like it (lines ${listLines(group.statements)})`;
    add(trace.part, {
      ruleId: TRACE_RULES.contradiction,
      message: group.describe(where),
      start: first.statement.start,
      end: first.statement.end,
      ...(group.lock ? { lock: group.lock } : {}),
    });
  }
}

/** What the static analysis says about a traced part, for the rehearsal server's version. */
class Predictions {
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
function replayedSchema(rehearsal: Rehearsal, index: number, includeUp: boolean): SchemaModel {
  const schema = new SchemaModel();
  for (const result of rehearsal.migrations.slice(0, includeUp ? index + 1 : index)) {
    schema.setMigration(result.migration.id);
    for (const statement of result.migration.up.analysis.statements) schema.apply(statement);
  }
  return schema;
}

function listLines(statements: readonly TracedStatement[]): string {
  const lines = statements.map((s) => s.line);
  return lines.length > 10 ? `${lines.slice(0, 10).join(', ')}, …` : lines.join(', ');
}

function rank(pgMode: string): number {
  return LOCK_MODES.indexOf(pgMode as LockMode);
}

function heldUntil(release: LockRelease): string {
  switch (release.kind) {
    case 'migration-end':
      return 'until the migration commits';
    case 'transaction-control':
      return `until the COMMIT or ROLLBACK (statement ${release.statement})`;
    default:
      return 'until the end of the statement';
  }
}

/** The start of a statement's first line, for messages: `UPDATE orders SET region = …`. */
export function label(part: MigrationPart, statement: Statement): string {
  const text = part.analysis.source.text.slice(statement.start, statement.end).replace(/\s+/g, ' ').trim();
  return text.length > 48 ? `${text.slice(0, 47)}…` : text;
}

function errorText(error: Error): string {
  if (!(error instanceof DatabaseError)) return error.message;
  const code = error.code ? ` (SQLSTATE ${error.code})` : '';
  const detail = error.detail ? `; ${error.detail.replace(/\.$/, '')}` : '';
  return `${error.message.replace(/\.$/, '')}${code}${detail}`;
}

/** The statement's range, starting at the error's position inside it when PostgreSQL gave one. */
function errorRange(part: MigrationPart, statement: Statement, error: Error): { start: number; end: number } {
  const position = error instanceof DatabaseError ? error.position : undefined;
  if (!position) return { start: statement.start, end: statement.end };
  const start = Math.min(part.analysis.source.codePointsToIndex(position - 1, statement.start), statement.end);
  return { start, end: statement.end };
}
