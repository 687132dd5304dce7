import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPaths, settingsFromConfig } from '../../src/lint.js';
import { ConfigSchema } from '../../src/config/schema.js';

const layouts = join(import.meta.dirname, '../../fixtures/layouts');

async function describeLayout(layout: string, rollback: 'auto' | 'required' = 'auto') {
  const cwd = join(layouts, layout);
  const settings = settingsFromConfig(ConfigSchema.parse({ migrations: { rollback } }), cwd);
  const { report } = await lintPaths(['.'], settings);
  return report.files.map((file) => [
    file.path,
    file.migration?.id,
    file.migration?.direction,
    file.migration?.rollback,
    file.findings.some((f) => f.ruleId === 'require-rollback') ? 'missing rollback' : '',
  ]);
}

describe('migration layouts (auto-detected)', () => {
  it('paired files: <id>.up.sql / <id>.down.sql', async () => {
    expect(await describeLayout('paired-files')).toEqual([
      ['000001_create_users.down.sql', '000001_create_users', 'down', null, ''],
      ['000001_create_users.up.sql', '000001_create_users', 'up', '000001_create_users.down.sql', ''],
      ['000002_add_email.up.sql', '000002_add_email', 'up', null, 'missing rollback'],
    ]);
  });

  it('directory pairs: <id>/up.sql / <id>/down.sql, an empty down counts as missing', async () => {
    expect(await describeLayout('directory-pairs')).toEqual([
      ['2024-01-01-000000_create_users/down.sql', '2024-01-01-000000_create_users', 'down', null, ''],
      ['2024-01-01-000000_create_users/up.sql', '2024-01-01-000000_create_users', 'up', '2024-01-01-000000_create_users/down.sql', ''],
      ['2024-01-02-000000_add_email/up.sql', '2024-01-02-000000_add_email', 'up', null, 'missing rollback'],
      ['2024-01-03-000000_backfill/down.sql', '2024-01-03-000000_backfill', 'down', null, ''],
      ['2024-01-03-000000_backfill/up.sql', '2024-01-03-000000_backfill', 'up', '2024-01-03-000000_backfill/down.sql', 'missing rollback'],
    ]);
  });

  it('sections: dbmate, -- UP / -- DOWN and goose markers split one file in two', async () => {
    expect(await describeLayout('sections')).toEqual([
      ['20240101000000_create_users.sql', '20240101000000_create_users', 'up', '20240101000000_create_users.sql', ''],
      ['20240101000000_create_users.sql', '20240101000000_create_users', 'down', null, ''],
      ['20240102000000_add_email.sql', '20240102000000_add_email', 'up', null, 'missing rollback'],
      ['20240103000000_goose.sql', '20240103000000_goose', 'up', '20240103000000_goose.sql', ''],
      ['20240103000000_goose.sql', '20240103000000_goose', 'down', null, ''],
    ]);
  });

  it('rollback folder: scripts/<id>.sql / rollbacks/<id>_rollback.sql', async () => {
    expect(await describeLayout('rollback-folder')).toEqual([
      ['rollbacks/0001_create_users_rollback.sql', '0001_create_users', 'down', null, ''],
      ['scripts/0001_create_users.sql', '0001_create_users', 'up', 'rollbacks/0001_create_users_rollback.sql', ''],
      ['scripts/0002_add_email.sql', '0002_add_email', 'up', null, 'missing rollback'],
    ]);
  });

  it('Flyway: V<ver>__<name>.sql / U<ver>__<name>.sql; repeatable migrations have no undo', async () => {
    expect(await describeLayout('flyway')).toEqual([
      ['R__user_view.sql', 'R__user_view', 'up', null, ''],
      ['U1__create_users.sql', '1__create_users', 'down', null, ''],
      ['V1.1__add_email.sql', '1.1__add_email', 'up', null, 'missing rollback'],
      ['V1__create_users.sql', '1__create_users', 'up', 'U1__create_users.sql', ''],
    ]);
  });

  it('Prisma and plain layouts have no down part by design, unless rollback is required', async () => {
    expect(await describeLayout('prisma')).toEqual([
      ['20240101000000_init/migration.sql', '20240101000000_init', 'up', null, ''],
      ['20240102000000_add_email/migration.sql', '20240102000000_add_email', 'up', null, ''],
    ]);
    expect((await describeLayout('plain', 'required')).map((row) => row[4])).toEqual(['missing rollback', 'missing rollback']);
    expect((await describeLayout('plain')).map((row) => row.slice(0, 3))).toEqual([
      ['001_create_users.sql', '001_create_users', 'up'],
      ['002_add_email.sql', '002_add_email', 'up'],
    ]);
  });

  it('analyses each section on its own: the down section does not see the up section’s tables', async () => {
    const settings = settingsFromConfig(ConfigSchema.parse({}), join(layouts, 'sections'));
    const { report } = await lintPaths(['20240101000000_create_users.sql'], settings);
    const down = report.files.find((f) => f.migration?.direction === 'down')!;
    expect(down.findings.map((f) => [f.ruleId, f.line])).toEqual([
      ['no-drop-table', 5],
      ['require-lock-timeout', 5],
    ]);
    expect(report.files[0]!.findings).toEqual([]);
  });
});
