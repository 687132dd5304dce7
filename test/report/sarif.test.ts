import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { allRules } from '../../rules/index.js';
import type { Rule } from '../../src/analysis/rule.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { lintPaths, lintText, settingsFromConfig } from '../../src/lint.js';
import { buildReport } from '../../src/report/build.js';
import { rulePage } from '../../src/report/rule-page.js';
import { buildSarif, formatSarif, PARSE_ERROR_RULE_ID, SARIF_LIMITS, type SarifLog, type SarifResult } from '../../src/report/sarif.js';
import type { FileReport, FindingReport, Report } from '../../src/report/schema.js';
import { loadParser } from '../../src/sql/parser.js';
import { project, runCli } from '../support/cli.js';

const root = join(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

/**
 * The SARIF 2.1.0 schema as @microsoft/jest-sarif ships it (sarif-2.1.0-rtm.5.json, draft-04).
 * It differs from the OASIS sarif-schema-2.1.0.json only in GUID patterns, a description typo,
 * the errata's language pattern and two artifact roles; none touch what pgwarden writes.
 */
function sarifValidator() {
  const schemaPath = join(require.resolve('@microsoft/jest-sarif/package.json'), '../lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8').replace(/^\uFEFF/, '')) as object;
  // Its `language` pattern (fixed in the errata) is not a valid Unicode-mode regular expression.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}
const validate = sarifValidator();

function expectValidSarif(log: SarifLog): void {
  const valid = validate(log);
  expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
  expect(valid).toBe(true);
}

/** GitHub code scanning's upload requirements, checked field by field. */
function expectGithubCompatible(log: SarifLog): void {
  expect(log.$schema).toMatch(/sarif-2\.1\.0/);
  expect(log.version).toBe('2.1.0');
  expect(log.runs).toHaveLength(1);
  const run = log.runs[0];
  expect(run.tool.driver.name).toBe('pgwarden');
  expect(run.tool.driver.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(run.originalUriBaseIds['%SRCROOT%']!.uri).toMatch(/^file:\/\/.*\/$/);
  expect(run.results.length).toBeLessThanOrEqual(SARIF_LIMITS.results);
  const ids = run.tool.driver.rules.map((rule) => rule.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const rule of run.tool.driver.rules) {
    expect(rule.shortDescription?.text).toBeTruthy();
    expect(rule.fullDescription?.text).toBeTruthy();
    expect(rule.help?.text).toBeTruthy();
    expect(rule.help?.markdown).toBeTruthy();
    expect(rule.helpUri).toMatch(/^https:\/\//);
    expect(rule.properties!.tags.length).toBeLessThanOrEqual(SARIF_LIMITS.tags);
    expect(rule.properties!.tags).toContain('postgresql');
  }
  for (const result of run.results) {
    expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
    expect(result.message.text).toBeTruthy();
    expect(result.locations.length).toBeGreaterThanOrEqual(1);
    expect(result.locations.length).toBeLessThanOrEqual(SARIF_LIMITS.locations);
    const location = result.locations[0]!.physicalLocation;
    expect(location.artifactLocation.uriBaseId).toBe('%SRCROOT%');
    expect(location.artifactLocation.uri).not.toMatch(/^\/|\\/);
    expect(location.region.startLine).toBeGreaterThanOrEqual(1);
    expect(location.region.startColumn).toBeGreaterThanOrEqual(1);
    expect(result.partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]{16}:\d+$/);
  }
}

const settings = () => settingsFromConfig(DEFAULT_CONFIG, root);

/** A report and its sources from in-memory files. */
function reportOf(files: Record<string, string>): { report: Report; sources: Map<string, string> } {
  const reports = Object.entries(files).flatMap(([path, text]) => lintText(text, path, settings()));
  return { report: buildReport(reports, 16), sources: new Map(Object.entries(files)) };
}

function sarifOf(files: Record<string, string>): SarifLog {
  const { report, sources } = reportOf(files);
  return buildSarif(report, { rules: allRules, srcRoot: root, sources });
}

const resultsOf = (log: SarifLog, ruleId: string): SarifResult[] => log.runs[0].results.filter((r) => r.ruleId === ruleId);

beforeAll(async () => {
  await loadParser();
});

describe('SARIF of the bundled examples', () => {
  let log: SarifLog;
  let report: Report;
  beforeAll(async () => {
    const run = await lintPaths(['examples/migrations'], settings());
    report = run.report;
    log = JSON.parse(formatSarif(run.report, { rules: allRules, srcRoot: root, sources: run.sources })) as SarifLog;
  });

  it('validates against the SARIF 2.1.0 schema and meets GitHub code scanning’s requirements', () => {
    expectValidSarif(log);
    expectGithubCompatible(log);
  });

  it('is checked by a validator that rejects what the schema forbids', () => {
    const run = log.runs[0];
    const broken = { ...log, runs: [{ ...run, results: [{ ...run.results[0]!, level: 'fatal' }] }] };
    expect(validate(broken)).toBe(false);
    expect(validate({ ...log, runs: [{ ...run, originalUriBaseIds: { '%SRCROOT%': { uri: 'not a uri' } } }] })).toBe(false);
  });

  it('describes every rule, with or without results, plus parse-error', () => {
    const rules = log.runs[0].tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual([...allRules.map((r) => r.meta.id), PARSE_ERROR_RULE_ID]);
    for (const rule of allRules) {
      const descriptor = rules.find((r) => r.id === rule.meta.id)!;
      expect(descriptor.shortDescription?.text).toBe(rule.meta.summary);
      expect(descriptor.fullDescription?.text).toBe(rule.meta.rationale);
      expect(descriptor.help?.markdown).toBe(rulePage(rule));
      expect(descriptor.helpUri).toBe(`https://unpkg.com/pgwarden@${report.tool.version}/docs/rules/${rule.meta.id}.md`);
    }
    const noDropTable = rules.find((r) => r.id === 'no-drop-table')!;
    expect(noDropTable.name).toBe('NoDropTable');
    expect(noDropTable.defaultConfiguration?.level).toBe('error');
    expect(noDropTable.properties).toEqual({ tags: ['postgresql', 'data-loss', 'locking'], precision: 'high', risk: 'high' });
    expect(rules.find((r) => r.id === 'require-lock-timeout')!.defaultConfiguration?.level).toBe('warning');
  });

  it('gives access and security rules the security tag and a security-severity', () => {
    const rules = log.runs[0].tool.driver.rules;
    for (const rule of allRules) {
      const properties = rules.find((r) => r.id === rule.meta.id)!.properties!;
      const security = rule.meta.tags.includes('access') || rule.meta.tags.includes('security');
      expect(properties.tags.includes('security')).toBe(security);
      expect(properties['security-severity']).toBe(security ? { high: '8.0', medium: '5.0', low: '2.0' }[rule.meta.risk] : undefined);
    }
    expect(rules.find((r) => r.id === 'no-grant-to-public')!.properties!['security-severity']).toBe('8.0');
  });

  it('has one result per finding and per suppressed finding, positioned as in the report', () => {
    const results = log.runs[0].results;
    const findings = report.files.flatMap((f) => [...f.findings, ...f.suppressed].map((finding) => ({ path: f.path, finding })));
    expect(results).toHaveLength(findings.length);
    const drop = findings.find(({ finding }) => finding.ruleId === 'no-drop-table')!;
    const result = results.find(
      (r) => r.ruleId === 'no-drop-table' && r.locations[0]!.physicalLocation.artifactLocation.uri === drop.path,
    )!;
    expect(result.level).toBe(drop.finding.severity);
    expect(result.message.text).toBe(`${drop.finding.message}\n${drop.finding.help}`);
    expect(result.locations[0]!.physicalLocation.region).toEqual({
      startLine: drop.finding.line,
      startColumn: drop.finding.column,
      endLine: drop.finding.endLine,
      endColumn: drop.finding.endColumn,
    });
    expect(result.properties).toEqual({ risk: 'high', lock: 'ACCESS EXCLUSIVE' });
  });

  it('keeps the suppressed finding with the directive’s reason as justification', () => {
    const suppressed = log.runs[0].results.filter((r) => r.suppressions);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]!.ruleId).toBe('no-drop-column');
    expect(suppressed[0]!.suppressions![0]).toMatchObject({
      kind: 'inSource',
      justification: 'the column was added by 0003 and holds no data yet',
    });
  });

  it('sets %SRCROOT% to the working directory as a file URI with a trailing slash', () => {
    expect(log.runs[0].originalUriBaseIds['%SRCROOT%']).toEqual({ uri: pathToFileURL(root).href + '/' });
    expect(log.runs[0].results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/^examples\/migrations\//);
  });
});

describe('SARIF results', () => {
  it('carries a finding’s fix as replacements, an insertion being an empty deleted region', () => {
    const log = sarifOf({
      'migrations/0001_index.sql': "-- pgwarden:no-transaction\nSET lock_timeout = '2s';\nCREATE INDEX orders_placed_idx ON orders (placed_at);\n",
      'migrations/0002_fk.sql': "SET lock_timeout = '2s';\nALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\n",
    });
    expectValidSarif(log);
    expectGithubCompatible(log);
    const [index] = resultsOf(log, 'require-concurrent-index');
    expect(index!.fixes).toEqual([
      {
        description: { text: 'Add CONCURRENTLY (the statement runs outside a transaction).' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'migrations/0001_index.sql', uriBaseId: '%SRCROOT%' },
            replacements: [{ deletedRegion: { startLine: 3, startColumn: 13, endLine: 3, endColumn: 13 }, insertedContent: { text: ' CONCURRENTLY' } }],
          },
        ],
      },
    ]);
    // The follow-up migration is no edit of this file: the description names it.
    const [foreignKey] = resultsOf(log, 'require-not-valid-foreign-key');
    expect(foreignKey!.fixes![0]!.description.text).toMatch(/Then, in a later migration: ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;$/);
    expect(resultsOf(log, 'require-lock-timeout').every((result) => result.fixes === undefined)).toBe(true);
  });

  it('reports a parse error as an error result of the parse-error rule', () => {
    const log = sarifOf({ 'migrations/broken.sql': 'SELEC 1;\nDROP TABLE legacy;\n' });
    expectValidSarif(log);
    expectGithubCompatible(log);
    const [result] = resultsOf(log, PARSE_ERROR_RULE_ID);
    expect(result).toMatchObject({ level: 'error', message: { text: expect.stringContaining('syntax error') } });
    expect(result!.locations[0]!.physicalLocation.region).toEqual({ startLine: 1, startColumn: 1 });
    const descriptor = log.runs[0].tool.driver.rules[result!.ruleIndex]!;
    expect(descriptor).toMatchObject({ id: 'parse-error', defaultConfiguration: { level: 'error' } });
    expect(resultsOf(log, 'no-drop-table')).toHaveLength(1);
  });

  it('keeps fingerprints when lines are inserted above a finding, and tells identical lines apart', () => {
    const before = sarifOf({ 'm.sql': "SET lock_timeout = '2s';\nDROP TABLE legacy;\n" });
    const after = sarifOf({ 'm.sql': "-- a new header\n\nSET lock_timeout = '2s';\n\n   DROP   TABLE legacy;\n" });
    const [a] = resultsOf(before, 'no-drop-table');
    const [b] = resultsOf(after, 'no-drop-table');
    expect(a!.locations[0]!.physicalLocation.region.startLine).toBe(2);
    expect(b!.locations[0]!.physicalLocation.region.startLine).toBe(5);
    expect(b!.partialFingerprints).toEqual(a!.partialFingerprints);

    const twice = sarifOf({ 'm.sql': "SET lock_timeout = '2s';\nDROP TABLE legacy;\nDROP TABLE legacy;\n" });
    const hashes = resultsOf(twice, 'no-drop-table').map((r) => r.partialFingerprints.primaryLocationLineHash);
    expect(hashes).toHaveLength(2);
    expect(hashes[0]).toBe(a!.partialFingerprints.primaryLocationLineHash);
    expect(hashes[1]).toBe(hashes[0]!.replace(/:1$/, ':2'));

    const elsewhere = sarifOf({ 'other.sql': "SET lock_timeout = '2s';\nDROP TABLE legacy;\n" });
    expect(resultsOf(elsewhere, 'no-drop-table')[0]!.partialFingerprints).toEqual(a!.partialFingerprints);
  });

  it('writes a suppression without a reason as inSource with no justification', () => {
    const log = sarifOf({ 'm.sql': "SET lock_timeout = '2s';\n-- pgwarden-disable-next-statement no-drop-table\nDROP TABLE legacy;\n" });
    expectValidSarif(log);
    const [result] = resultsOf(log, 'no-drop-table');
    expect(result!.suppressions).toEqual([
      { kind: 'inSource', location: expect.objectContaining({ physicalLocation: expect.objectContaining({ region: { startLine: 2, startColumn: 1 } }) }) },
    ]);
  });

  it('encodes report paths as relative URI references', () => {
    const log = sarifOf({ 'dir with space/a:b.sql': 'DROP TABLE legacy;\n', '<stdin>': 'DROP TABLE legacy;\n' });
    expectValidSarif(log);
    const uris = log.runs[0].results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris).toContain('dir%20with%20space/a%3Ab.sql');
    expect(uris).toContain('%3Cstdin%3E');
  });

  it('marks an opt-in rule none by default and describes rules it was not given', () => {
    const optIn: Rule = { meta: { ...allRules[0]!.meta, id: 'opt-in-example', optIn: true }, create: () => ({}) };
    const { report, sources } = reportOf({ 'm.sql': 'DROP TABLE legacy;\n' });
    const log = buildSarif(report, { rules: [optIn], srcRoot: root, sources });
    expectValidSarif(log);
    const rules = log.runs[0].tool.driver.rules;
    expect(rules[0]).toMatchObject({ id: 'opt-in-example', defaultConfiguration: { level: 'none' } });
    const [drop] = resultsOf(log, 'no-drop-table');
    expect(rules[drop!.ruleIndex]).toEqual({ id: 'no-drop-table', name: 'NoDropTable' });
  });
});

