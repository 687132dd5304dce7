import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { globSync } from 'tinyglobby';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ESLint, Linter } from 'eslint';
import { allRules } from '../../rules/index.js';
import type { TransactionMode } from '../../src/analysis/transactions.js';
import { lintPaths, type LintSettings } from '../../src/lint.js';
import { eslintCli, eslintFor, project, removeProjects, ROOT, type ConfigKind } from './support.js';

/**
 * The plugin is pgwarden's analysis behind ESLint's door, so over every fixture ESLint must report
 * exactly what `pgwarden lint` reports, with every rule on (opt-in ones too) and the same
 * options: `-- fixture: postgres=N transaction=MODE` headers become `languageOptions` for that
 * file on the ESLint side and settings on pgwarden's, and `options={…}` the options of the
 * fixture's rule (`['error', {…}]` in the ESLint config, `ruleOptions` for pgwarden). (`rollback=`
 * and `direction=` are harness-only options of test/rules/fixtures.test.ts that stand for sibling
 * files; both tools here see the real file and its real layout.)
 */
const FIXTURES = ['fixtures/rules/**/*.sql', 'fixtures/layouts/**/*.sql'];

interface FixtureOptions {
  postgresVersion: number;
  transaction: TransactionMode;
  /** The options of the fixture's rule, as its `options={…}` header gives them. */
  ruleOptions?: Record<string, unknown>;
}

function fixtureOptions(text: string): FixtureOptions {
  const options: FixtureOptions = { postgresVersion: 16, transaction: 'auto' };
  const [header, ruleOptions] = (/^--\s*fixture:(.*)$/m.exec(text)?.[1] ?? '').split(/\boptions=/);
  for (const [key, value] of header!.trim().split(/\s+/).filter(Boolean).map((pair) => pair.split('='))) {
    if (key === 'postgres') options.postgresVersion = Number(value);
    else if (key === 'transaction') options.transaction = value as TransactionMode;
  }
  if (ruleOptions !== undefined) options.ruleOptions = JSON.parse(ruleOptions) as Record<string, unknown>;
  return options;
}

const files = globSync(FIXTURES, { cwd: ROOT }).sort();
const options = new Map(files.map((file) => [file, fixtureOptions(readFileSync(join(ROOT, file), 'utf8'))]));
const special = files.filter((file) => {
  const o = options.get(file)!;
  return o.postgresVersion !== 16 || o.transaction !== 'auto' || o.ruleOptions !== undefined;
});

/** The rule a fixture under fixtures/rules/<rule-id>/ is for. */
function fixtureRule(file: string): string {
  return file.split('/')[2]!;
}

function specialConfig(file: string): string {
  const { ruleOptions, ...languageOptions } = options.get(file)!;
  const rules = ruleOptions ? `, rules: { ${JSON.stringify(`pgwarden/${fixtureRule(file)}`)}: ['error', ${JSON.stringify(ruleOptions)}] }` : '';
  return `  { files: [${JSON.stringify(file)}], languageOptions: ${JSON.stringify(languageOptions)}${rules} },`;
}

/** Every rule on, and each fixture's options for its own file. */
const extraConfig = [
  `  { files: ['**/*.sql'], rules: Object.fromEntries(Object.keys(pgwarden.rules).filter((id) => !id.startsWith('js/')).map((id) => ['pgwarden/' + id, 'error'])) },`,
  ...special.map(specialConfig),
].join('\n');

