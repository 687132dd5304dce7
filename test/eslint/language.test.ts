import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Linter } from 'eslint';
import type { RuleDefinition, RuleVisitor } from '@eslint/core';
import { allRules } from '../../rules/index.js';
import { defaultSeverity } from '../../src/analysis/rule.js';
import { lintFile, lintText, type LintSettings } from '../../src/lint-file.js';
import { loadParser } from '../../src/sql/parser.js';
import { SourceFile } from '../../src/sql/source.js';
import plugin, { findingRule, type FindingSource, type MigrationNode, type StatementNode } from '../../src/eslint/index.js';
import { analyseForEslint, DEFAULT_SQL_OPTIONS, type AnalysisRequest } from '../../src/eslint/analysis.js';
import type { SqlSourceCode } from '../../src/eslint/source-code.js';
import { sqlFindingSource } from '../../src/eslint/sql-rules.js';
import { ROOT } from './support.js';

await loadParser();

/** ESLint's Linter with the plugin from the sources (the built one is tested through config files). */
type FlatConfig = Linter.Config;
const recommended = plugin.configs.recommended as FlatConfig;

function verify(text: string, filename: string, ...configs: FlatConfig[]): Linter.LintMessage[] {
  return new Linter({ configType: 'flat', cwd: tmp }).verify(text, [recommended, ...configs], filename);
}

