import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import type { LayoutSetting } from '../../src/migrations/layout.js';
import { newMigration, NewMigrationError, slugName } from '../../src/migrations/new-migration.js';
import { lintPaths, settingsFromConfig } from '../../src/lint.js';

const NOW = new Date(Date.UTC(2025, 2, 4, 5, 6, 7));
const STAMP = '20250304050607';
const roots: string[] = [];

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A temporary migrations directory holding `files` (path → SQL). */
function migrationsDir(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'pgwarden-new-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const rel = (root: string, paths: readonly string[]) => paths.map((p) => relative(root, p).split(sep).join('/'));

async function create(root: string, name: string, layout: LayoutSetting = 'auto', now = NOW) {
  const created = await newMigration({ dir: '.', layout, name, now, cwd: root });
  return { ...created, files: rel(root, created.files) };
}

/** What `pgwarden lint` makes of the given files: migration id, direction, rollback, finding rule ids and messages. */
async function lintRows(root: string, files: readonly string[], layout: LayoutSetting = 'auto') {
  const settings = settingsFromConfig(ConfigSchema.parse({ migrations: { layout } }), root);
  const { report } = await lintPaths(files, settings);
  return report.files.map((file) => ({
    path: file.path,
    id: file.migration?.id,
    direction: file.migration?.direction,
    rollback: file.migration?.rollback,
    findings: file.findings.map((f) => `${f.ruleId}: ${f.message}`),
  }));
}

const UNFILLED = 'declared-risk-mismatch: Unknown declared risk "TODO" (expected low, medium or high).';

describe('pgwarden new: each layout', () => {
  it('paired files continue a zero-padded sequence, and lint reads the pair', async () => {
    const root = migrationsDir({
      '000001_create_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      '000001_create_users.down.sql': 'DROP TABLE users;\n',
    });
    const created = await create(root, 'Add email');
    expect(created).toEqual({
      id: '000002_add_email',
      layout: 'paired-files',
      files: ['000002_add_email.up.sql', '000002_add_email.down.sql'],
    });
    expect(await lintRows(root, created.files)).toEqual([
      { path: '000002_add_email.down.sql', id: '000002_add_email', direction: 'down', rollback: null, findings: [] },
      { path: '000002_add_email.up.sql', id: '000002_add_email', direction: 'up', rollback: '000002_add_email.down.sql', findings: [UNFILLED] },
    ]);
  });

  it('directory pairs (Diesel) get a YYYY-MM-DD-HHMMSS directory with up.sql and down.sql', async () => {
    const root = migrationsDir({
      '00000000000000_diesel_initial_setup/up.sql': 'SELECT 1;\n',
      '00000000000000_diesel_initial_setup/down.sql': 'SELECT 1;\n',
      '2024-01-01-000000_create_users/up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      '2024-01-01-000000_create_users/down.sql': 'DROP TABLE users;\n',
    });
    const created = await create(root, 'add_email');
    const id = '2025-03-04-050607_add_email';
    expect(created).toEqual({ id, layout: 'directory-pairs', files: [`${id}/up.sql`, `${id}/down.sql`] });
    expect(await lintRows(root, created.files)).toEqual([
      { path: `${id}/down.sql`, id, direction: 'down', rollback: null, findings: [] },
      { path: `${id}/up.sql`, id, direction: 'up', rollback: `${id}/down.sql`, findings: [UNFILLED] },
    ]);
  });

  it('sections (dbmate) write one file with -- migrate:up and -- migrate:down', async () => {
    const root = migrationsDir({
      '20240101000000_create_users.sql': '-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE users;\n',
    });
    const created = await create(root, 'add email');
    const id = `${STAMP}_add_email`;
    expect(created).toEqual({ id, layout: 'sections', files: [`${id}.sql`] });
    const text = readFileSync(join(root, `${id}.sql`), 'utf8');
    expect(text.startsWith('-- migrate:up\n-- Risk Level: TODO\n')).toBe(true);
    expect(text).toMatch(/^-- migrate:down\n-- Rollback of the migrate:up section above/m);
    expect(await lintRows(root, created.files)).toEqual([
      { path: `${id}.sql`, id, direction: 'up', rollback: `${id}.sql`, findings: [UNFILLED] },
      { path: `${id}.sql`, id, direction: 'down', rollback: null, findings: [] },
    ]);
  });

  it('sections keep the markers the directory uses (goose)', async () => {
    const root = migrationsDir({
      '00001_create_users.sql': '-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY);\n\n-- +goose Down\nDROP TABLE users;\n',
    });
    const created = await create(root, 'add email');
    expect(created.files).toEqual(['00002_add_email.sql']);
    const text = readFileSync(join(root, '00002_add_email.sql'), 'utf8');
    expect(text).toMatch(/^-- \+goose Up\n/);
    expect(text).toMatch(/^-- \+goose Down$/m);
    expect((await lintRows(root, created.files)).map((r) => r.direction)).toEqual(['up', 'down']);
  });

  it('rollback folder writes scripts/<id>.sql and rollbacks/<id>_rollback.sql', async () => {
    const root = migrationsDir({
      'scripts/0001_create_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      'rollbacks/0001_create_users_rollback.sql': 'DROP TABLE users;\n',
    });
    const created = await create(root, 'add email');
    expect(created).toEqual({
      id: '0002_add_email',
      layout: 'rollback-folder',
      files: ['scripts/0002_add_email.sql', 'rollbacks/0002_add_email_rollback.sql'],
    });
    expect(await lintRows(root, created.files)).toEqual([
      { path: 'rollbacks/0002_add_email_rollback.sql', id: '0002_add_email', direction: 'down', rollback: null, findings: [] },
      {
        path: 'scripts/0002_add_email.sql',
        id: '0002_add_email',
        direction: 'up',
        rollback: 'rollbacks/0002_add_email_rollback.sql',
        findings: [UNFILLED],
      },
    ]);
  });

  it('Flyway gets V<next>__name.sql and U<next>__name.sql after the highest (dotted) version', async () => {
    const root = migrationsDir({
      'V1__create_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      'U1__create_users.sql': 'DROP TABLE users;\n',
      'V1.1__add_email.sql': 'ALTER TABLE users ADD COLUMN email text;\n',
      'V2_3__add_name.sql': 'ALTER TABLE users ADD COLUMN name text;\n',
      'R__user_view.sql': 'CREATE OR REPLACE VIEW v AS SELECT 1;\n',
    });
    const created = await create(root, 'Add phone');
    expect(created).toEqual({ id: '3__add_phone', layout: 'flyway', files: ['V3__add_phone.sql', 'U3__add_phone.sql'] });
    expect(await lintRows(root, created.files)).toEqual([
      { path: 'U3__add_phone.sql', id: '3__add_phone', direction: 'down', rollback: null, findings: [] },
      { path: 'V3__add_phone.sql', id: '3__add_phone', direction: 'up', rollback: 'U3__add_phone.sql', findings: [UNFILLED] },
    ]);
  });

  it('Prisma gets <timestamp>_name/migration.sql and no down part', async () => {
    const root = migrationsDir({ '20240101000000_init/migration.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n' });
    const created = await create(root, 'add email');
    const id = `${STAMP}_add_email`;
    expect(created).toEqual({ id, layout: 'prisma', files: [`${id}/migration.sql`] });
    expect(readFileSync(join(root, created.files[0]!), 'utf8')).toContain('-- Rollback Available: NO\n');
    expect(await lintRows(root, created.files)).toEqual([
      { path: `${id}/migration.sql`, id, direction: 'up', rollback: null, findings: [UNFILLED] },
    ]);
  });

  it('plain layout gets the next <id>.sql and no down part', async () => {
    const root = migrationsDir({ '001_create_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n' });
    const created = await create(root, 'add email');
    expect(created).toEqual({ id: '002_add_email', layout: 'plain', files: ['002_add_email.sql'] });
    expect(await lintRows(root, created.files)).toEqual([
      { path: '002_add_email.sql', id: '002_add_email', direction: 'up', rollback: null, findings: [UNFILLED] },
    ]);
  });

  it('an empty or missing directory gets paired files with a timestamp id, the directory created', async () => {
    const root = migrationsDir();
    const created = await newMigration({ dir: 'db/migrations', layout: 'auto', name: 'init', now: NOW, cwd: root });
    expect(rel(root, created.files)).toEqual([`db/migrations/${STAMP}_init.up.sql`, `db/migrations/${STAMP}_init.down.sql`]);
    expect(created.layout).toBe('paired-files');
    expect((await create(migrationsDir(), 'init')).files).toEqual([`${STAMP}_init.up.sql`, `${STAMP}_init.down.sql`]);
  });

  it('a layout set in the config is used even in an empty directory', async () => {
    expect((await create(migrationsDir(), 'init', 'flyway')).files).toEqual(['V1__init.sql', 'U1__init.sql']);
    expect((await create(migrationsDir(), 'init', 'directory-pairs')).files).toEqual([
      '2025-03-04-050607_init/up.sql',
      '2025-03-04-050607_init/down.sql',
    ]);
    expect((await create(migrationsDir(), 'init', 'rollback-folder')).files).toEqual([
      `scripts/${STAMP}_init.sql`,
      `rollbacks/${STAMP}_init_rollback.sql`,
    ]);
    expect((await create(migrationsDir(), 'init', 'sections')).files).toEqual([`${STAMP}_init.sql`]);
  });

  it('under auto, the layout most files use wins and a stray plain file does not count', async () => {
    const root = migrationsDir({
      'schema.sql': 'CREATE TABLE t (id int);\n',
      'seed.sql': 'INSERT INTO t VALUES (1);\n',
      '0001_a.up.sql': 'SELECT 1;\n',
    });
    expect((await create(root, 'b')).files).toEqual(['0002_b.up.sql', '0002_b.down.sql']);
  });
});

describe('pgwarden new: ids', () => {
  const ids = async (files: string[], layout: LayoutSetting = 'auto', now = NOW) => {
    const root = migrationsDir(Object.fromEntries(files.map((f) => [f, 'SELECT 1;\n'])));
    return (await create(root, 'next', layout, now)).id;
  };

  it('continues a sequence from the highest id, keeping its padding', async () => {
    expect(await ids(['0001_a.up.sql', '0009_b.up.sql', '0003_c.up.sql'])).toBe('0010_next');
    expect(await ids(['000099_a.up.sql'])).toBe('000100_next');
    expect(await ids(['1_a.up.sql', '9_b.up.sql'])).toBe('10_next');
    expect(await ids(['9999_a.up.sql'])).toBe('10000_next');
  });

  it('uses a UTC timestamp when the latest id is one', async () => {
    expect(await ids(['0001_a.up.sql', '20240101000000_b.up.sql'])).toBe(`${STAMP}_next`);
    expect(await ids(['20240101000000_a.sql'], 'plain')).toBe(`${STAMP}_next`);
  });

  it('sorts a timestamp after the latest one even when the clock is behind it', async () => {
    expect(await ids(['20991231235959_a.up.sql'])).toBe('21000101000000_next');
    expect(await ids(['2099-12-31-235959_a/up.sql'])).toBe('2100-01-01-000000_next');
  });

  it('two migrations made in the same second get distinct, ordered ids', async () => {
    const root = migrationsDir();
    const first = await create(root, 'one');
    const second = await create(root, 'two');
    expect([first.id, second.id]).toEqual([`${STAMP}_one`, '20250304050608_two']);
  });

  it('Flyway versions that are timestamps continue as timestamps', async () => {
    expect(await ids(['V20240101000000__a.sql'])).toBe(`${STAMP}__next`);
  });
});

describe('pgwarden new: names and existing files', () => {
  it('slugs the name to lower snake_case ASCII', () => {
    expect(slugName('Add email')).toBe('add_email');
    expect(slugName('addUserEmail')).toBe('add_user_email');
    expect(slugName('HTTPRequestLog')).toBe('http_request_log');
    expect(slugName('  créer la  table "commandes" ! ')).toBe('creer_la_table_commandes');
    expect(slugName('add-index_on--orders.placed_at')).toBe('add_index_on_orders_placed_at');
    expect(slugName('x'.repeat(300))).toHaveLength(100);
  });

  it('refuses a name with nothing usable in it', async () => {
    for (const name of ['', '   ', '---', '数据']) {
      await expect(newMigration({ dir: '.', layout: 'auto', name, now: NOW, cwd: migrationsDir() })).rejects.toThrow(NewMigrationError);
    }
  });

  it('never overwrites a file, and writes nothing when any part exists', async () => {
    const root = migrationsDir({ '0001_a.up.sql': 'SELECT 1;\n', '0002_b.down.sql': '-- left over\n' });
    await expect(create(root, 'b')).rejects.toThrow(/0002_b\.down\.sql already exists/);
    expect(existsSync(join(root, '0002_b.up.sql'))).toBe(false);
    expect(readFileSync(join(root, '0002_b.down.sql'), 'utf8')).toBe('-- left over\n');
  });

  it('an up part with its header filled in lints clean', async () => {
    const root = migrationsDir();
    const created = await create(root, 'init');
    const up = join(root, created.files[0]!);
    writeFileSync(up, readFileSync(up, 'utf8').replace('Risk Level: TODO', 'Risk Level: low') + 'CREATE TABLE t (id bigint PRIMARY KEY);\n');
    writeFileSync(join(root, created.files[1]!), 'DROP TABLE t;\n');
    expect((await lintRows(root, [created.files[0]!])).flatMap((r) => r.findings)).toEqual([]);
  });
});
