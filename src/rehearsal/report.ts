import type { ExternalFinding } from '../analysis/engine.js';
import { lockEffect } from '../analysis/locks.js';
import type { LintSettings } from '../lint-settings.js';
import type { MigrationPart } from '../migrations/migration-set.js';
import { buildReport } from '../report/build.js';
import type { FileReport, RehearsalPartSummary, RehearsalSummary, Report } from '../report/schema.js';
import { allRules } from '../../rules/index.js';
import { analysePart } from './analysis.js';
import { label, traceFindings } from './findings.js';
import { transactionControl } from '../analysis/transactions.js';
import type { Rehearsal } from './rehearse.js';
import type { PartTrace } from './trace.js';

const TRACE_RULES = allRules.filter((rule) => rule.meta.source === 'trace');

/** A rehearsal with its findings, ready to report or to judge. */
export interface RehearsalOutcome {
  rehearsal: Rehearsal;
  findings: Map<MigrationPart, ExternalFinding[]>;
  /**
   * Each rehearsed part's report with the static findings and the trace findings together (the
   * rules' own analysis, directives applied): what `lint --rehearse` prints and the executor judges.
   */
  merged: Map<MigrationPart, FileReport>;
}

export function outcomeOf(rehearsal: Rehearsal, settings: LintSettings): RehearsalOutcome {
  const findings = traceFindings(rehearsal, settings);
  const merged = new Map<MigrationPart, FileReport>();
  for (const part of rehearsedParts(rehearsal)) {
    const external = findings.get(part);
    merged.set(part, external ? analysePart(part, settings, { external }).report : part.report);
  }
  return { rehearsal, findings, merged };
}

/** `pgwarden rehearse`: every rehearsed part with its trace findings only, and what the rehearsal saw. */
export function rehearsalReport(outcome: RehearsalOutcome, settings: LintSettings): Report {
  const files: FileReport[] = [];
  for (const part of rehearsedParts(outcome.rehearsal)) {
    const external = outcome.findings.get(part);
    if (external) {
      files.push(analysePart(part, settings, { rules: TRACE_RULES, external }).report);
      continue;
    }
    const { report } = part;
    files.push({ ...report, risk: report.parseErrors.length ? 'high' : 'low', findings: [], suppressed: [] });
  }
  return { ...buildReport(files, settings.postgresVersion), rehearsal: summarize(outcome.rehearsal) };
}

/** `lint --rehearse`: the lint report with each rehearsed part's report replaced by its merged one. */
export function mergeIntoReport(report: Report, outcome: RehearsalOutcome): Report {
  const byKey = new Map<string, FileReport>();
  for (const [part, merged] of outcome.merged) byKey.set(`${part.direction}:${part.path}`, merged);
  const files = report.files.map((file) => byKey.get(`${file.migration?.direction ?? 'up'}:${file.path}`) ?? file);
  return { ...buildReport(files, report.postgresVersion), rehearsal: summarize(outcome.rehearsal) };
}

function rehearsedParts(rehearsal: Rehearsal): MigrationPart[] {
  const parts: MigrationPart[] = [];
  for (const result of rehearsal.migrations) {
    if (result.status === 'failed') parts.push(result.migration.up);
    if (result.status !== 'rehearsed') continue;
    parts.push(result.migration.up);
    if (result.down) parts.push(result.down.part);
  }
  return parts;
}

const ms = (value: number) => Math.round(value * 10) / 10;

export function summarize(rehearsal: Rehearsal): RehearsalSummary {
  return {
    database: rehearsal.database,
    serverVersion: rehearsal.server.text,
    durationMs: ms(rehearsal.durationMs),
    seed: rehearsal.seed?.path ?? null,
    migrations: rehearsal.migrations.map((result) => ({
      id: result.migration.id,
      status: result.status,
      rollback: result.rollback.status,
      note: result.note ?? result.rollback.note ?? null,
      durationMs: ms(result.durationMs),
      up: result.up ? partSummary(result.up) : null,
      down: result.down ? partSummary(result.down) : null,
    })),
  };
}

function partSummary(trace: PartTrace): RehearsalPartSummary {
  const byNumber = new Map(trace.statements.map((s) => [s.number, s]));
  return {
    path: trace.part.path,
    direction: trace.part.direction,
    transactional: trace.transactional,
    statements: trace.statements.length,
    unobserved: trace.statements.filter((s) => !s.observed && s !== trace.failure?.statement && !transactionControl(s.statement)).length,
    durationMs: ms(trace.durationMs),
    locks: trace.spans.map((span) => ({
      statement: span.takenBy,
      line: byNumber.get(span.takenBy)?.line ?? 1,
      sql: label(trace.part, byNumber.get(span.takenBy)!.statement),
      relation: span.relation.name,
      relationKind: span.relation.kind,
      mode: span.mode,
      blocks: lockEffect(span.mode),
      heldUntil: span.release.kind,
      releasedBy: span.release.kind === 'transaction-control' ? span.release.statement : null,
      heldMs: ms(span.heldMs),
    })),
    rewrites: trace.statements.flatMap((s) =>
      s.rewritten.map((relation) => ({ statement: s.number, line: s.line, relation: relation.name, relationKind: relation.kind })),
    ),
    failed: trace.failure
      ? { statement: trace.failure.statement.number, line: trace.failure.statement.line, error: trace.failure.error.message }
      : null,
  };
}
