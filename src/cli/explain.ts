import { allRules, findRule } from '../../rules/index.js';
import { defaultSeverity } from '../analysis/rule.js';
import { rulePage } from '../report/rule-page.js';
import { EXIT, UsageError, type CliIO } from './io.js';

export function runExplain(id: string, io: CliIO): number {
  const rule = findRule(id);
  if (!rule) {
    const close = allRules.map((r) => r.meta.id).filter((known) => known.includes(id) || id.includes(known));
    const hint = close.length ? ` Did you mean ${close.join(', ')}?` : ' `pgwarden rules` lists them all.';
    throw new UsageError(`Unknown rule "${id}".${hint}`);
  }
  io.stdout(rulePage(rule));
  return EXIT.ok;
}

export function runRules(io: CliIO, format: string): number {
  const rows = allRules.map((r) => ({
    id: r.meta.id,
    risk: r.meta.risk,
    severity: r.meta.optIn ? 'off' : defaultSeverity(r.meta),
    summary: r.meta.summary,
  }));
  if (format === 'json') {
    io.stdout(JSON.stringify(rows, null, 2) + '\n');
    return EXIT.ok;
  }
  const width = Math.max(...rows.map((r) => r.id.length));
  for (const row of rows) {
    io.stdout(`${row.id.padEnd(width)}  ${row.risk.padEnd(6)}  ${row.severity.padEnd(7)}  ${row.summary}\n`);
  }
  return EXIT.ok;
}
