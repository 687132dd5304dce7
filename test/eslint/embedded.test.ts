import { readFileSync, symlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { globSync } from 'tinyglobby';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ESLint, Linter } from 'eslint';
import { allRules } from '../../rules/index.js';
import { DEFAULT_SQL_OPTIONS } from '../../src/eslint/analysis.js';
import { lintEmbeddedForEslint, type EmbeddedRequest } from '../../src/eslint/embedded-analysis.js';
import { loadParser } from '../../src/sql/parser.js';
import { lintPaths, type LintSettings } from '../../src/lint.js';
import { eslintCli, eslintFor, project, removeProjects, ROOT, type ConfigKind } from './support.js';

/**
 * `pgwarden/js/<rule-id>` on TS/JS migrations, with the real ESLint: over the embedded fixtures
 * ESLint reports exactly what `pgwarden lint` reports (rule, start and end), through ESLint's
 * default parser for .js files and typescript-eslint's for .ts files, ESM and CommonJS configs.
 */

const FIXTURES = globSync(['fixtures/embedded/**/*.{js,mjs,cjs,ts,mts,cts}'], { cwd: ROOT }).sort();

/** Files of the test's own: columns after non-ASCII text (a 2-unit emoji) and CRLF line breaks. */
const EXTRA: Record<string, string> = {
  'extra/migrations/0001_unicode.js':
    "exports.up = (pgm) => {\n  /* é😀 */ pgm.sql('SELECT 1; /* ü */ DROP TABLE t'); pgm.sql(`TRUNCATE ${pgm.name}`);\n};\nexports.down = false;\n",
  'extra/migrations/0002_crlf.ts':
    'export async function up(db: { query(sql: string): Promise<void> }): Promise<void> {\r\n  await db.query("DROP TABLE a");\r\n  await db.query(\'ALTER TABLE b ALTER COLUMN c TYPE bigint\');\r\n}\r\n',
  // Not a migration by name: neither `pgwarden lint extra` nor recommended-js looks at it.
  'extra/migrations/helpers.js': "exports.drop = (pgm) => pgm.sql('DROP TABLE helpers');\n",
};

const FILES: Record<string, string> = {
  ...Object.fromEntries(FIXTURES.map((file) => [file, readFileSync(join(ROOT, file), 'utf8')])),
  ...EXTRA,
};
const HELPER = 'extra/migrations/helpers.js';
const LINTED = Object.keys(FILES)
  .filter((file) => file !== HELPER)
  .sort();

/** recommended-js, every rule on (opt-in ones too), and typescript-eslint's parser for .ts files. */
function extraConfig(kind: ConfigKind): string {
  const tseslint = kind === 'cjs' ? "require('typescript-eslint')" : "(await import('typescript-eslint')).default";
  return [
    "  pgwarden.configs['recommended-js'],",
    `  { files: pgwarden.configs['recommended-js'].files, rules: Object.fromEntries(Object.keys(pgwarden.rules).filter((id) => id.startsWith('js/')).map((id) => ['pgwarden/' + id, 'error'])) },`,
    `  { files: ['**/*.{ts,mts,cts}'], languageOptions: { parser: ${tseslint}.parser } },`,
    "  { linterOptions: { reportUnusedDisableDirectives: 'off' } },",
  ].join('\n');
}

