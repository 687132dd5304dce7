import { describe, expect, it } from 'vitest';
import { findingsOf, type TestOptions } from '../helpers.js';

/** What fixtures cannot show: the words, risks and default state users see on a finding. */
function findingsFor(ruleId: string, sql: string, options: TestOptions = {}) {
  return findingsOf(sql, options).filter((f) => f.ruleId === ruleId);
}

describe('no-drop-table on a table the file recreates', () => {
  it('says the table comes back empty, and where', () => {
    const sql = 'DROP TABLE IF EXISTS settings;\nCREATE TABLE settings (key text PRIMARY KEY);';
    const [finding] = findingsFor('no-drop-table', sql);
    expect(finding?.message).toContain('the CREATE TABLE on line 2 recreates settings empty');
    expect(finding?.risk).toBe('high');
  });

  it('says a CREATE TABLE … AS refills it from its query', () => {
    const sql = 'DROP TABLE order_totals;\nCREATE TABLE order_totals AS SELECT customer_id, sum(total) FROM orders GROUP BY 1;';
    const [finding] = findingsFor('no-drop-table', sql);
    expect(finding?.message).toContain('the CREATE TABLE … AS on line 2 refills order_totals with only the rows its query returns');
  });

  it('does not mention a recreation that is not there', () => {
    const [finding] = findingsFor('no-drop-table', 'DROP TABLE settings;\nCREATE TABLE other_settings (key text);');
    expect(finding?.message).not.toContain('recreates');
  });
});

describe('transaction-nesting risks', () => {
  it('rates a nested BEGIN low and the COMMIT after statements that escaped the transaction medium', () => {
    const sql = ['BEGIN;', 'BEGIN;', 'SELECT 1;', 'COMMIT;', 'UPDATE orders SET note = NULL WHERE id = 1;', 'COMMIT;'].join('\n');
    const findings = findingsFor('transaction-nesting', sql, { transaction: 'none' });
    expect(findings.map((f) => [f.line, f.risk])).toEqual([
      [2, 'low'],
      [6, 'medium'],
    ]);
    expect(findings[0]?.message).toContain('opened on line 1');
    expect(findings[1]?.message).toContain('ended on line 4, so the statements on line 5 ran outside any transaction');
  });

  it('rates a redundant COMMIT low', () => {
    const [finding] = findingsFor('transaction-nesting', 'BEGIN;\nSELECT 1;\nCOMMIT;\nCOMMIT;', { transaction: 'none' });
    expect(finding?.risk).toBe('low');
  });

  it('names the swallowed BEGIN when a COMMIT ends the runner transaction', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;';
    const findings = findingsFor('transaction-nesting', sql, { transaction: 'per-file' });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ line: 3, risk: 'medium' });
    expect(findings[0]?.message).toContain("the file's BEGIN on line 1 only drew a warning");
  });
});

describe('lock-timeout-too-long', () => {
  it('reports at the SET, naming the statement that waits and what queues behind it', () => {
    const sql = "SET lock_timeout = '2min';\nCREATE TABLE t (id int);\nALTER TABLE orders ADD COLUMN note text;";
    const [finding] = findingsFor('lock-timeout-too-long', sql);
    expect(finding?.line).toBe(1);
    expect(finding?.message).toBe(
      "lock_timeout = '2min' is longer than 10s: the statement on line 3 can wait up to 2min for ACCESS EXCLUSIVE on orders, and every query on orders queues behind it for as long.",
    );
  });
});

describe('no-duplicate-column', () => {
  it('quotes the error PostgreSQL raises', () => {
    const [update] = findingsFor('no-duplicate-column', 'UPDATE orders SET status = 1, status = 2;');
    expect(update?.message).toContain('(multiple assignments to same column "status")');
    const [view] = findingsFor('no-duplicate-column', 'CREATE VIEW v AS SELECT 1, 2;');
    expect(view?.message).toContain('(column "?column?" specified more than once)');
  });
});

describe('set-default-existing-rows', () => {
  const sql = "ALTER TABLE orders ALTER COLUMN currency SET DEFAULT 'EUR';";

  it('is opt-in', () => {
    expect(findingsFor('set-default-existing-rows', sql)).toEqual([]);
    const enabled = findingsFor('set-default-existing-rows', sql, { severities: new Map([['set-default-existing-rows', 'warning']]) });
    expect(enabled).toHaveLength(1);
  });
});