type Key = string;

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/** ruleId (without the plugin prefix; parse errors as `parse-error`), start and end of every message. */
function eslintKeys(results: readonly ESLint.LintResult[], cwd: string): Map<string, Key[]> {
  const byFile = new Map<string, Key[]>();
  for (const result of results) {
    byFile.set(
      toPosix(relative(cwd, result.filePath)),
      result.messages.map((m: Linter.LintMessage) => {
        const ruleId = m.ruleId === null ? `(none: ${m.message})` : m.ruleId.replace(/^pgwarden\//, '');
        const end = ruleId === 'parse-error' ? '' : `-${m.endLine}:${m.endColumn}`;
        return `${ruleId} ${m.line}:${m.column}${end}`;
      }).sort(),
    );
  }
  return byFile;
}

async function pgwardenKeys(cwd: string): Promise<Map<string, Key[]>> {
  const byFile = new Map<string, Key[]>();
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const { ruleOptions, ...rest } = options.get(file)!;
    const key = JSON.stringify({ ...rest, ...(ruleOptions ? { ruleOptions: [fixtureRule(file), ruleOptions] } : {}) });
    groups.set(key, [...(groups.get(key) ?? []), file]);
  }
  for (const [key, group] of groups) {
    const { postgresVersion, transaction, ruleOptions } = JSON.parse(key) as Omit<FixtureOptions, 'ruleOptions'> & {
      ruleOptions?: [string, Record<string, unknown>];
    };
    const settings: LintSettings = {
      cwd,
      postgresVersion,
      transaction,
      layout: 'auto',
      rollback: 'auto',
      severities: new Map(allRules.map((rule) => [rule.meta.id, 'error'])),
      ...(ruleOptions ? { ruleOptions: new Map([ruleOptions]) } : {}),
      rules: allRules,
    };
    const run = await lintPaths(group, settings);
    expect(run.problems).toEqual([]);
    expect(run.internalErrors).toEqual([]);
    for (const report of run.report.files) {
      const keys = byFile.get(report.path) ?? [];
      for (const f of report.findings) keys.push(`${f.ruleId} ${f.line}:${f.column}-${f.endLine}:${f.endColumn}`);
      for (const e of report.parseErrors) keys.push(`parse-error ${e.line}:${e.column}`);
      byFile.set(report.path, keys);
    }
  }
  for (const keys of byFile.values()) keys.sort();
  return byFile;
}

const dirs = new Map<ConfigKind, string>();
let expected: Map<string, Key[]>;

beforeAll(async () => {
  dirs.set('esm', project({ kind: 'esm', fixtures: true, extraConfig }));
  dirs.set('cjs', project({ kind: 'cjs', fixtures: true, extraConfig }));
  expected = await pgwardenKeys(dirs.get('esm')!);
});

afterAll(removeProjects);

describe('ESLint reports exactly what pgwarden lint reports', () => {
  it('has fixtures to compare, with and without options', () => {
    expect(files.filter((f) => f.startsWith('fixtures/rules/')).length).toBeGreaterThan(60);
    expect(special.length).toBeGreaterThan(10);
    const total = [...expected.values()].reduce((n, keys) => n + keys.length, 0);
    expect(total).toBeGreaterThan(100);
  });

  it("applies each fixture's options: every bad fixture without harness-only options fires its rule", () => {
    // Directories of migrations (bad-*/…) are the fixtures of rehearsal rules, which lint does not run.
    const bad = files.filter((f) => /^fixtures\/rules\/[^/]+\/bad-[^/]+$/.test(f));
    const checked = bad.filter((f) => !/^--\s*fixture:.*\b(rollback|direction)=/m.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(checked.length).toBeGreaterThan(40);
    for (const file of checked) {
      const ruleId = fixtureRule(file);
      expect({ file, fires: (expected.get(file) ?? []).some((key) => key.startsWith(`${ruleId} `)) }).toEqual({ file, fires: true });
    }
  });

  it('through the Node API (ESM flat config), over every fixture', async () => {
    const dir = dirs.get('esm')!;
    const results = await eslintFor(dir).lintFiles(['fixtures']);
    const actual = eslintKeys(results, dir);
    expect([...actual.keys()].sort()).toEqual(files);
    for (const file of files) expect({ file, keys: actual.get(file) }).toEqual({ file, keys: expected.get(file) ?? [] });
  });

  for (const kind of ['esm', 'cjs'] as const) {
    it(`through the CLI (${kind === 'esm' ? 'eslint.config.js, import' : 'eslint.config.cjs, require'}), over every fixture`, () => {
      const dir = dirs.get(kind)!;
      const run = eslintCli(dir, ['--format', 'json', 'fixtures']);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(1);
      const actual = eslintKeys(JSON.parse(run.stdout) as ESLint.LintResult[], dir);
      for (const file of files) expect({ file, keys: actual.get(file) }).toEqual({ file, keys: expected.get(file) ?? [] });
    });
  }
});
