import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/schema.js';
import { project, runCli } from '../support/cli.js';

const stats = (rows: number | null) =>
  JSON.stringify({
    version: 1,
    capturedAt: '2026-11-20T08:30:00Z',
    serverVersion: '16.4',
    relations: [{ schema: 'public', name: 'orders', kind: 'table', rows, totalBytes: 123_456 }],
  });

const MIGRATION = 'SET lock_timeout = \'2s\';\nCREATE INDEX orders_customer ON orders (customer_id);\n';

function indexFinding(stdout: string) {
  const report = JSON.parse(stdout) as Report;
  const finding = report.files[0]!.findings.find((f) => f.ruleId === 'require-concurrent-index')!;
  return { finding, file: report.files[0]! };
}

describe('pgwarden lint --stats', () => {
  it('moves findings by the sizes in the snapshot', async () => {
    const dir = project({ 'm/001_index.sql': MIGRATION, 'small.json': stats(120), 'large.json': stats(3_000_000) });
    const plain = indexFinding((await runCli(dir, ['lint', '-f', 'json', 'm'])).stdout);
    expect(plain.finding.risk).toBe('medium');

    const small = await runCli(dir, ['lint', '-f', 'json', '--stats', 'small.json', 'm']);
    const down = indexFinding(small.stdout);
    expect(down.finding.risk).toBe('low');
    expect(down.finding.message).toContain('(orders: ~120 rows per stats of 2026-11-20)');
    expect(down.finding).not.toHaveProperty('relation');

    const large = indexFinding((await runCli(dir, ['lint', '-f', 'json', '--stats', 'large.json', 'm'])).stdout);
    expect(large.finding.risk).toBe('high');
    expect(large.file.risk).toBe('high');
  });

  it('reads the config stats path relative to the config file', async () => {
    const dir = project({
      'db/pgwarden.config.json': JSON.stringify({ migrations: { dir: 'migrations' }, stats: 'snap/stats.json' }),
      'db/snap/stats.json': stats(3_000_000),
      'db/migrations/001_index.sql': MIGRATION,
    });
    const run = await runCli(dir, ['lint', '-f', 'json', '-c', 'db/pgwarden.config.json', 'db/migrations']);
    expect(indexFinding(run.stdout).finding.risk).toBe('high');
    // --stats wins over the config's.
    writeFileSync(join(dir, 'small.json'), stats(5));
    const flagged = await runCli(dir, ['lint', '-f', 'json', '-c', 'db/pgwarden.config.json', '--stats', 'small.json', 'db/migrations']);
    expect(indexFinding(flagged.stdout).finding.risk).toBe('low');
  });

  it('reports a missing or invalid stats file as a usage error', async () => {
    const dir = project({ 'm/001_index.sql': MIGRATION, 'bad.json': '{"version": 2}' });
    const missing = await runCli(dir, ['lint', '--stats', 'nope.json', 'm']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read the stats file .*nope\.json/);
    const bad = await runCli(dir, ['lint', '--stats', 'bad.json', 'm']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a pgwarden stats snapshot/);
  });
});
