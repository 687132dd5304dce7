import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultSeverity, type Rule, type RuleMeta } from '../analysis/rule.js';
import { riskRank, type Risk } from '../analysis/risk.js';
import { rulePage } from './rule-page.js';
import type { FindingReport, FixReport, Report, SuppressedFindingReport } from './schema.js';

/** SARIF 2.1.0 for GitHub code scanning and other SARIF viewers (docs: README "GitHub code scanning"). */

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const PARSE_ERROR_RULE_ID = 'parse-error';
/** The npm package page: stable whatever the repository host. */
export const INFORMATION_URI = 'https://www.npmjs.com/package/pgwarden';
/** GitHub code scanning's limits per run and per rule. */
export const SARIF_LIMITS = { results: 25_000, tags: 20, locations: 10 } as const;

const SRCROOT = '%SRCROOT%';

/**
 * A rule's page as shipped in the package (`docs/` is in `files`), pinned to the version that
 * produced the log so the page matches the rule that fired.
 */
export function ruleHelpUri(ruleId: string, version: string): string {
  return `https://unpkg.com/pgwarden@${encodeURIComponent(version)}/docs/rules/${encodeURIComponent(ruleId)}.md`;
}

export interface SarifOptions {
  /** Every rule pgwarden ships (allRules); each gets a descriptor, with or without results. */
  rules: readonly Rule[];
  /** The directory report paths are relative to; `%SRCROOT%`. Default: the process's working directory. */
  srcRoot?: string;
  /** Source text by report path, for the fingerprints; without it the message stands in for the line. */
  sources?: ReadonlyMap<string, string>;
  /** Override GitHub's result limit (tests). */
  maxResults?: number;
}

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine?: number;
  endColumn?: number;
}

export interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

export interface SarifLocation {
  physicalLocation: {
    artifactLocation: SarifArtifactLocation;
    region: SarifRegion;
  };
}

/** A proposed fix (`pgwarden lint --fix` applies the same edits). */
export interface SarifFix {
  description: SarifMessage;
  artifactChanges: Array<{
    artifactLocation: SarifArtifactLocation;
    replacements: Array<{ deletedRegion: SarifRegion; insertedContent: { text: string } }>;
  }>;
}

export interface SarifReportingDescriptor {
  id: string;
  name?: string;
  shortDescription?: SarifMessage;
  fullDescription?: SarifMessage;
  help?: SarifMessage;
  helpUri?: string;
  defaultConfiguration?: { enabled?: boolean; level: SarifLevel };
  properties?: { tags: string[]; precision: string; 'security-severity'?: string; risk?: Risk };
}

export interface SarifSuppression {
  kind: 'inSource';
  justification?: string;
  location?: SarifLocation;
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints: { primaryLocationLineHash: string };
  suppressions?: SarifSuppression[];
  fixes?: SarifFix[];
  properties?: { risk: Risk; lock?: string; source?: 'trace' };
}

export interface SarifNotification {
  level: SarifLevel;
  message: SarifMessage;
  descriptor: { id: string };
}

export interface SarifRun {
  tool: {
    driver: {
      name: 'pgwarden';
      version: string;
      semanticVersion: string;
      informationUri: string;
      rules: SarifReportingDescriptor[];
    };
  };
  invocations: { executionSuccessful: boolean; toolExecutionNotifications?: SarifNotification[] }[];
  originalUriBaseIds: Record<string, { uri: string }>;
  columnKind: 'utf16CodeUnits';
  results: SarifResult[];
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: [SarifRun];
}

/** The SARIF log as text (pretty-printed: logs are read by people in pull requests too). */
export function formatSarif(report: Report, options: SarifOptions): string {
  return JSON.stringify(buildSarif(report, options), null, 2) + '\n';
}

