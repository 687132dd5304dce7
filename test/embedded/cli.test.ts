import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Report } from '../../src/report/schema.js';
import { project, runCli } from '../support/cli.js';

const run = (cwd: string, args: string[], stdin = '') => runCli(cwd, args, { stdin });

const root = join(import.meta.dirname, '../..');
const reportSchema = JSON.parse(readFileSync(join(root, 'schemas/report.schema.json'), 'utf8'));
const typeorm = readFileSync(join(root, 'fixtures/embedded/typeorm/src/migration/1700000000000-AddUserEmail.ts'), 'utf8');
const knex = readFileSync(join(root, 'fixtures/embedded/knex/migrations/20240101120000_order_status.js'), 'utf8');

describe('pgwarden lint on TS/JS migrations', () => {
  it('lints a .ts file named on the command line, with excerpts from the TS source', async () => {
    const cwd = project({ 'src/migration/1700000000000-AddUserEmail.ts': typeorm });
    const { code, stdout, stderr } = await run(cwd, ['lint', 'src/migration/1700000000000-AddUserEmail.ts']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('src/migration/1700000000000-AddUserEmail.ts  risk high');
    const index = lines.findIndex((l) => l.includes('require-concurrent-index'));
    expect(lines[index]).toMatch(/^ {2}8:30 {2}error {2}medium {2}require-concurrent-index \[SHARE\] {2}CREATE UNIQUE INDEX on existing table user/);
    expect(lines[index + 1]).toBe('    8 |     await queryRunner.query(`CREATE UNIQUE INDEX "IDX_user_email" ON "user" ("email")`);');
    expect(lines[index + 2]).toBe('      | ' + ' '.repeat(29) + '^'.repeat(56));
    expect(stdout).toContain('src/migration/1700000000000-AddUserEmail.ts (down)  risk high');
  });

  it('prints JSON that matches the report schema, with TS/JS positions', async () => {
    const cwd = project({ 'migrations/20240101120000_order_status.js': knex });
    const { code, stdout } = await run(cwd, ['lint', 'migrations/20240101120000_order_status.js', '--format', 'json']);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as Report;
    const validate = new Ajv2020({ strict: false }).compile(reportSchema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.files.map((f) => [f.path, f.migration?.direction])).toEqual([
      ['migrations/20240101120000_order_status.js', 'up'],
      ['migrations/20240101120000_order_status.js', 'down'],
    ]);
    expect(report.files[0]!.findings.find((f) => f.ruleId === 'require-concurrent-index')).toMatchObject({
      line: 13,
      column: 19,
      endLine: 13,
      endColumn: 49,
    });
  });

  it('gives SARIF results the TS/JS file and its lines', async () => {
    const cwd = project({ 'migrations/20240101120000_order_status.js': knex });
    const { stdout } = await run(cwd, ['lint', 'migrations/20240101120000_order_status.js', '--format', 'sarif']);
    const sarif = JSON.parse(stdout) as {
      runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }> }> }>;
    };
    const result = sarif.runs[0]!.results.find((r) => r.ruleId === 'require-concurrent-index')!;
    expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toBe('migrations/20240101120000_order_status.js');
    expect(result.locations[0]!.physicalLocation.region).toMatchObject({ startLine: 13, startColumn: 19 });
  });

  it('finds numbered TS/JS files in migrations folders, and only there, when given a directory', async () => {
    const cwd = project({
      'migrations/0001_init.sql': 'CREATE TABLE t (id bigint PRIMARY KEY);\n',
      'migrations/1700000000000_add-note.js': "exports.up = (pgm) => pgm.sql('ALTER TABLE t ADD COLUMN note text');\nexports.down = false;\n",
      'migrations/run-migrations.js': 'client.query(readFileSync(file, "utf8"));\n',
      'migrations/types.d.ts': 'export type X = 1;\n',
      'src/migration/1700000000001-Tag.ts': "export class Tag { async up(q) { await q.query('SELECT 1'); } async down(q) {} }\n",
      'scripts/20240101_backfill.js': "db.query('DROP TABLE t');\n",
    });
    const paths = async (input: string) =>
      (JSON.parse((await run(cwd, ['lint', input, '--format', 'json'])).stdout) as Report).files.map((f) => f.path);
    expect([...new Set(await paths('.'))]).toEqual([
      'migrations/0001_init.sql',
      'migrations/1700000000000_add-note.js',
      'src/migration/1700000000001-Tag.ts',
    ]);
    expect([...new Set(await paths('migrations'))]).toEqual(['migrations/0001_init.sql', 'migrations/1700000000000_add-note.js']);
    // Named or globbed, any TS/JS file is linted.
    expect(await paths('scripts/20240101_backfill.js')).toEqual(['scripts/20240101_backfill.js']);
    expect(await paths('migrations/*.js')).toEqual(['migrations/1700000000000_add-note.js', 'migrations/run-migrations.js']);
  });

  it('reads standard input as TS/JS when --stdin-filename says so', async () => {
    const { code, stdout } = await run(project({}), ['lint', '-', '--stdin-filename', 'm.ts', '--format', 'json'], "exports.up = (pgm) => pgm.sql(`DROP TABLE legacy`);\nexports.down = false;\n");
    expect(code).toBe(1);
    const [file] = (JSON.parse(stdout) as Report).files;
    expect(file!.findings.map((f) => [f.ruleId, f.line, f.column])).toContainEqual(['no-drop-table', 1, 32]);
  });

  it('never loads typescript to lint .sql files', () => {
    const cwd = project({ 'a.sql': 'DROP TABLE t;\n', 'b.js': "exports.up = (pgm) => pgm.sql('SELECT 1');\n" });
    const script = [
      "import { createRequire } from 'node:module';",
      `import { lintPaths, settingsFromConfig } from ${JSON.stringify(join(root, 'dist/src/lint.js'))};`,
      `import { ConfigSchema } from ${JSON.stringify(join(root, 'dist/src/config/schema.js'))};`,
      'const settings = settingsFromConfig(ConfigSchema.parse({}), process.cwd());',
      'const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((p) => /[\\\\/]typescript[\\\\/]/.test(p));',
      "await lintPaths(['a.sql'], settings);",
      'const afterSql = loaded();',
      "await lintPaths(['b.js'], settings);",
      'console.log(JSON.stringify([afterSql, loaded()]));',
    ].join('\n');
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('[false,true]');
  });
});