describe('GitHub’s 25,000-result limit', () => {
  const finding = (ruleId: string, severity: 'error' | 'warning', line: number): FindingReport => ({
    ruleId,
    risk: severity === 'error' ? 'high' : 'low',
    severity,
    message: `finding on line ${line}`,
    help: 'help',
    line,
    column: 1,
    endLine: line,
    endColumn: 5,
    lock: null,
    tags: [],
  });

  it('keeps the most severe results first and says how many were dropped', () => {
    const total = SARIF_LIMITS.results + 500;
    const file: FileReport = {
      path: 'migrations/huge.sql',
      migration: null,
      risk: 'high',
      declaredRisk: null,
      parseErrors: [{ message: 'syntax error at end of input', line: total + 1, column: 1 }],
      // Warnings first in the file, so keeping by position alone would drop errors.
      findings: Array.from({ length: total }, (_, i) =>
        i < total - 1000 ? finding('require-lock-timeout', 'warning', i + 1) : finding('no-drop-table', 'error', i + 1),
      ),
      suppressed: [],
    };
    const log = buildSarif(buildReport([file], 16), { rules: allRules, srcRoot: root });
    const run = log.runs[0];
    expect(run.results).toHaveLength(SARIF_LIMITS.results);
    expect(run.results.filter((r) => r.level === 'error')).toHaveLength(1001);
    expect(resultsOf(log, PARSE_ERROR_RULE_ID)).toHaveLength(1);
    const lines = run.results.map((r) => r.locations[0]!.physicalLocation.region.startLine);
    expect(lines.slice(1)).toEqual([...lines.slice(1)].sort((a, b) => a - b));
    const notification = run.invocations[0]!.toolExecutionNotifications![0]!;
    expect(notification.level).toBe('warning');
    expect(notification.message.text).toMatch(/^501 of 25501 results were left out/);
    expectGithubCompatible(log);
    expectValidSarif(log);
  });

  it('adds no notification when everything fits', () => {
    const log = sarifOf({ 'm.sql': 'DROP TABLE legacy;\n' });
    expect(log.runs[0].invocations).toEqual([{ executionSuccessful: true }]);
  });
});

