import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { ConfigSchema, type ConfigInput } from '../../src/config/schema.js';
import { settingsForFile, settingsFromConfig, withFlags } from '../../src/lint-settings.js';

const RULES = new Set(['no-drop-table', 'require-lock-timeout', 'require-concurrent-index']);
const ROOT = join(tmpdir(), 'project');

function settingsOf(input: ConfigInput, cwd = ROOT) {
  return settingsFromConfig(ConfigSchema.parse(input), cwd, ROOT);
}

async function configError(config: unknown): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'pgwarden-overrides-'));
  writeFileSync(join(root, '.pgwardenrc.json'), JSON.stringify(config));
  try {
    await loadConfig(root, undefined, RULES);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('overrides in the config', () => {
  it('are validated, naming each offending key by its path', async () => {
    const message = await configError({
      overrides: [
        { files: ['db/legacy/**/*.sql'], rules: { foo: 'off', 'no-drop-table': 'off' } },
        { files: [], postgresVersion: 9, migrations: { layout: 'rails', dir: 'x' }, extra: true },
        { rules: { 'no-drop-table': 'fatal' } },
      ],
    });
    expect(message).toMatch(/overrides\.1\.files: .*/);
    expect(message).toMatch(/overrides\.1\.postgresVersion: /);
    expect(message).toMatch(/overrides\.1\.migrations\.layout: /);
    expect(message).toContain('overrides.1.migrations.dir: unknown key');
    expect(message).toContain('overrides.1.extra: unknown key');
    expect(message).toMatch(/overrides\.2\.files: /);
    expect(message).toMatch(/overrides\.2\.rules\.no-drop-table: .*"off"\|"warning"\|"error"/);
  });

  it('name unknown rules by their path', async () => {
    const message = await configError({ rules: { bar: 'off' }, overrides: [{ files: ['*.sql'], rules: { foo: 'off' } }] });
    expect(message).toContain('rules.bar: unknown rule "bar"');
    expect(message).toContain('overrides.0.rules.foo: unknown rule "foo"');
  });

  it('are absent from the defaults and from a config without them', () => {
    expect(ConfigSchema.parse({}).overrides).toBeUndefined();
    expect(settingsOf({}).overrides).toBeUndefined();
  });
});

describe('settingsForFile', () => {
  const config: ConfigInput = {
    postgresVersion: 16,
    rules: { 'require-lock-timeout': 'warning', 'no-drop-table': 'error' },
    overrides: [
      {
        files: ['db/legacy/**/*.sql'],
        rules: { 'no-drop-table': 'off' },
        postgresVersion: 12,
        migrations: { layout: 'flyway', transaction: 'none', rollback: 'off' },
      },
      { files: ['./db/legacy/v2/*.sql', 'other/*.sql'], postgresVersion: 14, rules: { 'require-lock-timeout': 'error' } },
    ],
  };

  it('returns the same settings object, unchanged, when no override matches', () => {
    const settings = settingsOf(config);
    expect(settingsForFile(settings, join(ROOT, 'db/migrations/0001.sql'))).toBe(settings);
    expect(settingsForFile(settings, join(ROOT, 'elsewhere.sql'))).toBe(settings);
    // Patterns are relative to the config's directory: the same names elsewhere do not match.
    expect(settingsForFile(settings, join(tmpdir(), 'db/legacy/a.sql'))).toBe(settings);
    const none = settingsOf({});
    expect(settingsForFile(none, join(ROOT, 'db/legacy/a.sql'))).toBe(none);
  });

  it('applies matching overrides in order, later ones winning, key by key', () => {
    const settings = settingsOf(config);
    const legacy = settingsForFile(settings, join(ROOT, 'db/legacy/2019/a.sql'));
    expect(legacy).toMatchObject({ postgresVersion: 12, layout: 'flyway', transaction: 'none', rollback: 'off' });
    expect(Object.fromEntries(legacy.severities)).toEqual({ 'require-lock-timeout': 'warning', 'no-drop-table': 'off' });
    expect(legacy.overrides).toBeUndefined();

    const both = settingsForFile(settings, join(ROOT, 'db/legacy/v2/b.sql'));
    expect(both).toMatchObject({ postgresVersion: 14, layout: 'flyway', transaction: 'none' });
    expect(Object.fromEntries(both.severities)).toEqual({ 'require-lock-timeout': 'error', 'no-drop-table': 'off' });

    const other = settingsForFile(settings, join(ROOT, 'other/c.sql'));
    expect(other).toMatchObject({ postgresVersion: 14, layout: 'auto', transaction: 'auto', rollback: 'auto' });
    // The base settings are untouched.
    expect(settings.postgresVersion).toBe(16);
    expect(settings.severities.get('no-drop-table')).toBe('error');
  });

  it('shares one merged settings object between files matching the same overrides', () => {
    const settings = settingsOf(config);
    const a = settingsForFile(settings, join(ROOT, 'db/legacy/a.sql'));
    expect(settingsForFile(settings, join(ROOT, 'db/legacy/x/y.sql'))).toBe(a);
    expect(settingsForFile(settings, join(ROOT, 'db/legacy/v2/b.sql'))).not.toBe(a);
  });

  it('matches dot directories too', () => {
    const settings = settingsOf({ overrides: [{ files: ['**/*.sql'], postgresVersion: 11 }] });
    expect(settingsForFile(settings, join(ROOT, '.hidden/m.sql')).postgresVersion).toBe(11);
  });

  it('is plain data that survives structured cloning (worker threads)', () => {
    const settings = settingsOf(config);
    const { rules: _rules, severities: _severities, ...plain } = settings;
    const clone = structuredClone(plain);
    expect(clone.overrides).toEqual(settings.overrides);
  });
});

describe('withFlags', () => {
  const config: ConfigInput = {
    rules: { 'require-lock-timeout': 'off' },
    overrides: [
      { files: ['legacy/**'], postgresVersion: 12, rules: { 'no-drop-table': 'off', 'require-concurrent-index': 'warning' } },
      { files: ['flyway/**'], migrations: { layout: 'flyway', transaction: 'none' } },
    ],
  };

  it('replaces only the flagged keys, keeping the config’s other rules', () => {
    const settings = withFlags(settingsOf(config), { rules: new Map([['no-drop-table', 'warning']]) });
    expect(Object.fromEntries(settings.severities)).toEqual({ 'require-lock-timeout': 'off', 'no-drop-table': 'warning' });
    expect(settings.postgresVersion).toBe(16);
  });

  it('wins over overrides: flagged keys are removed from them, the rest still applies', () => {
    const base = settingsOf(config);
    const settings = withFlags(base, { postgresVersion: 15, transaction: 'per-file', rules: new Map([['no-drop-table', 'error']]) });
    const legacy = settingsForFile(settings, join(ROOT, 'legacy/a.sql'));
    expect(legacy.postgresVersion).toBe(15);
    expect(legacy.severities.get('no-drop-table')).toBe('error');
    expect(legacy.severities.get('require-concurrent-index')).toBe('warning');
    const flyway = settingsForFile(settings, join(ROOT, 'flyway/V1__a.sql'));
    expect(flyway).toMatchObject({ layout: 'flyway', transaction: 'per-file', postgresVersion: 15 });
    // The settings it started from are not changed.
    expect(settingsForFile(base, join(ROOT, 'legacy/a.sql')).postgresVersion).toBe(12);
  });

  it('drops overrides the flags leave empty, so the fast path applies again', () => {
    const settings = withFlags(settingsOf({ overrides: [{ files: ['**'], postgresVersion: 12 }] }), { postgresVersion: 13 });
    expect(settings.overrides).toBeUndefined();
    expect(settingsForFile(settings, join(ROOT, 'a.sql'))).toBe(settings);
  });
});