export function buildSarif(report: Report, options: SarifOptions): SarifLog {
  const version = report.tool.version;
  const descriptors = [...options.rules.map((rule) => ruleDescriptor(rule, version)), parseErrorDescriptor()];
  const ruleIndex = new Map(descriptors.map((descriptor, index) => [descriptor.id, index]));
  const indexOf = (ruleId: string): number => {
    let index = ruleIndex.get(ruleId);
    if (index === undefined) {
      // A rule outside the given list (a plugin, a newer engine): still described, so ruleIndex holds.
      index = descriptors.push({ id: ruleId, name: pascalCase(ruleId) }) - 1;
      ruleIndex.set(ruleId, index);
    }
    return index;
  };

  const ranked = collectResults(report, options.sources ?? new Map(), indexOf);
  const limit = options.maxResults ?? SARIF_LIMITS.results;
  const { kept, dropped } = keepMostSevere(ranked, limit);
  const invocation: SarifRun['invocations'][number] = { executionSuccessful: true };
  if (dropped) {
    invocation.toolExecutionNotifications = [
      {
        level: 'warning',
        descriptor: { id: 'results-truncated' },
        message: {
          text: `${dropped} of ${ranked.length} results were left out to stay within ${limit} results per run; the most severe were kept. Run \`pgwarden lint --format json\` for all of them.`,
        },
      },
    ];
  }

  const srcRoot = options.srcRoot ?? process.cwd();
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pgwarden',
            version,
            semanticVersion: version,
            informationUri: INFORMATION_URI,
            rules: descriptors,
          },
        },
        invocations: [invocation],
        originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(srcRoot) } },
        columnKind: 'utf16CodeUnits',
        results: kept,
      },
    ],
  };
}

function ruleDescriptor(rule: Rule, version: string): SarifReportingDescriptor {
  const meta = rule.meta;
  const page = rulePage(rule);
  const securityRelated = meta.tags.includes('security') || meta.tags.includes('access');
  const tags = unique(['postgresql', ...meta.tags, ...(securityRelated ? ['security'] : [])]).slice(0, SARIF_LIMITS.tags);
  return {
    id: meta.id,
    name: pascalCase(meta.id),
    shortDescription: { text: meta.summary },
    fullDescription: { text: meta.rationale, markdown: meta.rationale },
    help: { text: page, markdown: page },
    helpUri: ruleHelpUri(meta.id, version),
    defaultConfiguration: { level: defaultLevel(meta) },
    properties: {
      tags,
      // Findings come from the real Postgres parse tree, not from patterns over text.
      precision: 'high',
      ...(securityRelated ? { 'security-severity': SECURITY_SEVERITY[meta.risk] } : {}),
      risk: meta.risk,
    },
  };
}

/** GitHub's bands: critical ≥ 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9. */
const SECURITY_SEVERITY: Record<Risk, string> = { high: '8.0', medium: '5.0', low: '2.0' };

function defaultLevel(meta: RuleMeta): SarifLevel {
  return meta.optIn ? 'none' : defaultSeverity(meta);
}

function parseErrorDescriptor(): SarifReportingDescriptor {
  const text = 'The file does not parse as PostgreSQL SQL; its risk is high because what it does cannot be known.';
  return {
    id: PARSE_ERROR_RULE_ID,
    name: pascalCase(PARSE_ERROR_RULE_ID),
    shortDescription: { text: 'SQL that PostgreSQL cannot parse.' },
    fullDescription: { text },
    help: { text, markdown: text },
    helpUri: INFORMATION_URI,
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['postgresql', 'correctness'], precision: 'very-high', risk: 'high' },
  };
}

interface RankedResult {
  result: SarifResult;
  /** Lower is more severe: errors, then warnings, then suppressed; higher risk first within each. */
  rank: number;
  order: number;
}

