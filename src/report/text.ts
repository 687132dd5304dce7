import { createColors } from 'picocolors';
import type { Risk } from '../analysis/risk.js';
import { isRiskAbove } from '../analysis/risk.js';
import type { FileReport, Report } from './schema.js';
import { LINE_BREAK } from '../sql/source.js';

export interface TextOptions {
  color: boolean;
  /** Source text by report path, for the excerpt under each finding. */
  sources: ReadonlyMap<string, string>;
  maxRisk?: Risk;
}

type Colors = ReturnType<typeof createColors>;

const TAB = '    ';
const MAX_EXCERPT = 160;

/** The human format: one block per file with findings, an excerpt and caret per finding, a summary. */
export function formatText(report: Report, options: TextOptions): string {
  const c = createColors(options.color);
  const out: string[] = [];
  let errors = 0;
  let warnings = 0;
  let aboveLimit = 0;
  let fixable = 0;
  for (const file of report.files) {
    for (const finding of file.findings) {
      if (finding.severity === 'error') errors++;
      else warnings++;
      if (finding.fix) fixable++;
    }
    const exceeds = !!options.maxRisk && isRiskAbove(file.risk, options.maxRisk);
    if (exceeds) aboveLimit++;
    if (!file.findings.length && !file.parseErrors.length && !exceeds) continue;
    out.push(fileBlock(file, c, options, exceeds));
  }

  const parts: string[] = [];
  const findings = errors + warnings;
  parts.push(`${findings} ${plural(findings, 'finding')} (${errors} ${plural(errors, 'error')}, ${warnings} ${plural(warnings, 'warning')})`);
  if (report.summary.parseErrors) parts.push(`${report.summary.parseErrors} ${plural(report.summary.parseErrors, 'parse error')}`);
  const files = report.summary.files;
  let summary = `${parts.join(' and ')} in ${files} ${plural(files, 'file')} · highest risk: ${riskLabel(report.summary.risk, c)}`;
  if (options.maxRisk && aboveLimit) {
    summary += ` · ${aboveLimit} ${plural(aboveLimit, 'file')} above --max-risk ${options.maxRisk}`;
  }
  if (fixable) summary += ` · ${fixable} fixable with --fix`;
  const failed = errors > 0 || report.summary.parseErrors > 0 || aboveLimit > 0;
  out.push((failed ? c.red(c.bold('✖ ')) : findings ? c.yellow(c.bold('⚠ ')) : c.green(c.bold('✔ '))) + summary);
  return out.join('\n\n') + '\n';
}

function fileBlock(file: FileReport, c: Colors, options: TextOptions, exceeds: boolean): string {
  const lines: string[] = [];
  const direction = file.migration?.direction === 'down' ? ' (down)' : '';
  let header = `${c.underline(c.bold(file.path))}${direction}  risk ${riskLabel(file.risk, c)}`;
  if (file.declaredRisk) header += c.dim(` (declared ${file.declaredRisk})`);
  if (exceeds) header += c.red(` — above --max-risk ${options.maxRisk}`);
  lines.push(header);
  const source = options.sources.get(file.path);
  const sourceLines = source === undefined ? [] : source.split(LINE_BREAK);

  for (const error of file.parseErrors) {
    lines.push(`  ${c.dim(`${error.line}:${error.column}`)}  ${c.red('parse error')}  ${error.message}`);
    lines.push(...excerpt(sourceLines, error.line, error.column, error.line, error.column + 1, c));
  }
  for (const finding of file.findings) {
    const severity = finding.severity === 'error' ? c.red('error') : c.yellow('warning');
    const lock = finding.lock ? c.dim(` [${finding.lock}]`) : '';
    const observed = finding.source === 'trace' ? c.dim(' (rehearsal)') : '';
    lines.push(
      `  ${c.dim(`${finding.line}:${finding.column}`)}  ${severity}  ${riskLabel(finding.risk, c)}  ${c.cyan(finding.ruleId)}${observed}${lock}  ${finding.message}`,
    );
    lines.push(...excerpt(sourceLines, finding.line, finding.column, finding.endLine, finding.endColumn, c));
    if (finding.help) lines.push(`      ${c.green('help:')} ${finding.help}`);
    if (finding.fix) lines.push(`      ${c.green('fixable with --fix:')} ${finding.fix.description}`);
  }
  return lines.join('\n');
}

/** The first line of the range with a caret run under it (to the range end or the line end). */
function excerpt(sourceLines: string[], line: number, column: number, endLine: number, endColumn: number, c: Colors): string[] {
  const text = sourceLines[line - 1];
  if (text === undefined) return [];
  const before = text.slice(0, column - 1).replaceAll('\t', TAB);
  const lastColumn = endLine === line ? Math.max(endColumn, column + 1) : text.length + 1;
  const marked = text.slice(column - 1, lastColumn - 1).replaceAll('\t', TAB);
  let shown = text.replaceAll('\t', TAB);
  let width = Math.max(marked.trimEnd().length, 1);
  if (shown.length > MAX_EXCERPT) {
    shown = shown.slice(0, MAX_EXCERPT) + '…';
    width = Math.max(Math.min(width, MAX_EXCERPT - before.length), 1);
  }
  const gutter = String(line).padStart(5);
  const caret = c.red('^'.repeat(width)) + (endLine > line ? c.dim(' …') : '');
  return [`${c.dim(`${gutter} |`)} ${shown}`, `${c.dim(`${' '.repeat(5)} |`)} ${' '.repeat(before.length)}${caret}`];
}

function riskLabel(risk: Risk, c: Colors): string {
  return risk === 'high' ? c.red(c.bold(risk)) : risk === 'medium' ? c.yellow(risk) : c.blue(risk);
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
