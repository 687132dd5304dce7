import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { project, runCli } from '../support/cli.js';
import type { Report } from '../../src/report/schema.js';
import { HistoryReplay, listHistory } from '../../src/migrations/replay.js';
import { loadParser } from '../../src/sql/parser.js';

await loadParser();

const bin = join(import.meta.dirname, '../../bin/pgwarden.js');

const USERS = [
  'CREATE TABLE users (id bigint PRIMARY KEY, name varchar(50), bio varchar(50), visits integer, age integer);',
  'CREATE VIEW adults AS SELECT id, name FROM users WHERE age >= 18;',
  'ALTER TABLE users ADD CONSTRAINT users_age_present CHECK (age IS NOT NULL);',
].join('\n');
const CHANGES = [
  "SET lock_timeout = '2s';",
  'ALTER TABLE users ALTER COLUMN bio TYPE text;',
  'ALTER TABLE users ALTER COLUMN visits TYPE bigint;',
  'ALTER TABLE users ALTER COLUMN age SET NOT NULL;',
].join('\n');
const DROP_NAME = "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN name;";

/** The rules whose findings depend on what earlier migrations created. */
const SCHEMA_RULES = new Set(['no-column-type-change', 'set-not-null', 'dependent-objects', 'no-drop-column']);

/** Those rules' findings per reported path (both parts of a sections file together), with the statement's line. */
function findingsByFile(report: Report): Record<string, string[]> {
  const byPath: Record<string, string[]> = {};
  for (const file of report.files) {
    const findings = file.findings.filter((f) => SCHEMA_RULES.has(f.ruleId));
    (byPath[file.path] ??= []).push(...findings.map((f) => `${f.line}:${f.ruleId}`));
  }
  return byPath;
}

async function lint(cwd: string, ...paths: string[]): Promise<Record<string, string[]>> {
  const result = await runCli(cwd, ['lint', ...paths, '--format', 'json', '--rule', 'require-rollback=off']);
  expect(result.stderr).toBe('');
  return findingsByFile(JSON.parse(result.stdout) as Report);
}

describe('schema model across migrations', () => {
  const layouts = {
    'paired-files': (n: string, up: string) => ({ [`db/${n}.up.sql`]: up, [`db/${n}.down.sql`]: 'SELECT 1;' }),
    'directory-pairs': (n: string, up: string) => ({ [`db/${n}/up.sql`]: up, [`db/${n}/down.sql`]: 'SELECT 1;' }),
    sections: (n: string, up: string) => ({ [`db/${n}.sql`]: `-- migrate:up\n${up}\n-- migrate:down\nSELECT 1;\n` }),
  };
  for (const [layout, files] of Object.entries(layouts)) {
    it(`knows what earlier migrations created (${layout})`, async () => {
      // Created out of order on disk, numbered so that 10 runs after 9.
      const cwd = project({ ...files('10_drop_name', DROP_NAME), ...files('9_changes', CHANGES), ...files('1_users', USERS) });
      const offset = layout === 'sections' ? 1 : 0;
      const path = (n: string) => Object.keys(files(n, '')).find((p) => !p.includes('down'))!;
      const expected = {
        // varchar(50) → text keeps the bytes; int → bigint rewrites; the earlier validated CHECK makes SET NOT NULL a catalog change.
        [path('9_changes')]: [`${3 + offset}:no-column-type-change`],
        [path('10_drop_name')]: [`${2 + offset}:dependent-objects`, `${2 + offset}:no-drop-column`],
      };
      const whole = await lint(cwd, 'db');
      expect(whole).toMatchObject({ ...expected, [path('1_users')]: [] });
      // A pre-commit hook lints one staged file: the earlier migrations are replayed from disk.
      expect(await lint(cwd, path('10_drop_name'))).toEqual({ [path('10_drop_name')]: expected[path('10_drop_name')] });
      expect(await lint(cwd, path('9_changes'))).toEqual({ [path('9_changes')]: expected[path('9_changes')] });
    });
  }

  it('without the earlier migrations, stays cautious about what it cannot see', async () => {
    const cwd = project({ 'db/9_changes.up.sql': CHANGES, 'db/9_changes.down.sql': 'SELECT 1;' });
    expect(await lint(cwd, 'db')).toEqual({
      'db/9_changes.up.sql': ['2:no-column-type-change', '3:no-column-type-change', '4:set-not-null'],
      'db/9_changes.down.sql': [],
    });
  });

  it('lists a history in the order its migrations run, up parts only', () => {
    const cwd = project({
      'db/V10__b.sql': '',
      'db/V2__a.sql': '',
      'db/U2__a.sql': '',
      'db/R__views.sql': '',
      'db/notes.txt': '',
    });
    expect(listHistory(join(cwd, 'db'), 'auto').map((m) => m.key)).toEqual(['2__a', '10__b', '\uffffR__views']);
  });

  it('orders Diesel ids with and without dashes as the timestamps they are', () => {
    const cwd = project({
      'db/2018-04-24-145128_second/up.sql': '',
      'db/20170322130523_first/up.sql': '',
      'db/2019-03-22-170700_third/up.sql': '',
    });
    expect(listHistory(join(cwd, 'db'), 'auto').map((m) => m.key)).toEqual([
      '20170322130523_first',
      '2018-04-24-145128_second',
      '2019-03-22-170700_third',
    ]);
  });

  it('replays again when an earlier migration changes (long-lived processes)', () => {
    const cwd = project({ 'db/1_t.up.sql': 'CREATE TABLE t (a varchar(10));', 'db/2_u.up.sql': 'SELECT 1;' });
    const replay = new HistoryReplay('auto', true);
    const second = join(cwd, 'db/2_u.up.sql');
    expect(replay.before(second)?.relations.get('t')?.columns.get('a')?.type.name).toBe('varchar');
    replay.analysed(second);
    writeFileSync(join(cwd, 'db/1_t.up.sql'), 'CREATE TABLE t (a text, b int);');
    expect([...(replay.before(second)?.relations.get('t')?.columns.keys() ?? [])]).toEqual(['a', 'b']);
  });

  it('gives worker threads whole histories, with the same findings as one thread', () => {
    const files: Record<string, string> = {};
    for (let h = 0; h < 4; h++) {
      for (let i = 1; i <= 60; i++) files[`h${h}/${String(i).padStart(3, '0')}_m.up.sql`] = `CREATE TABLE t${i} (v varchar(20));`;
      files[`h${h}/061_m.up.sql`] = "SET lock_timeout = '2s';\nALTER TABLE t7 ALTER COLUMN v TYPE text;\nALTER TABLE t8 ALTER COLUMN v TYPE int;";
    }
    const cwd = project(files);
    const run = (threads: string) =>
      spawnSync(process.execPath, [bin, 'lint', '.', '--format', 'json', '--rule', 'require-rollback=off'], {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, PGWARDEN_THREADS: threads },
        maxBuffer: 1 << 26,
      });
    const parallel = run('2');
    expect(parallel.status).toBe(1);
    const findings = findingsByFile(JSON.parse(parallel.stdout) as Report);
    for (let h = 0; h < 4; h++) expect(findings[`h${h}/061_m.up.sql`]).toEqual(['3:no-column-type-change']);
    expect(findings).toEqual(findingsByFile(JSON.parse(run('1').stdout) as Report));
  });
});
