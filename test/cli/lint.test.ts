import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { project, runCli as run } from '../support/cli.js';
import { ReportSchema, type Report } from '../../src/report/schema.js';

const bin = join(import.meta.dirname, '../../bin/pgwarden.js');
/** An ANSI escape sequence: ESC followed by [. */
const ANSI = new RegExp(String.fromCharCode(27) + '\\[');
const reportSchema = JSON.parse(readFileSync(join(import.meta.dirname, '../../schemas/report.schema.json'), 'utf8'));

const DROP = "SET lock_timeout = '2s';\nDROP TABLE legacy;\n";
const INDEX = '-- a medium-risk migration\nCREATE INDEX orders_placed_idx ON orders (placed_at);\n';
const CLEAN = 'CREATE TABLE t (id bigint PRIMARY KEY);\n';

describe('pgwarden lint (text)', () => {
  it('prints the file, position, risk, rule, message, excerpt with caret, help and a summary', async () => {
    const cwd = project({ 'migrations/0001_drop.sql': DROP });
    const { code, stdout } = await run(cwd, ['lint', 'migrations']);
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('migrations/0001_drop.sql  risk high');
    expect(lines[1]).toMatch(/^ {2}2:1 {2}error {2}high {2}no-drop-table \[ACCESS EXCLUSIVE\] {2}DROP TABLE legacy deletes/);
    expect(lines[2]).toBe('    2 | DROP TABLE legacy;');
    expect(lines[3]).toBe('      | ' + '^'.repeat('DROP TABLE legacy'.length));
    expect(lines[4]).toMatch(/^ {6}help: /);
    expect(stdout).toMatch(/✖ 1 finding \(1 error, 0 warnings\) in 1 file · highest risk: high\n$/);
  });

  it('reports parse errors with their location and keeps the other statements’ findings', async () => {
    const cwd = project({ 'broken.sql': 'SELEC 1;\nDROP TABLE legacy;\n' });
    const { code, stdout } = await run(cwd, ['lint', 'broken.sql']);
    expect(code).toBe(1);
    expect(stdout).toContain('1:1  parse error  syntax error at or near "SELEC"');
    expect(stdout).toContain('no-drop-table');
    expect(stdout).toContain('and 1 parse error in 1 file');
  });

  it('colours only on a terminal, never with NO_COLOR or --no-color', async () => {
    const cwd = project({ 'a.sql': DROP });
    expect((await run(cwd, ['lint', 'a.sql'], { tty: true })).stdout).toMatch(ANSI);
    expect((await run(cwd, ['lint', 'a.sql'], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(ANSI);
    expect((await run(cwd, ['lint', 'a.sql', '--no-color'], { tty: true })).stdout).not.toMatch(ANSI);
    expect((await run(cwd, ['lint', 'a.sql'])).stdout).not.toMatch(ANSI);
    expect((await run(cwd, ['lint', 'a.sql', '--color'])).stdout).toMatch(ANSI);
  });

  it('exits 0 when nothing fails and says so', async () => {
    const { code, stdout } = await run(project({ 'a.sql': CLEAN }), ['lint', 'a.sql']);
    expect(code).toBe(0);
    expect(stdout).toBe('✔ 0 findings (0 errors, 0 warnings) in 1 file · highest risk: low\n');
  });
});

describe('pgwarden lint (inputs and exit codes)', () => {
  it('takes files, directories recursively and globs', async () => {
    const cwd = project({ 'db/a/1.up.sql': DROP, 'db/b/2.up.sql': INDEX, 'other/3.sql': CLEAN, 'notes.txt': 'x' });
    const paths = async (args: string[]) =>
      (JSON.parse((await run(cwd, ['lint', '--format', 'json', ...args])).stdout) as Report).files.map((f) => f.path);
    expect(await paths(['db'])).toEqual(['db/a/1.up.sql', 'db/b/2.up.sql']);
    expect(await paths(['**/*.up.sql', 'other/3.sql'])).toEqual(['db/a/1.up.sql', 'db/b/2.up.sql', 'other/3.sql']);
  });

  it('reads standard input for -', async () => {
    const cwd = project({});
    const { code, stdout } = await run(cwd, ['lint', '-', '--stdin-filename', 'piped.sql', '--format', 'json'], { stdin: DROP });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as Report;
    expect(report.files.map((f) => [f.path, f.risk])).toEqual([['piped.sql', 'high']]);
  });

  it('exits 2 for a missing path but still reports the files it found', async () => {
    const cwd = project({ 'a.sql': DROP });
    const { code, stdout, stderr } = await run(cwd, ['lint', 'a.sql', 'missing.sql', 'nothing/**/*.sql', '--format', 'json']);
    expect(code).toBe(2);
    expect(stderr).toContain('No such file or directory: "missing.sql"');
    expect(stderr).toContain('No files match the pattern "nothing/**/*.sql"');
    expect((JSON.parse(stdout) as Report).files).toHaveLength(1);
  });

  it('--max-risk fails files above the level even without error findings', async () => {
    const cwd = project({ 'a.sql': INDEX });
    expect((await run(cwd, ['lint', 'a.sql', '--rule', 'require-concurrent-index=warning'])).code).toBe(0);
    const strict = await run(cwd, ['lint', 'a.sql', '--rule', 'require-concurrent-index=warning', '--max-risk', 'low']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('above --max-risk low');
    expect((await run(cwd, ['lint', 'a.sql', '--max-risk', 'extreme'])).code).toBe(2);
  });

  it('--rule sets severities and rejects unknown rules', async () => {
    const cwd = project({ 'a.sql': DROP });
    expect((await run(cwd, ['lint', 'a.sql', '--rule', 'no-drop-table=off'])).code).toBe(0);
    const bad = await run(cwd, ['lint', 'a.sql', '--rule', 'no-such-rule=off']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown rule "no-such-rule"');
  });

  it('--postgres-version is validated and reported', async () => {
    const cwd = project({ 'a.sql': CLEAN });
    expect(JSON.parse((await run(cwd, ['lint', 'a.sql', '--format', 'json', '--postgres-version', '12'])).stdout).postgresVersion).toBe(12);
    expect((await run(cwd, ['lint', 'a.sql', '--postgres-version', 'nine'])).code).toBe(2);
  });

  it('reads the config file and names the offending key when it is invalid', async () => {
    const ok = project({ 'a.sql': DROP, '.pgwardenrc.json': JSON.stringify({ rules: { 'no-drop-table': 'warning' } }) });
    expect((await run(ok, ['lint', 'a.sql'])).code).toBe(0);
    const bad = project({ 'a.sql': DROP, '.pgwardenrc.json': JSON.stringify({ migrations: { layout: 'sideways' }, colour: true }) });
    const result = await run(bad, ['lint', 'a.sql']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Invalid configuration in .pgwardenrc.json');
    expect(result.stderr).toContain('migrations.layout:');
    expect(result.stderr).toContain('colour: unknown key');
  });

  it('lints migrations.dir when no path is given', async () => {
    const cwd = project({ 'db/migrate/1.sql': DROP, '.pgwardenrc.json': JSON.stringify({ migrations: { dir: 'db/migrate' } }) });
    const { stdout } = await run(cwd, ['lint', '--format', 'json']);
    expect((JSON.parse(stdout) as Report).files.map((f) => f.path)).toEqual(['db/migrate/1.sql']);
  });

  it('--output writes the report to a file', async () => {
    const cwd = project({ 'a.sql': DROP });
    const { stdout } = await run(cwd, ['lint', 'a.sql', '--format', 'json', '--output', 'report.json']);
    expect(stdout).toBe('');
    expect(JSON.parse(readFileSync(join(cwd, 'report.json'), 'utf8')).summary.risk).toBe('high');
  });
});

describe('pgwarden lint --format json', () => {
  it('matches the report contract and schemas/report.schema.json', async () => {
    const cwd = project({
      'm/0001_a.up.sql': '-- Risk Level: LOW\n' + DROP,
      'm/0002_b.up.sql': INDEX + 'SELEC;\n',
      'm/0002_b.down.sql': 'DROP INDEX orders_placed_idx;\n',
    });
    const { stdout } = await run(cwd, ['lint', 'm', '--format', 'json']);
    const report = JSON.parse(stdout) as Report;
    const validate = new Ajv2020({ allErrors: true }).compile(reportSchema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(ReportSchema.parse(report)).toEqual(report);
    const up = report.files.find((f) => f.path === 'm/0002_b.up.sql')!;
    expect(up.migration).toEqual({ id: '0002_b', direction: 'up', rollback: 'm/0002_b.down.sql' });
    expect(up.parseErrors).toEqual([{ message: 'syntax error at or near "SELEC"', line: 3, column: 1 }]);
    expect(up.findings[0]).toMatchObject({ ruleId: 'require-concurrent-index', line: 2, column: 1, endLine: 2, endColumn: 53, lock: 'SHARE' });
    expect(report.files.find((f) => f.path === 'm/0001_a.up.sql')!.declaredRisk).toBe('low');
    expect(report.summary).toMatchObject({ files: 3, parseErrors: 1, risk: 'high' });
  });
});

describe('pgwarden (as a process)', () => {
  it('reads piped standard input, prints no colour into a pipe, and exits 1 on findings', () => {
    const result = spawnSync(process.execPath, [bin, 'lint', '-'], { input: DROP, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '' } });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('<stdin>  risk high');
    expect(result.stdout).not.toMatch(ANSI);
  });

  it('exits 2 on a usage error', () => {
    const result = spawnSync(process.execPath, [bin, 'lint', '--format', 'yaml'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('yaml');
  });

  it('explains a rule from its metadata', () => {
    const result = spawnSync(process.execPath, [bin, 'explain', 'no-drop-table'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^# no-drop-table\n/);
    expect(result.stdout).toContain('## Safe rewrite');
    const unknown = spawnSync(process.execPath, [bin, 'explain', 'drop-table'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Did you mean no-drop-table');
  });
});
