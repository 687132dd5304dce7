import type { FileAnalysis } from '../analysis/engine.js';
import type { Finding, Fix } from '../analysis/finding.js';
import { maxRisk, type Risk } from '../analysis/risk.js';
import type { MigrationInfo } from '../migrations/types.js';
import type { SourceFile } from '../sql/source.js';
import { TOOL_VERSION } from '../version.js';
import type { FileReport, FindingReport, FixReport, Report } from './schema.js';

export function findingReport(finding: Finding, source: SourceFile): FindingReport {
  const start = source.positionAt(finding.start);
  const end = source.positionAt(Math.max(finding.end, finding.start));
  return {
    ruleId: finding.ruleId,
    risk: finding.risk,
    severity: finding.severity,
    message: finding.message,
    help: finding.help,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    lock: finding.lock ?? null,
    tags: finding.tags,
    ...(finding.source ? { source: finding.source } : {}),
    ...(finding.fix ? { fix: fixReport(finding.fix, source) } : {}),
  };
}

export function fixReport(fix: Fix, source: SourceFile): FixReport {
  return {
    description: fix.description,
    edits: fix.edits.map((edit) => {
      const start = source.positionAt(edit.start);
      const end = source.positionAt(edit.end);
      return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column, start: edit.start, end: edit.end, text: edit.text };
    }),
    ...(fix.followUp ? { followUp: { ...fix.followUp } } : {}),
  };
}

export function fileReport(path: string, analysis: FileAnalysis, migration: MigrationInfo | undefined): FileReport {
  const source = analysis.source;
  return {
    path,
    migration: migration ? { id: migration.id, direction: migration.direction, rollback: migration.rollback } : null,
    risk: analysis.risk,
    declaredRisk: analysis.declaredRisk,
    parseErrors: analysis.parseErrors.map((error) => ({ message: error.message, ...source.positionAt(error.index) })),
    findings: analysis.findings.map((f) => findingReport(f, source)),
    // A suppressed finding is not to be fixed.
    suppressed: analysis.suppressed.map(({ fix: _fix, ...f }) => ({
      ...findingReport(f, source),
      suppression: { kind: 'directive' as const, reason: f.suppressed!.reason, ...source.positionAt(f.suppressed!.start) },
    })),
  };
}

/** A file that could not be read at all still appears, at high risk, with the reason. */
export function unreadableFileReport(path: string, message: string): FileReport {
  return {
    path,
    migration: null,
    risk: 'high',
    declaredRisk: null,
    parseErrors: [{ message, line: 1, column: 1 }],
    findings: [],
    suppressed: [],
  };
}

export function buildReport(files: FileReport[], postgresVersion: number): Report {
  let risk: Risk = 'low';
  let findings = 0;
  let parseErrors = 0;
  for (const file of files) {
    risk = maxRisk(risk, file.risk);
    findings += file.findings.length;
    parseErrors += file.parseErrors.length;
  }
  return {
    version: 1,
    tool: { name: 'pgwarden', version: TOOL_VERSION },
    postgresVersion,
    files,
    summary: { files: files.length, findings, parseErrors, risk },
  };
}