const tmp = mkdtempSync(join(tmpdir(), 'pgwarden-eslint-lang-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const settings: LintSettings = {
  cwd: tmp,
  ...DEFAULT_SQL_OPTIONS,
  severities: new Map(allRules.map((rule) => [rule.meta.id, 'error'])),
  rules: allRules,
};

/** `pgwarden lint`'s findings and parse errors for the same text, as `ruleId line:column`. */
function pgwardenKeys(text: string, path: string): string[] {
  return lintText(text, path, settings, path)
    .flatMap((report) => [
      ...report.findings.map((f) => `pgwarden/${f.ruleId} ${f.line}:${f.column}-${f.endLine}:${f.endColumn}`),
      ...report.parseErrors.map((e) => `pgwarden/parse-error ${e.line}:${e.column}`),
    ])
    .sort();
}

/** The rules for `*.sql` files (the `js/` ones are for TS/JS migrations). */
function sqlRuleIds(): string[] {
  return Object.keys(plugin.rules).filter((id) => !id.startsWith('js/'));
}

const everyRuleOn: FlatConfig = {
  files: ['**/*.sql'],
  rules: Object.fromEntries(sqlRuleIds().map((id) => [`pgwarden/${id}`, 'error'])),
};

function eslintKeys(messages: readonly Linter.LintMessage[]): string[] {
  return messages
    .map((m) => (m.ruleId === 'pgwarden/parse-error' ? `${m.ruleId} ${m.line}:${m.column}` : `${m.ruleId} ${m.line}:${m.column}-${m.endLine}:${m.endColumn}`))
    .sort();
}

/** The tree and source code ESLint would build for `text`. */
function sourceCodeOf(text: string, path = join(tmp, 'tree.sql')): SqlSourceCode {
  const language = plugin.languages.sql;
  const result = language.parse({ path, physicalPath: path, bom: false, body: text }, { languageOptions: {} });
  if (!result.ok) throw new Error('parse failed');
  return language.createSourceCode({ path, physicalPath: path, bom: false, body: text }, result);
}

describe('pgwarden/sql positions', () => {
  it('reports at 1-based lines and UTF-16 columns, exactly where pgwarden lint does', () => {
    const path = join(tmp, 'positions.sql');
    const text = [
      "SET lock_timeout = '2s'; INSERT INTO notes VALUES ('😀 é ☃'); DROP TABLE legacy;",
      "\tUPDATE t SET a = '𝒳'; TRUNCATE t2;",
      'SELECT 1;\r\nDROP TABLE after_crlf;\u2028DROP TABLE after_ls;',
      'CREATE INDEX i ON t (a); SELEC broken;',
    ].join('\n');
    const messages = verify(text, path, everyRuleOn);
    expect(eslintKeys(messages)).toEqual(pgwardenKeys(text, path));
    // The DROP after the emoji (2 UTF-16 units) and the combining characters.
    expect(messages.find((m) => m.ruleId === 'pgwarden/no-drop-table')).toMatchObject({ line: 1, column: 63 });
    // U+2028 ends a line for ESLint and pgwarden (Postgres rejects it between statements).
    expect(messages.filter((m) => m.ruleId === 'pgwarden/parse-error').map((m) => [m.line, m.column, m.severity])).toEqual([
      [4, 23, 2],
      [6, 26, 2],
    ]);
    expect(messages.find((m) => m.ruleId === 'pgwarden/require-concurrent-index')).toMatchObject({ line: 6, column: 1 });
  });

  it('puts message and help in the message, and the whole statement in the range', () => {
    const [message] = verify('DROP TABLE legacy;\n', join(tmp, 'message.sql'), { rules: { 'pgwarden/require-lock-timeout': 'off' } });
    expect(message).toMatchObject({ ruleId: 'pgwarden/no-drop-table', line: 1, column: 1, endLine: 1, endColumn: 18, severity: 2 });
    const rule = allRules.find((r) => r.meta.id === 'no-drop-table')!;
    expect(message!.message).toBe(`DROP TABLE legacy deletes the table and all rows. Help: ${rule.meta.help}`);
  });
});

describe('pgwarden/sql tree', () => {
  const text = [
    '-- pgwarden:no-transaction',
    'CREATE TABLE t (id bigint /* inline */);',
    "DO $$ BEGIN EXECUTE 'x'; UPDATE t SET id = 1; END $$;",
    'CREATE INDEX CONCURRENTLY i ON t (id); -- trailing',
  ].join('\n');

  it('is a Migration of statements typed by their libpg-query node, DO bodies nested', () => {
    const code = sourceCodeOf(text);
    const ast: MigrationNode = code.ast;
    expect(ast).toMatchObject({ type: 'Migration', range: [0, text.length], loc: { start: { line: 1, column: 1 }, end: { line: 4, column: 51 } } });
    expect(ast.body.map((node) => node.type)).toEqual(['CreateStmt', 'DoStmt', 'IndexStmt']);
    const create = ast.body[0]!;
    expect(create).toMatchObject({ index: 0, range: [27, 66], loc: { start: { line: 2, column: 1 }, end: { line: 2, column: 40 } }, body: [] });
    expect(code.getText(create)).toBe('CREATE TABLE t (id bigint /* inline */)');
    expect(create.stmt).toHaveProperty('relation.relname', 't');
    const body = ast.body[1]!.body;
    expect(body.map((node) => node.type)).toEqual(['UpdateStmt']);
    expect(code.getParent(body[0]!)).toBe(ast.body[1]);
    expect(code.getParent(ast.body[1]!)).toBe(ast);
    expect(code.visitorKeys).toEqual({ Migration: ['body'], CreateStmt: ['body'], DoStmt: ['body'], UpdateStmt: ['body'], IndexStmt: ['body'] });
  });

  it('converts between indices and positions as pgwarden does, whatever the line breaks', () => {
    const mixed = "SELECT '😀';\r\nSELECT 2;\rSELECT 3;\u2028SELECT 4;\u2029\n\tSELECT 'é';";
    const code = sourceCodeOf(mixed);
    const source = new SourceFile('mixed.sql', mixed);
    for (let index = 0; index <= mixed.length; index++) {
      expect(code.getLocFromIndex(index)).toEqual(source.positionAt(index));
      if (mixed[index - 1] !== '\r' || mixed[index] !== '\n') expect(code.getIndexFromLoc(source.positionAt(index))).toBe(index);
    }
    expect(code.lines).toEqual(["SELECT '😀';", 'SELECT 2;', 'SELECT 3;', 'SELECT 4;', '', "\tSELECT 'é';"]);
  });

  it('lists every comment, inside statements too', () => {
    const code = sourceCodeOf(text);
    expect(code.comments.map((c) => [c.type, c.value, c.loc.start.line, c.loc.start.column])).toEqual([
      ['LineComment', ' pgwarden:no-transaction', 1, 1],
      ['BlockComment', ' inline ', 2, 27],
      ['LineComment', ' trailing', 4, 40],
    ]);
    expect(code.lines).toHaveLength(4);
  });

  it('lets custom rules use statement types, the :statement class and exit visitors', () => {
    const seen: string[] = [];
    const listener: RuleDefinition = {
      create: (): RuleVisitor => ({
        IndexStmt: (node: StatementNode) => seen.push(`index ${node.loc.start.line}`),
        'DoStmt > :statement': (node: StatementNode) => seen.push(`in DO ${node.type}`),
        'Migration:exit': () => seen.push('end'),
      }),
    };
    const messages = verify(text, join(tmp, 'custom.sql'), {
      plugins: { custom: { rules: { listener } } },
      rules: { 'custom/listener': 'error' },
    });
    expect(messages.filter((m) => m.fatal)).toEqual([]);
    expect(seen).toEqual(['in DO UpdateStmt', 'index 4', 'end']);
  });
});

describe('ESLint rule severities decide what is shown', () => {
  const text = "SET lock_timeout = '2s';\nDROP TABLE legacy;\nTRUNCATE audit;\n";

  it('a rule turned off reports nothing; one set to warn reports warnings', () => {
    const messages = verify(text, join(tmp, 'severity.sql'), {
      rules: { 'pgwarden/no-drop-table': 'off', 'pgwarden/no-truncate': 'warn' },
    });
    expect(messages.map((m) => [m.ruleId, m.line, m.severity])).toEqual([['pgwarden/no-truncate', 3, 1]]);
  });

  it('languageOptions set the Postgres version and transaction mode', () => {
    const rewrite = "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN c text DEFAULT 'x';\n";
    expect(verify(rewrite, join(tmp, 'pg16.sql'))).toEqual([]);
    expect(verify(rewrite, join(tmp, 'pg10.sql'), { languageOptions: { postgresVersion: 10 } }).map((m) => m.ruleId)).toEqual([
      'pgwarden/no-add-column-rewrite',
      'pgwarden/require-statement-timeout',
    ]);
    const concurrently = "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY i ON t (a);\n";
    expect(verify(concurrently, join(tmp, 'auto.sql'))).toEqual([]);
    expect(verify(concurrently, join(tmp, 'per-file.sql'), { languageOptions: { transaction: 'per-file' } }).map((m) => m.ruleId)).toEqual([
      'pgwarden/transaction-incompatible-statement',
    ]);
  });

  it('refuses invalid languageOptions, naming the key', () => {
    expect(() => verify('SELECT 1;', join(tmp, 'bad.sql'), { languageOptions: { postgresVersion: 9 } })).toThrow(/postgresVersion must be an integer from 10 to 18/);
    expect(() => verify('SELECT 1;', join(tmp, 'bad.sql'), { languageOptions: { transaction: 'always' } })).toThrow(/transaction must be one of auto, per-file, implicit, none/);
    expect(() => verify('SELECT 1;', join(tmp, 'bad.sql'), { languageOptions: { ecmaVersion: 2020 } })).toThrow(/unknown languageOptions key "ecmaVersion"/);
  });
});

describe('layouts through ESLint', () => {
  it('pairs up and down files by path, as pgwarden lint does', () => {
    const up = "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN note text;\n";
    writeFileSync(join(tmp, '0001_note.up.sql'), up);
    const ruleIds = (file: string) => verify(up, join(tmp, file)).map((m) => m.ruleId);
    expect(ruleIds('0001_note.up.sql')).toEqual(['pgwarden/require-rollback']);
    writeFileSync(join(tmp, '0001_note.down.sql'), 'ALTER TABLE t DROP COLUMN note;\n');
    expect(ruleIds('0001_note.up.sql')).toEqual([]);
    // Standard input without a file name is a plain migration.
    expect(new Linter({ configType: 'flat', cwd: tmp }).verify(up, [{ ...recommended, files: ['**'] }]).map((m) => m.ruleId)).toEqual([]);
  });

  it('a file pgwarden cannot analyse at all is a parsing error (here: its down part is a directory)', () => {
    mkdirSync(join(tmp, '0003_odd.down.sql'));
    const text = 'ALTER TABLE t ADD COLUMN note text;\n';
    // pgwarden lint reports it as a parse error at 1:1 too.
    const outcome = lintFile(() => text, '0003_odd.up.sql', settings, join(tmp, '0003_odd.up.sql'));
    expect(outcome.reports[0]!.parseErrors).toEqual([{ message: expect.stringMatching(/^pgwarden could not analyse this file: EISDIR/), line: 1, column: 1 }]);
    const messages = verify(text, join(tmp, '0003_odd.up.sql'));
    expect(messages).toEqual([
      expect.objectContaining({ ruleId: null, fatal: true, severity: 2, line: 1, column: 1, message: expect.stringMatching(/^Parsing error: pgwarden could not analyse this file: EISDIR/) }),
    ]);
  });

  it('reports both sections of a sections-layout file', () => {
    const text = '-- migrate:up\nDROP TABLE a;\n-- migrate:down\nDROP TABLE b;\n';
    const path = join(tmp, '20240101_sections.sql');
    expect(eslintKeys(verify(text, path, everyRuleOn))).toEqual(pgwardenKeys(text, path));
    expect(verify(text, path, everyRuleOn).filter((m) => m.ruleId === 'pgwarden/no-drop-table').map((m) => m.line)).toEqual([2, 4]);
  });
});

describe('generated rules', () => {
  it('has one rule per pgwarden rule, from its meta, and parse-error, for SQL and for JS/TS (js/)', () => {
    const ids = [...allRules.map((r) => r.meta.id), 'parse-error'];
    expect(Object.keys(plugin.rules).sort()).toEqual([...ids, ...ids.map((id) => `js/${id}`)].sort());
    for (const { meta } of allRules) {
      expect(plugin.rules[`js/${meta.id}`]!.meta).toMatchObject({ docs: { description: meta.summary }, languages: ['js/js'] });
    }
    for (const { meta } of allRules) {
      const rule = plugin.rules[meta.id]!;
      expect(rule.meta).toMatchObject({
        type: 'problem',
        docs: { description: meta.summary, risk: meta.risk },
        // A rule with options takes one options object, described by the JSON Schema of its zod schema.
        schema: meta.options ? [{ type: 'object', properties: expect.any(Object), additionalProperties: false }] : [],
        languages: ['pgwarden/sql'],
      });
      expect(rule.meta?.docs?.url).toMatch(new RegExp(`/docs/rules/${meta.id}\\.md$`));
      // Rules whose findings may carry a fix: applied by --fix, or suggested when it needs a follow-up migration.
      expect(rule.meta?.fixable).toBe(meta.fix ? 'code' : undefined);
      expect(rule.meta?.hasSuggestions).toBe(meta.fix ? true : undefined);
    }
    expect(plugin.meta).toEqual({ name: 'pgwarden', version: expect.stringMatching(/^\d+\.\d+\.\d+/), namespace: 'pgwarden' });
  });

  it('recommended: every SQL file, the language, every non-opt-in rule at its default severity', () => {
    const expected = Object.fromEntries(
      allRules.filter((r) => !r.meta.optIn).map((r) => [`pgwarden/${r.meta.id}`, defaultSeverity(r.meta) === 'error' ? 'error' : 'warn']),
    );
    expect(plugin.configs.recommended).toEqual({
      name: 'pgwarden/recommended',
      files: ['**/*.sql'],
      plugins: { pgwarden: plugin },
      language: 'pgwarden/sql',
      rules: { ...expected, 'pgwarden/parse-error': 'error' },
    });
  });

  it('passes a finding’s fix and suggestions through to ESLint', () => {
    const meta = allRules.find((r) => r.meta.id === 'require-concurrent-index')!.meta;
    const source: FindingSource<SqlSourceCode> = {
      ...sqlFindingSource,
      findings: (context, ruleId) =>
        sqlFindingSource.findings(context, ruleId).map((finding) => ({
          ...finding,
          fix: [{ start: 12, end: 12, text: ' CONCURRENTLY' }],
          suggestions: [{ description: 'Build it concurrently', edits: [{ start: 12, end: 12, text: ' CONCURRENTLY' }] }],
        })),
    };
    const config: FlatConfig[] = [
      { ...recommended, rules: {} },
      { plugins: { future: { rules: { 'require-concurrent-index': findingRule(meta, source) } } }, rules: { 'future/require-concurrent-index': 'error' } },
    ];
    const text = 'CREATE INDEX i ON t (a);\n';
    const linter = new Linter({ configType: 'flat', cwd: tmp });
    const [message] = linter.verify(text, config, join(tmp, 'fix.sql'));
    expect(message).toMatchObject({
      ruleId: 'future/require-concurrent-index',
      fix: { range: [12, 12], text: ' CONCURRENTLY' },
      suggestions: [{ desc: 'Build it concurrently', fix: { range: [12, 12], text: ' CONCURRENTLY' } }],
    });
    expect(linter.verifyAndFix(text, config, join(tmp, 'fix.sql')).output).toBe('CREATE INDEX CONCURRENTLY i ON t (a);\n');
  });
});

describe('the analysis on a worker thread (CommonJS loads, before the parser is ready)', () => {
  it('gives the same analysis as on the main thread', async () => {
    type WorkerClient = typeof import('../../src/eslint/worker-client.js');
    const { analyseOnWorker, closeAnalysisWorker } = (await import(join(ROOT, 'dist/src/eslint/worker-client.js'))) as WorkerClient;
    const request: AnalysisRequest = {
      text: "DO $$ BEGIN UPDATE t SET a = 1; END $$;\nDROP TABLE legacy; -- é\nSELEC 1;\n",
      path: join(tmp, '0002_worker.up.sql'),
      cwd: tmp,
      options: { ...DEFAULT_SQL_OPTIONS, postgresVersion: 11 },
    };
    try {
      expect(analyseOnWorker(request)).toEqual(analyseForEslint(request));
      expect(analyseOnWorker({ ...request, text: 'TRUNCATE t;' }).findings.map((f) => f.ruleId)).toContain('no-truncate');
    } finally {
      closeAnalysisWorker();
    }
  });
});
