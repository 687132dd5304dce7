import type { FileReport } from '../report/schema.js';
import type { Position, SourceFile } from '../sql/source.js';
import type { VirtualSql } from './virtual.js';

/**
 * Moves a report's positions from the virtual SQL it was computed on to the TS/JS file. A line
 * and column in the virtual text stand for one index there, which maps to a file index, which
 * gives the file's line and column (UTF-16, like every report position). Fixes are left out.
 */
export function remapReport(report: FileReport, analysed: SourceFile, virtual: VirtualSql, file: SourceFile): FileReport {
  const indexOf = (line: number, column: number) => (analysed.lineStarts[line - 1] ?? analysed.text.length) + column - 1;
  const at = (line: number, column: number): Position => file.positionAt(virtual.fileStart(indexOf(line, column)));
  const range = <T extends { line: number; column: number; endLine: number; endColumn: number }>(item: T): T => {
    const start = indexOf(item.line, item.column);
    const end = indexOf(item.endLine, item.endColumn);
    const fileStart = virtual.fileStart(start);
    const fileEnd = end > start ? Math.max(virtual.fileEnd(end), fileStart) : fileStart;
    const from = file.positionAt(fileStart);
    const to = file.positionAt(fileEnd);
    return { ...item, line: from.line, column: from.column, endLine: to.line, endColumn: to.column };
  };
  return {
    ...report,
    parseErrors: report.parseErrors.map((error) => ({ ...error, ...at(error.line, error.column) })),
    // Edits of the virtual SQL are not edits of the TS/JS source (quoting, escapes, interpolations).
    findings: report.findings.map(({ fix: _fix, ...finding }) => range(finding)),
    suppressed: report.suppressed.map((finding) => ({
      ...range(finding),
      suppression: { ...finding.suppression, ...at(finding.suppression.line, finding.suppression.column) },
    })),
  };
}