function jsProject(kind: ConfigKind, extra = extraConfig(kind)): string {
  const dir = project({ kind, files: FILES, extraConfig: extra });
  symlinkSync(join(ROOT, 'node_modules/typescript-eslint'), join(dir, 'node_modules/typescript-eslint'), 'dir');
  return dir;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

type Keys = Map<string, string[]>;

function eslintKeys(results: readonly ESLint.LintResult[], cwd: string): Keys {
  const byFile: Keys = new Map();
  for (const result of results) {
    byFile.set(
      toPosix(relative(cwd, result.filePath)),
      result.messages
        .map((m: Linter.LintMessage) => {
          const ruleId = m.ruleId === null ? `(none: ${m.message})` : m.ruleId.replace(/^pgwarden\/js\//, '');
          const end = ruleId === 'parse-error' ? '' : `-${m.endLine}:${m.endColumn}`;
          return `${ruleId} ${m.line}:${m.column}${end}`;
        })
        .sort(),
    );
  }
  return byFile;
}

async function pgwardenKeys(cwd: string): Promise<Keys> {
  const settings: LintSettings = {
    cwd,
    postgresVersion: 16,
    transaction: 'auto',
    layout: 'auto',
    rollback: 'auto',
    severities: new Map(allRules.map((rule) => [rule.meta.id, 'error'])),
    rules: allRules,
  };
  // Directories, as `pgwarden lint fixtures extra` finds TS/JS migrations in them.
  const run = await lintPaths(['fixtures/embedded', 'extra'], settings);
  expect(run.problems).toEqual([]);
  expect(run.internalErrors).toEqual([]);
  const byFile: Keys = new Map();
  for (const report of run.report.files) {
    const keys = byFile.get(report.path) ?? [];
    for (const f of report.findings) keys.push(`${f.ruleId} ${f.line}:${f.column}-${f.endLine}:${f.endColumn}`);
    for (const e of report.parseErrors) keys.push(`parse-error ${e.line}:${e.column}`);
    byFile.set(report.path, keys);
  }
  // One problem per position: a helper called from up and down is reported in both parts.
  for (const [file, keys] of byFile) byFile.set(file, [...new Set(keys)].sort());
  return byFile;
}

function expectSame(actual: Keys, expected: Keys): void {
  // ESLint lints every .js file it is given; no pgwarden rule is on for a file not named like a migration.
  expect(actual.get(HELPER)).toEqual([]);
  actual.delete(HELPER);
  expect([...actual.keys()].sort()).toEqual(LINTED);
  expect([...expected.keys()].sort()).toEqual(LINTED);
  for (const file of LINTED) expect({ file, keys: actual.get(file) }).toEqual({ file, keys: expected.get(file) });
}

const dirs = new Map<ConfigKind, string>();
let expected: Keys;

beforeAll(async () => {
  dirs.set('esm', jsProject('esm'));
  dirs.set('cjs', jsProject('cjs'));
  expected = await pgwardenKeys(dirs.get('esm')!);
});

afterAll(removeProjects);

describe('ESLint on TS/JS migrations reports exactly what pgwarden lint reports', () => {
  it('has findings to compare in every file, dynamic parts among them', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(5);
    for (const file of LINTED) expect({ file, some: (expected.get(file) ?? []).length > 0 }).toEqual({ file, some: true });
    expect(expected.get('fixtures/embedded/dynamic/migrations/1700000000002_archive.ts')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^unanalyzable-statement 9:27-/), expect.stringMatching(/^no-drop-table 11:18-/)]),
    );
    // UTF-16 columns after `é😀` (3 units): `DROP TABLE t` starts at unit 40 of line 2.
    expect(expected.get('extra/migrations/0001_unicode.js')).toEqual([
      'no-drop-table 2:40-2:52',
      'no-truncate 2:65-2:85',
      'require-lock-timeout 2:40-2:52',
      'require-metadata 2:22-2:30',
      'unanalyzable-statement 2:74-2:85',
    ]);
    expect(expected.get('extra/migrations/0002_crlf.ts')).toEqual(
      expect.arrayContaining(['no-drop-table 2:19-2:31', expect.stringMatching(/^no-column-type-change 3:19-3:/)]),
    );
  });

  it('through the Node API (ESM flat config), ESLint\'s parser for .js and typescript-eslint\'s for .ts', async () => {
    const dir = dirs.get('esm')!;
    const results = await eslintFor(dir).lintFiles(['fixtures', 'extra']);
    for (const result of results) expect({ file: result.filePath, fatal: result.fatalErrorCount }).toEqual({ file: result.filePath, fatal: 0 });
    expectSame(eslintKeys(results, dir), expected);
  });

  for (const kind of ['esm', 'cjs'] as const) {
    it(`through the CLI with a ${kind} flat config`, () => {
      const dir = dirs.get(kind)!;
      const run = eslintCli(dir, ['--format', 'json', 'fixtures', 'extra']);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(1);
      expectSame(eslintKeys(JSON.parse(run.stdout) as ESLint.LintResult[], dir), expected);
    });
  }
});