function collectResults(
  report: Report,
  sources: ReadonlyMap<string, string>,
  indexOf: (ruleId: string) => number,
): RankedResult[] {
  const ranked: RankedResult[] = [];
  // Occurrence counters are per path: a sections file gives two report entries with one path.
  const occurrences = new Map<string, Map<string, number>>();
  const lineCache = new Map<string, string[]>();
  const linesOf = (path: string): string[] | undefined => {
    const text = sources.get(path);
    if (text === undefined) return undefined;
    let lines = lineCache.get(path);
    if (!lines) lineCache.set(path, (lines = text.split(/\r\n|[\n\r\u2028\u2029]/)));
    return lines;
  };

  for (const file of report.files) {
    let seen = occurrences.get(file.path);
    if (!seen) occurrences.set(file.path, (seen = new Map()));
    const lines = linesOf(file.path);
    const fingerprint = (ruleId: string, line: number, fallback: string): string => {
      const text = normaliseLine(lines?.[line - 1] ?? fallback);
      const hash = createHash('sha256').update(`${ruleId}\0${text}`, 'utf8').digest('hex').slice(0, 16);
      const key = `${ruleId}\0${text}`;
      const occurrence = (seen.get(key) ?? 0) + 1;
      seen.set(key, occurrence);
      return `${hash}:${occurrence}`;
    };
    const location = (line: number, column: number, endLine?: number, endColumn?: number): SarifLocation =>
      physicalLocation(file.path, { startLine: line, startColumn: column, ...(endLine ? { endLine, endColumn } : {}) });

    for (const error of file.parseErrors) {
      ranked.push({
        rank: 0,
        order: ranked.length,
        result: {
          ruleId: PARSE_ERROR_RULE_ID,
          ruleIndex: indexOf(PARSE_ERROR_RULE_ID),
          level: 'error',
          message: { text: error.message },
          // The end is unknown: SARIF then takes the region to the end of the line.
          locations: [location(error.line, error.column)],
          partialFingerprints: { primaryLocationLineHash: fingerprint(PARSE_ERROR_RULE_ID, error.line, error.message) },
          properties: { risk: 'high' },
        },
      });
    }

    // Active and suppressed findings in source order, so that suppressing one does not renumber the others.
    const findings: (FindingReport | SuppressedFindingReport)[] = [...file.findings, ...file.suppressed];
    findings.sort((a, b) => a.line - b.line || a.column - b.column);
    for (const finding of findings) {
      const suppression = 'suppression' in finding ? finding.suppression : undefined;
      const result: SarifResult = {
        ruleId: finding.ruleId,
        ruleIndex: indexOf(finding.ruleId),
        level: finding.severity,
        message: { text: finding.help ? `${finding.message}\n${finding.help}` : finding.message },
        locations: [location(finding.line, finding.column, finding.endLine, finding.endColumn)],
        partialFingerprints: { primaryLocationLineHash: fingerprint(finding.ruleId, finding.line, finding.message) },
        properties: { risk: finding.risk, ...(finding.lock ? { lock: finding.lock } : {}), ...(finding.source ? { source: finding.source } : {}) },
      };
      if ('fix' in finding && finding.fix) result.fixes = [sarifFix(file.path, finding.fix)];
      if (suppression) {
        result.suppressions = [
          {
            kind: 'inSource',
            ...(suppression.reason ? { justification: suppression.reason } : {}),
            location: location(suppression.line, suppression.column),
          },
        ];
      }
      const severityRank = suppression ? 2 : finding.severity === 'error' ? 0 : 1;
      ranked.push({ rank: severityRank * 10 + (2 - riskRank(finding.risk)), order: ranked.length, result });
    }
  }
  return ranked;
}

/** At most `limit` results, the most severe kept, in report order. */
function keepMostSevere(ranked: RankedResult[], limit: number): { kept: SarifResult[]; dropped: number } {
  if (ranked.length <= limit) return { kept: ranked.map((r) => r.result), dropped: 0 };
  const chosen = [...ranked].sort((a, b) => a.rank - b.rank || a.order - b.order).slice(0, limit);
  chosen.sort((a, b) => a.order - b.order);
  return { kept: chosen.map((r) => r.result), dropped: ranked.length - limit };
}

function physicalLocation(path: string, region: SarifRegion): SarifLocation {
  return { physicalLocation: { artifactLocation: artifactLocation(path), region } };
}

function artifactLocation(path: string): SarifArtifactLocation {
  return isAbsolute(path) ? { uri: pathToFileURL(path).href } : { uri: relativeUri(path), uriBaseId: SRCROOT };
}

/** The fix's edits as replacements; an insertion is an empty deleted region. A follow-up migration is only described. */
function sarifFix(path: string, fix: FixReport): SarifFix {
  const followUp = fix.followUp ? ` Then, in a later migration: ${fix.followUp.sql}` : '';
  return {
    description: { text: fix.description + followUp },
    artifactChanges: [
      {
        artifactLocation: artifactLocation(path),
        replacements: fix.edits.map((edit) => ({
          deletedRegion: { startLine: edit.line, startColumn: edit.column, endLine: edit.endLine, endColumn: edit.endColumn },
          insertedContent: { text: edit.text },
        })),
      },
    ],
  };
}

/** A relative URI reference: each segment percent-encoded, so `<stdin>` or `a:b.sql` stay paths. */
function relativeUri(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment === '..' || segment === '.' ? segment : encodeURIComponent(segment)))
    .join('/');
}

function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : href + '/';
}

/** Whitespace differences (re-indentation, CRLF) do not change a fingerprint. */
function normaliseLine(line: string): string {
  return line.trim().replace(/\s+/g, ' ');
}

function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
