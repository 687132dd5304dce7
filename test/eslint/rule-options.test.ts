import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Linter } from 'eslint';
import { loadParser } from '../../src/sql/parser.js';
import plugin from '../../src/eslint/index.js';
import { eslintCli, project, removeProjects } from './support.js';

await loadParser();

/**
 * ESLint rule options: `'pgwarden/<rule-id>': [severity, options]` reaches the pgwarden rule
 * (validated by the rule's schema, its defaults filling the rest), for `*.sql` files and for SQL
 * embedded in JS/TS migrations (`pgwarden/js/<rule-id>`).
 */
const tmp = mkdtempSync(join(tmpdir(), 'pgwarden-eslint-options-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  removeProjects();
});

const SQL = 'CREATE TABLE "UserAccount" (id bigint PRIMARY KEY, "createdAt" timestamptz);\n';
const KNEX = [
  'exports.up = async function (knex) {',
  '  await knex.raw(\'CREATE TABLE "UserAccount" (id bigint PRIMARY KEY, "createdAt" timestamptz)\');',
  '};',
  '',
].join('\n');

function messages(text: string, filename: string, rules: Linter.RulesRecord): string[] {
  const config: Linter.Config[] = [
    { files: ['**/*.sql'], plugins: { pgwarden: plugin }, language: 'pgwarden/sql' },
    { plugins: { pgwarden: plugin }, rules },
  ];
  return new Linter({ configType: 'flat', cwd: tmp })
    .verify(text, config, join(tmp, filename))
    .map((m) => `${m.ruleId} ${m.line}:${m.column} ${m.message.replace(/ Help: .*$/, '')}`);
}

describe('ESLint rule options', () => {
  it('reach the rule on SQL files: the configured pattern replaces the default, the other kinds keep theirs', () => {
    expect(messages(SQL, 'm.sql', { 'pgwarden/naming-convention': 'error' })).toEqual([
      'pgwarden/naming-convention 1:14 The table name "UserAccount" does not match the tables pattern ^[a-z_][a-z0-9_]*$.',
      'pgwarden/naming-convention 1:52 The column name "createdAt" does not match the columns pattern ^[a-z_][a-z0-9_]*$.',
    ]);
    expect(messages(SQL, 'm.sql', { 'pgwarden/naming-convention': ['error', { tables: '^[A-Z][A-Za-z]*$' }] })).toEqual([
      'pgwarden/naming-convention 1:52 The column name "createdAt" does not match the columns pattern ^[a-z_][a-z0-9_]*$.',
    ]);
  });

  it('reach the rule on SQL embedded in JS migrations', () => {
    const rules = { 'pgwarden/js/naming-convention': ['error', { tables: '.*', columns: '^[a-z][A-Za-z]*$' }] } as Linter.RulesRecord;
    expect(messages(KNEX, 'migrations/20240101_user.js', rules)).toEqual([]);
    expect(messages(KNEX, 'migrations/20240101_user.js', { 'pgwarden/js/naming-convention': 'error' })).toHaveLength(2);
  });

  it('are validated: by the JSON Schema ESLint checks, and by the rule’s own schema', () => {
    expect(() => messages(SQL, 'm.sql', { 'pgwarden/naming-convention': ['error', { tables: 5 }] })).toThrow(
      /Key "pgwarden\/naming-convention":\s+Value 5 should be string/,
    );
    expect(() => messages(SQL, 'm.sql', { 'pgwarden/naming-convention': ['error', { tabels: '.*' }] })).toThrow(/tabels/);
    expect(() => messages(SQL, 'm.sql', { 'pgwarden/naming-convention': ['error', { tables: '[' }] })).toThrow(
      'pgwarden/naming-convention: invalid options: tables: not a valid regular expression',
    );
    expect(() => messages(SQL, 'm.sql', { 'pgwarden/no-drop-table': ['error', { force: true }] })).toThrow(/Key "pgwarden\/no-drop-table"/);
  });

  it('work through the ESLint CLI with the built plugin', () => {
    const dir = project({
      files: { 'm/0001_user.sql': SQL },
      extraConfig: "  { rules: { 'pgwarden/require-metadata': ['error', { fields: ['ticket'] }], 'pgwarden/require-lock-timeout': 'off' } },",
    });
    const run = eslintCli(dir, ['--format', 'json', 'm']);
    expect(run.stderr).toBe('');
    const [result] = JSON.parse(run.stdout) as Array<{ messages: Array<{ ruleId: string; message: string }> }>;
    expect(result!.messages.map((m) => `${m.ruleId}: ${m.message.replace(/ Help: .*$/, '')}`)).toEqual([
      'pgwarden/require-metadata: The migration header does not state "ticket", which this project requires of every migration.',
    ]);
  });
});
