import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules } from '../../rules/index.js';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import { parseYaml } from '../support/yaml.js';
import { project, runCli as run } from '../support/cli.js';

const RULE_IDS = new Set(allRules.map((r) => r.meta.id));
const CREATE = 'CREATE TABLE t (id bigint PRIMARY KEY);\n';

/** Runs `pgwarden init` and loads what it wrote the way every command will. */
async function init(files: Record<string, string>, args: string[] = []) {
  const cwd = project(files);
  const result = await run(cwd, ['init', ...args]);
  expect(result.code, result.stderr).toBe(0);
  const text = readFileSync(join(cwd, 'pgwarden.config.yaml'), 'utf8');
  const loaded = await loadConfig(cwd, undefined, RULE_IDS);
  expect(loaded.filepath).toBe(join(cwd, 'pgwarden.config.yaml'));
  return { cwd, text, config: loaded.config, stdout: result.stdout };
}

/** The YAML of a commented-out block that starts with `# <key>:`, uncommented. */
function uncomment(text: string, key: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf(`# ${key}:`);
  expect(start).toBeGreaterThan(-1);
  const block: string[] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith('# ')) break;
    block.push(line.slice(2));
  }
  return block.join('\n');
}

describe('pgwarden init', () => {
  it('detects a Flyway project and writes a config that loads and validates', async () => {
    const { text, config, stdout } = await init({
      'pom.xml': '<project/>',
      'src/main/resources/db/migration/V1__create.sql': CREATE,
      'src/main/resources/db/migration/V2__more.sql': CREATE,
    });
    expect(config.migrations).toEqual({ dir: 'src/main/resources/db/migration', layout: 'flyway', transaction: 'auto', rollback: 'off' });
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./node_modules/pgwarden/schemas/config.schema.json');
    expect(text).toContain('Detected from the 2 migrations found there');
    expect(text).toMatch(/Flyway runs each migration in a transaction/);
    expect(stdout).toContain('Wrote pgwarden.config.yaml: 2 migrations in src/main/resources/db/migration/, layout flyway');
  });

  it('keeps rollback: auto for Flyway migrations that have undo files', async () => {
    const { config } = await init({ 'sql/V1__a.sql': CREATE, 'sql/U1__a.sql': 'DROP TABLE t;\n' });
    expect(config.migrations).toMatchObject({ dir: 'sql', layout: 'flyway', rollback: 'auto' });
  });

  it.each([
    ['golang-migrate', { 'migrations/000001_create.up.sql': CREATE, 'migrations/000001_create.down.sql': 'DROP TABLE t;\n' }, 'migrations', 'paired-files', 'implicit'],
    ['Diesel', { 'migrations/2024-01-01-000000_create/up.sql': CREATE, 'migrations/2024-01-01-000000_create/down.sql': 'DROP TABLE t;\n' }, 'migrations', 'directory-pairs', 'per-file'],
    ['dbmate', { 'db/migrations/20240101000000_create.sql': `-- migrate:up\n${CREATE}\n-- migrate:down\nDROP TABLE t;\n` }, 'db/migrations', 'sections', 'per-file'],
    ['Prisma', { 'prisma/schema.prisma': '', 'prisma/migrations/20240101000000_init/migration.sql': CREATE }, 'prisma/migrations', 'prisma', 'implicit'],
    ['plain files', { 'src/migrations/001_create.sql': CREATE }, 'src/migrations', 'plain', 'auto'],
  ] as const)('detects %s: directory, layout and the transaction mode its tool implies', async (_tool, files, dir, layout, transaction) => {
    const { config, text } = await init(files);
    expect(config.migrations).toEqual({ dir, layout, transaction, rollback: 'auto' });
    expect(text).toContain(`  transaction: ${transaction}\n`);
  });

  it('writes a usable config for a project without migrations yet', async () => {
    const { config, text, stdout } = await init({ 'package.json': '{"name":"app"}' });
    expect(config.migrations).toEqual({ dir: 'migrations', layout: 'auto', transaction: 'auto', rollback: 'auto' });
    expect(text).toContain('No migrations found to detect the layout from');
    expect(stdout).toContain('no migrations directory found');
  });

  it('takes the migrations directory from --dir', async () => {
    const { config } = await init({ 'database/changes/V1__a.sql': CREATE, 'migrations/0001.up.sql': CREATE }, ['--dir', 'database/changes']);
    expect(config.migrations).toMatchObject({ dir: 'database/changes', layout: 'flyway' });
  });

  it('points the schema comment at the nearest installed pgwarden', async () => {
    const root = project({ 'node_modules/pgwarden/schemas/config.schema.json': '{}', 'apps/api/migrations/0001.up.sql': CREATE });
    expect((await run(join(root, 'apps/api'), ['init'])).code).toBe(0);
    const text = readFileSync(join(root, 'apps/api/pgwarden.config.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../../node_modules/pgwarden/schemas/config.schema.json');
  });

  it('has commented environments and overrides blocks that validate once uncommented', async () => {
    const { text } = await init({ 'migrations/0001_a.up.sql': CREATE });
    const environments = await validateConfig(
      parseYaml(uncomment(text, 'environments')),
      'environments block',
      RULE_IDS,
    );
    expect(environments.environments).toEqual({
      development: { maxRisk: 'high' },
      production: { maxRisk: 'low', database: { env: 'DATABASE_URL' }, lockTimeout: '2s', statementTimeout: '10min', allowOverride: true },
    });
    const overrides = await validateConfig(parseYaml(uncomment(text, 'overrides')), 'overrides block', RULE_IDS);
    expect(overrides.overrides).toEqual([
      { files: ['db/legacy/**/*.sql'], rules: { 'no-drop-table': 'off' }, postgresVersion: 12, migrations: { transaction: 'none' } },
    ]);
    const rules = await validateConfig(parseYaml(uncomment(text, '  rules').replace(/^ {2}/gm, '')), 'rules', RULE_IDS);
    expect(rules.rules).toEqual({
      'require-lock-timeout': 'warning',
      'naming-convention': ['warning', expect.objectContaining({ indexes: '^[a-z_][a-z0-9_]*_idx$', tables: '^[a-z_][a-z0-9_]*$' })],
    });
  });

  it('refuses to overwrite pgwarden.config.yaml without --force', async () => {
    const cwd = project({ 'pgwarden.config.yaml': 'postgresVersion: 13\n', 'migrations/0001.up.sql': CREATE });
    const refused = await run(cwd, ['init']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pgwarden.config.yaml already exists; use --force to overwrite it.');
    expect(readFileSync(join(cwd, 'pgwarden.config.yaml'), 'utf8')).toBe('postgresVersion: 13\n');

    expect((await run(cwd, ['init', '--force'])).code).toBe(0);
    expect((await loadConfig(cwd, undefined, RULE_IDS)).config.migrations.layout).toBe('paired-files');
  });

  it('refuses when another config file configures pgwarden, and warns with --force when it would shadow the new one', async () => {
    const cwd = project({ '.pgwardenrc.json': '{}', 'package.json': '{"name":"app"}' });
    const refused = await run(cwd, ['init']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pgwarden is already configured here (.pgwardenrc.json)');
    const forced = await run(cwd, ['init', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain('warning: .pgwardenrc.json is read before pgwarden.config.yaml');

    // package.json counts only with a pgwarden key.
    expect((await run(project({ 'package.json': '{"name":"app"}' }), ['init'])).code).toBe(0);
    const withKey = await run(project({ 'package.json': '{"pgwarden":{}}' }), ['init']);
    expect(withKey.stderr).toContain('(package.json)');
  });

  it('leaves a project that pgwarden lint can run on at once', async () => {
    const { cwd } = await init({ 'db/migrations/20240101000000_create.sql': `-- migrate:up\n${CREATE}\n-- migrate:down\nDROP TABLE t;\n` });
    const linted = await run(cwd, ['lint']);
    expect(linted.stderr).toBe('');
    // The down section drops the table: a finding in the migrations directory the config names.
    expect(linted.stdout).toContain('db/migrations/20240101000000_create.sql (down)  risk high');
  });
});
