import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { ConfigSchema } from '../../src/config/schema.js';

const RULES = new Set(['no-drop-table', 'require-concurrent-index']);

function dir(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pgwarden-config-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses the schema’s defaults when there is no config file', async () => {
    expect(DEFAULT_CONFIG).toEqual(ConfigSchema.parse({}));
    const root = dir({ 'package.json': '{"name":"x"}' });
    expect(await loadConfig(root, undefined, RULES)).toEqual({ config: DEFAULT_CONFIG, filepath: null, baseDir: root });
  });

  it('finds the pgwarden key in package.json, .pgwardenrc.yaml and pgwarden.config.mjs', async () => {
    const fromPackage = dir({ 'package.json': JSON.stringify({ name: 'x', pgwarden: { postgresVersion: 13 } }) });
    expect((await loadConfig(fromPackage)).config.postgresVersion).toBe(13);
    const fromYaml = dir({ 'package.json': '{}', '.pgwardenrc.yaml': 'migrations:\n  layout: flyway\n' });
    expect((await loadConfig(fromYaml)).config.migrations).toEqual({ ...DEFAULT_CONFIG.migrations, layout: 'flyway' });
    const fromModule = dir({ 'package.json': '{}', 'pgwarden.config.mjs': 'export default { rules: { "no-drop-table": "warning" } };' });
    expect((await loadConfig(fromModule, undefined, RULES)).config.rules).toEqual({ 'no-drop-table': 'warning' });
  });

  it('finds pgwarden.config.json and pgwarden.config.yaml', async () => {
    const json = dir({ 'pgwarden.config.json': JSON.stringify({ postgresVersion: 14 }) });
    expect((await loadConfig(json)).config.postgresVersion).toBe(14);
    const yaml = dir({ 'pgwarden.config.yaml': 'postgresVersion: 15\n' });
    expect((await loadConfig(yaml)).config.postgresVersion).toBe(15);
  });

  it('loads a TypeScript pgwarden.config.ts', async () => {
    const root = dir({
      'package.json': '{"type":"module"}',
      'pgwarden.config.ts': "const config: { postgresVersion: number } = { postgresVersion: 13 };\nexport default config;\n",
    });
    expect((await loadConfig(root)).config.postgresVersion).toBe(13);
  });

  it('searches upwards from a subdirectory', async () => {
    const root = dir({ 'package.json': JSON.stringify({ pgwarden: { postgresVersion: 12 } }), 'db/migrations/.keep': '' });
    const loaded = await loadConfig(join(root, 'db/migrations'));
    expect(loaded.config.postgresVersion).toBe(12);
    expect(loaded.baseDir).toBe(root);
  });

  it('names every offending key and what was expected', async () => {
    const root = dir({
      '.pgwardenrc.json': JSON.stringify({ postgresVersion: '16', migrations: { transaction: 'maybe', extra: 1 }, rules: { 'no-drop-table': 'fatal' } }),
    });
    const message = await errorOf(loadConfig(root, undefined, RULES));
    expect(message).toContain('Invalid configuration in .pgwardenrc.json');
    expect(message).toMatch(/postgresVersion: .*number/);
    expect(message).toMatch(/migrations\.transaction: .*"auto"\|"per-file"\|"implicit"\|"none"/);
    expect(message).toContain('migrations.extra: unknown key');
    expect(message).toMatch(/rules\.no-drop-table: .*"off"\|"warning"\|"error"/);
  });

  it('reports unknown rule names', async () => {
    const root = dir({ '.pgwardenrc.json': JSON.stringify({ rules: { 'no-such-rule': 'off' } }) });
    expect(await errorOf(loadConfig(root, undefined, RULES))).toContain('rules.no-such-rule: unknown rule "no-such-rule"');
  });

  it('reports a file that cannot be parsed, naming it', async () => {
    const root = dir({ '.pgwardenrc.json': '{ "rules": ' });
    expect(await errorOf(loadConfig(root))).toMatch(/Cannot read configuration .*\.pgwardenrc\.json/);
  });

  it('validates environments', async () => {
    const root = dir({ '.pgwardenrc.json': JSON.stringify({ environments: { production: { maxRisk: 'none', lockTimeout: 'soon' } } }) });
    const message = await errorOf(loadConfig(root));
    expect(message).toMatch(/environments\.production\.maxRisk: /);
    expect(message).toMatch(/environments\.production\.lockTimeout: /);
  });
});
