import type { Report } from './schema.js';

/**
 * GitHub Actions workflow commands, one annotation per finding and parse error, nothing else
 * (a summary line would show up in the log as noise). Suppressed findings are not annotated.
 */
export function formatGithub(report: Report): string {
  const out: string[] = [];
  for (const file of report.files) {
    for (const error of file.parseErrors) {
      out.push(command('error', { file: file.path, line: error.line, col: error.column, title: 'parse-error (risk high)' }, error.message));
    }
    for (const finding of file.findings) {
      // GitHub takes columns only for an annotation on one line.
      const columns: Record<string, number> = finding.line === finding.endLine ? { col: finding.column, endColumn: finding.endColumn } : {};
      const properties = {
        file: file.path,
        line: finding.line,
        endLine: finding.endLine,
        ...columns,
        title: `${finding.ruleId} (risk ${finding.risk}${finding.source === 'trace' ? ', rehearsal' : ''})`,
      };
      const message = finding.help ? `${finding.message} — ${finding.help}` : finding.message;
      out.push(command(finding.severity, properties, message));
    }
  }
  return out.map((line) => line + '\n').join('');
}

function command(name: 'error' | 'warning', properties: Record<string, string | number>, message: string): string {
  const props = Object.entries(properties)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${name} ${props}::${escapeData(message)}`;
}

/** The escaping of @actions/core's `toCommandValue` for a command's message. */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value also must not contain the `:` and `,` that delimit properties. */
export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
