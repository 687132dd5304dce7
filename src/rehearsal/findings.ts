import type { ExternalFinding } from '../analysis/engine.js';
import { blocksTraffic, describeLockEffect, strongerLock, type LockMode } from '../analysis/locks.js';
import { DatabaseError } from '../executor/db/types.js';
import type { LintSettings } from '../lint-settings.js';
import type { MigrationPart } from '../migrations/migration-set.js';
import type { Statement } from '../sql/parser.js';
import { describeDifference } from './catalog.js';
import { QUERYABLE, REWRITABLE, type RelationInfo } from './observe.js';
import { Predictions, replayedSchema } from './predictions.js';
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

function listLines(statements: readonly TracedStatement[]): string {
  const lines = statements.map((s) => s.line);
  return lines.length > 10 ? `${lines.slice(0, 10).join(', ')}, …` : lines.join(', ');
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