describe('the rules in an ESLint config', () => {
  const typeorm = 'fixtures/embedded/typeorm/src/migration/1700000000000-AddUserEmail.ts';

  it('recommended-js: default severities, every TS/JS migration pgwarden lint finds', async () => {
    const dir = jsProject('esm', "  pgwarden.configs['recommended-js'],\n  { files: ['**/*.ts'], languageOptions: { parser: (await import('typescript-eslint')).default.parser } },");
    const results = await eslintFor(dir).lintFiles(['.']);
    const linted = results.filter((r) => r.messages.length).map((r) => toPosix(relative(dir, r.filePath)));
    expect(linted.sort()).toEqual(LINTED);
    const knex = results.find((r) => r.filePath.endsWith('20240101120000_order_status.js'))!;
    expect(knex.messages.map((m) => `${m.ruleId} ${m.line}:${m.column} ${m.severity}`)).toEqual([
      'pgwarden/js/require-default-for-not-null-column 10:5 2',
      'pgwarden/js/require-lock-timeout 10:5 1',
      'pgwarden/js/require-concurrent-index 13:19 2',
      'pgwarden/js/no-slow-statement-after-access-exclusive 13:19 2',
      'pgwarden/js/require-statement-timeout 13:19 1',
      'pgwarden/js/require-concurrent-index-drop 17:19 2',
      'pgwarden/js/require-lock-timeout 17:19 1',
    ]);
    expect(knex.messages[0]!.message).toMatch(/^ADD COLUMN orders\.status NOT NULL without a DEFAULT .* Help: /);
  });

  it('eslint-disable-next-line in a .ts file, and rule severities, through typescript-eslint', async () => {
    const dir = dirs.get('esm')!;
    const eslint = eslintFor(dir, {
      overrideConfig: { rules: { 'pgwarden/js/require-lock-timeout': 'off', 'pgwarden/js/no-drop-column': 'warn' } },
    });
    const lines = FILES[typeorm]!.split('\n');
    lines.splice(7, 0, '    // eslint-disable-next-line pgwarden/js/require-concurrent-index -- built before the table is used');
    const [result] = await eslint.lintText(lines.join('\n'), { filePath: join(dir, typeorm) });
    expect(result!.messages.map((m) => `${m.ruleId} ${m.line}:${m.column} ${m.severity}`)).toEqual([
      // Opt-in rules are on in this config: the migration states no header, and TypeORM's index name is not snake_case.
      'pgwarden/js/require-metadata 7:30 2',
      'pgwarden/js/no-slow-statement-after-access-exclusive 9:30 2',
      'pgwarden/js/require-statement-timeout 9:30 2',
      'pgwarden/js/naming-convention 9:50 2',
      'pgwarden/js/require-concurrent-index-drop 14:30 2',
      'pgwarden/js/no-drop-column 15:30 1',
      'pgwarden/js/require-where-clause 19:30 2',
    ]);
    expect(result!.suppressedMessages.map((m) => `${m.ruleId} ${m.line}:${m.column}`)).toEqual(['pgwarden/js/require-concurrent-index 9:30']);
  });

  it('settings.pgwarden sets the analysis options, and is validated', async () => {
    const dir = dirs.get('esm')!;
    const file = join(dir, 'extra/migrations/0003_options.js');
    const text = "exports.up = (pgm) => { pgm.sql('CREATE INDEX CONCURRENTLY i ON t (c)'); };\nexports.down = false;\n";
    const keys = async (settings: Record<string, unknown>) => {
      const [result] = await eslintFor(dir, { overrideConfig: { settings } }).lintText(text, { filePath: file });
      return result!.messages.map((m) => m.ruleId);
    };
    expect(await keys({})).toContain('pgwarden/js/transaction-incompatible-statement');
    expect(await keys({ pgwarden: { transaction: 'none' } })).not.toContain('pgwarden/js/transaction-incompatible-statement');
    await expect(keys({ pgwarden: { postgresVersion: 9 } })).rejects.toThrow(/settings\.pgwarden\.postgresVersion must be an integer from 10 to 18/);
  });

  it('the .sql rules still refuse JavaScript files', () => {
    const dir = jsProject('esm', "  { files: ['**/*.js'], plugins: { pgwarden }, rules: { 'pgwarden/no-drop-table': 'error' } },");
    const run = eslintCli(dir, ['extra/migrations/0001_unicode.js']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/do not support the language "js\/js"/);
  });
});

describe('the embedded analysis on a worker thread (CommonJS loads, before the parser is ready)', () => {
  it('gives the same reports as on the main thread', async () => {
    await loadParser();
    type WorkerClient = typeof import('../../src/eslint/worker-client.js');
    const { lintEmbeddedOnWorker, closeAnalysisWorker } = (await import(join(ROOT, 'dist/src/eslint/worker-client.js'))) as WorkerClient;
    const file = 'fixtures/embedded/dynamic/migrations/1700000000002_archive.ts';
    const request: EmbeddedRequest = { text: FILES[file]!, path: join(ROOT, file), cwd: ROOT, options: DEFAULT_SQL_OPTIONS };
    try {
      const reports = lintEmbeddedOnWorker(request);
      expect(reports).toEqual(lintEmbeddedForEslint(request));
      expect(reports[0]!.findings.map((f) => f.ruleId)).toContain('unanalyzable-statement');
    } finally {
      closeAnalysisWorker();
    }
  });
});
