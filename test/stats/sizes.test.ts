import { describe, expect, it } from 'vitest';
import { analyzeText } from '../helpers.js';
import { findingReport } from '../../src/report/build.js';
import { formatRows } from '../../src/stats/sizes.js';
import type { RelationStats, StatsSnapshot } from '../../src/stats/schema.js';

function snapshot(relations: Array<Partial<RelationStats> & { name: string }>): StatsSnapshot {
  return {
    version: 1,
    capturedAt: '2026-11-20T08:30:00.000Z',
    serverVersion: '16.4',
    relations: relations.map((r) => ({ schema: 'public', kind: 'table', rows: 0, totalBytes: 8192, ...r })),
  };
}

function finding(sql: string, ruleId: string, stats?: StatsSnapshot) {
  const analysis = analyzeText(sql, stats ? { stats } : {});
  const found = analysis.findings.find((f) => f.ruleId === ruleId);
  if (!found) throw new Error(`no ${ruleId} finding in: ${analysis.findings.map((f) => f.ruleId).join(', ')}`);
  return { finding: found, analysis };
}

const CREATE_INDEX = 'CREATE INDEX orders_customer ON orders (customer_id);';

describe('table sizes from a stats snapshot', () => {
  it('moves a locking finding on a small table down one level and says why', () => {
    const { finding: f, analysis } = finding(CREATE_INDEX, 'require-concurrent-index', snapshot([{ name: 'orders', rows: 500 }]));
    expect(f.risk).toBe('low');
    expect(f.message).toMatch(/\(orders: ~500 rows per stats of 2026-11-20\)$/);
    expect(f.relation).toEqual({ relname: 'orders' });
    expect(analysis.risk).toBe('low');
  });

  it('moves a locking finding on a large table up one level', () => {
    const { finding: f, analysis } = finding(CREATE_INDEX, 'require-concurrent-index', snapshot([{ name: 'orders', rows: 2_400_000 }]));
    expect(f.risk).toBe('high');
    expect(f.message).toMatch(/\(orders: ~2\.4M rows per stats of 2026-11-20\)$/);
    expect(analysis.risk).toBe('high');
  });

  it('leaves tables between 10k and 1M rows alone', () => {
    for (const rows of [10_000, 500_000, 1_000_000]) {
      const { finding: f } = finding(CREATE_INDEX, 'require-concurrent-index', snapshot([{ name: 'orders', rows }]));
      expect(f.risk).toBe('medium');
      expect(f.message).not.toMatch(/rows per stats/);
    }
  });

  it('moves rewrite/index/constraint findings that take a lock', () => {
    const sql = 'ALTER TABLE orders ALTER COLUMN note SET NOT NULL;';
    const { finding: f } = finding(sql, 'set-not-null', snapshot([{ name: 'orders', rows: 12 }]));
    expect(f.risk).toBe('low');
  });

  it('never moves a data-loss finding down', () => {
    const { finding: f } = finding('ALTER TABLE orders DROP COLUMN note;', 'no-drop-column', snapshot([{ name: 'orders', rows: 3 }]));
    expect(f.risk).toBe('high');
    expect(f.message).not.toMatch(/rows per stats/);
  });

  it('does not move findings on tables missing from the snapshot or never analysed', () => {
    const unknown = finding(CREATE_INDEX, 'require-concurrent-index', snapshot([{ name: 'customers', rows: 5 }]));
    expect(unknown.finding.risk).toBe('medium');
    expect(unknown.finding.message).not.toMatch(/rows per stats/);
    const unanalysed = finding(CREATE_INDEX, 'require-concurrent-index', snapshot([{ name: 'orders', rows: null }]));
    expect(unanalysed.finding.risk).toBe('medium');
  });

  it('matches schema-qualified relations by schema', () => {
    const sql = 'CREATE INDEX invoices_due ON billing.invoices (due);';
    const stats = snapshot([
      { schema: 'billing', name: 'invoices', rows: 5_000_000 },
      { name: 'invoices', rows: 5 },
    ]);
    const { finding: f } = finding(sql, 'require-concurrent-index', stats);
    expect(f.risk).toBe('high');
    expect(f.message).toContain('(billing.invoices: ~5M rows');
  });

  it('keeps the relation out of the JSON finding and does nothing without stats', () => {
    const { finding: f, analysis } = finding(CREATE_INDEX, 'require-concurrent-index', snapshot([{ name: 'orders', rows: 5 }]));
    expect(findingReport(f, analysis.source)).not.toHaveProperty('relation');
    const plain = finding(CREATE_INDEX, 'require-concurrent-index');
    expect(plain.finding.relation).toBeUndefined();
    expect(plain.finding.risk).toBe('medium');
  });

  it('formats row counts shortly', () => {
    expect([0, 950, 1_000, 12_345, 999_000, 2_400_000, 1_200_000_000].map(formatRows)).toEqual([
      '0',
      '950',
      '1k',
      '12k',
      '999k',
      '2.4M',
      '1.2B',
    ]);
  });
});
