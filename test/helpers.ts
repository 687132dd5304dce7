import { loadParser, parseSql } from '../src/sql/parser.js';
import { SourceFile } from '../src/sql/source.js';
import { analyze, type AnalyzeOptions, type FileAnalysis } from '../src/analysis/engine.js';
import { findingReport } from '../src/report/build.js';
import { allRules } from '../rules/index.js';
import type { FindingReport } from '../src/report/schema.js';

await loadParser();

export type TestOptions = Partial<Omit<AnalyzeOptions, 'rules'>> & { path?: string };

/** Parses and analyses SQL with every rule (opt-in rules too when named in `severities`). */
export function analyzeText(text: string, options: TestOptions = {}): FileAnalysis {
  const source = new SourceFile(options.path ?? 'test.sql', text);
  return analyze(parseSql(source), {
    rules: allRules,
    postgresVersion: 16,
    transaction: 'auto',
    ...options,
  });
}

export function findingsOf(text: string, options: TestOptions = {}): FindingReport[] {
  const analysis = analyzeText(text, options);
  return analysis.findings.map((f) => findingReport(f, analysis.source));
}

export function ruleIdsOf(text: string, options: TestOptions = {}): string[] {
  return findingsOf(text, options).map((f) => f.ruleId);
}