describe('pgwarden lint --format sarif', () => {
  it('writes SARIF with paths relative to the working directory', async () => {
    const cwd = project({ 'a.sql': 'DROP TABLE legacy;\n' });
    const { code, stdout } = await runCli(cwd, ['lint', 'a.sql', '--format', 'sarif', '--output', 'out.sarif']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const log = JSON.parse(readFileSync(join(cwd, 'out.sarif'), 'utf8')) as SarifLog;
    expectValidSarif(log);
    expectGithubCompatible(log);
    expect(log.runs[0].originalUriBaseIds['%SRCROOT%']!.uri).toBe(pathToFileURL(cwd).href + '/');
    expect(resultsOf(log, 'no-drop-table')[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('a.sql');
  });

  it('fingerprints a file whose only finding is suppressed from its line, like any other', async () => {
    const text = "SET lock_timeout = '2s';\n-- pgwarden-disable-next-statement no-drop-table -- archived\nDROP TABLE legacy;\n";
    const cwd = project({ 'a.sql': text });
    expect((await runCli(cwd, ['lint', 'a.sql', '--format', 'sarif', '--output', 'out.sarif'])).code).toBe(0);
    const log = JSON.parse(readFileSync(join(cwd, 'out.sarif'), 'utf8')) as SarifLog;
    const [result] = resultsOf(log, 'no-drop-table');
    expect(result!.suppressions![0]!.justification).toBe('archived');
    expect(result!.partialFingerprints).toEqual(resultsOf(sarifOf({ 'a.sql': text }), 'no-drop-table')[0]!.partialFingerprints);
  });
});
