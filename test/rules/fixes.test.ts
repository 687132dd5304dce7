import { describe, expect, it } from 'vitest';
import { applyEdits, chooseFixes } from '../../src/fix/edits.js';
import { analyzeText, findingsOf, type TestOptions } from '../helpers.js';
import { SchemaModel } from '../../src/analysis/schema.js';
import { parseSql } from '../../src/sql/parser.js';
import { SourceFile } from '../../src/sql/source.js';

/**
 * The fixes rules attach to their findings: what the file becomes when every fix is applied (pass
 * after pass, as `pgwarden lint --fix` does), the follow-up migrations they ask for, and the
 * findings they must leave alone because the fixed statement would fail or do less.
 */

const none: TestOptions = { transaction: 'none' };

/** A schema model holding what `sql` creates, as an earlier migration. */
function cloneOf(sql: string): SchemaModel {
  const schema = new SchemaModel();
  for (const statement of parseSql(new SourceFile('earlier.sql', sql)).statements) schema.apply(statement);
  schema.commit('earlier');
  return schema;
}

function fixAll(text: string, options: TestOptions = {}): { text: string; followUps: string[] } {
  let current = text;
  const followUps: string[] = [];
  for (let pass = 0; pass < 10; pass++) {
    const fixes = analyzeText(current, options).findings.flatMap((f) => (f.fix ? [f.fix] : []));
    const chosen = chooseFixes(fixes);
    if (!chosen.length) break;
    current = applyEdits(current, chosen.flatMap((fix) => fix.edits));
    followUps.push(...chosen.flatMap((fix) => (fix.followUp ? [fix.followUp.sql] : [])));
  }
  return { text: current, followUps };
}

/** The rule's findings and whether each carries a fix. */
function fixability(text: string, ruleId: string, options: TestOptions = {}): boolean[] {
  return analyzeText(text, options)
    .findings.filter((f) => f.ruleId === ruleId)
    .map((f) => f.fix !== undefined);
}

describe('CONCURRENTLY fixes', () => {
  it('adds CONCURRENTLY to CREATE [UNIQUE] INDEX outside a transaction, past comments', () => {
    expect(fixAll('CREATE UNIQUE /* one per user */ INDEX users_email_key ON users (email);\n', none).text).toBe(
      'CREATE UNIQUE /* one per user */ INDEX CONCURRENTLY users_email_key ON users (email);\n',
    );
    expect(fixAll('-- pgwarden:no-transaction\ncreate index orders_created_at_idx on orders (created_at);\n').text).toBe(
      '-- pgwarden:no-transaction\ncreate index CONCURRENTLY orders_created_at_idx on orders (created_at);\n',
    );
  });

  it('not on partitioned tables an earlier migration created, where CONCURRENTLY and NOT VALID keys fail', () => {
    const earlier = 'CREATE TABLE events (id bigint, at date, account_id bigint) PARTITION BY RANGE (at);\nCREATE INDEX events_at_idx ON events (at);';
    const withSchema = (): TestOptions => ({ ...none, schema: cloneOf(earlier) });
    expect(fixability('CREATE INDEX events_account_idx ON events (account_id);\n', 'require-concurrent-index', withSchema())).toEqual([false]);
    expect(fixability('DROP INDEX events_at_idx;\n', 'require-concurrent-index-drop', withSchema())).toEqual([false]);
    const key = 'ALTER TABLE events ADD CONSTRAINT events_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);\n';
    expect(fixability(key, 'require-not-valid-foreign-key', { ...withSchema(), transaction: 'per-file', postgresVersion: 17 })).toEqual([false]);
    expect(fixability(key, 'require-not-valid-foreign-key', { ...withSchema(), transaction: 'per-file', postgresVersion: 18 })).toEqual([true]);
    // The same statements on a table pgwarden knows is not partitioned are fixed.
    expect(fixability('CREATE INDEX orders_idx ON orders (account_id);\n', 'require-concurrent-index', withSchema())).toEqual([true]);
  });

  it('never inside a transaction, where CONCURRENTLY fails', () => {
    const sql = 'CREATE INDEX orders_created_at_idx ON orders (created_at);\n';
    expect(fixability(sql, 'require-concurrent-index')).toEqual([false]);
    expect(fixability(sql, 'require-concurrent-index', { transaction: 'per-file' })).toEqual([false]);
    // One query of two statements: PostgreSQL runs them in an implicit transaction block.
    expect(fixability(`SELECT 1;\n${sql}`, 'require-concurrent-index', { transaction: 'implicit' })).toEqual([false]);
    expect(fixability(`BEGIN;\n${sql}COMMIT;\n`, 'require-concurrent-index')).toEqual([false]);
    expect(fixability(`DO $$ BEGIN ${sql} END $$;\n`, 'require-concurrent-index', none)).toEqual([false]);
  });

  it('after an explicit COMMIT the statement runs on its own', () => {
    const sql = 'BEGIN;\nCREATE TABLE t (id bigint);\nCOMMIT;\nCREATE INDEX orders_total_idx ON orders (total);\n';
    expect(fixAll(sql).text).toContain('CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);');
  });

  it('DROP INDEX: one index without CASCADE only', () => {
    expect(fixAll('DROP INDEX IF EXISTS billing.invoices_due_idx;\n', none).text).toBe('DROP INDEX CONCURRENTLY IF EXISTS billing.invoices_due_idx;\n');
    expect(fixability('DROP INDEX a_idx, b_idx;\n', 'require-concurrent-index-drop', none)).toEqual([false]);
    expect(fixability('DROP INDEX a_idx CASCADE;\n', 'require-concurrent-index-drop', none)).toEqual([false]);
  });

  it('REINDEX INDEX from PostgreSQL 12; never REINDEX TABLE, which would skip invalid indexes', () => {
    expect(fixAll('REINDEX (VERBOSE) INDEX orders_created_at_idx;\n', none).text).toBe('REINDEX (VERBOSE) INDEX CONCURRENTLY orders_created_at_idx;\n');
    expect(fixability('REINDEX INDEX orders_created_at_idx;\n', 'require-concurrent-reindex', { ...none, postgresVersion: 11 })).toEqual([false]);
    expect(fixability('REINDEX TABLE orders;\n', 'require-concurrent-reindex', none)).toEqual([false]);
  });

  it('no fix for REFRESH MATERIALIZED VIEW: CONCURRENTLY needs a unique index pgwarden cannot see', () => {
    expect(fixability('REFRESH MATERIALIZED VIEW daily_sales;\n', 'require-concurrent-refresh', none)).toEqual([false]);
  });
});

describe('NOT VALID fixes', () => {
  it('marks named foreign keys and CHECKs NOT VALID, after their other attributes, and asks for the VALIDATE', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders',
      '  ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE DEFERRABLE,',
      '  ADD CONSTRAINT "Total positive" CHECK (total >= 0);',
      '',
    ].join('\n');
    const fixed = fixAll(sql);
    expect(fixed.text).toBe(
      [
        "SET lock_timeout = '2s';",
        'ALTER TABLE orders',
        '  ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE DEFERRABLE NOT VALID,',
        '  ADD CONSTRAINT "Total positive" CHECK (total >= 0) NOT VALID;',
        '',
      ].join('\n'),
    );
    expect(fixed.followUps.sort()).toEqual([
      'ALTER TABLE orders VALIDATE CONSTRAINT "Total positive";',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;',
    ]);
    expect(findingsOf(fixed.text).map((f) => f.ruleId)).toEqual([]);
  });

  it('keeps ONLY, IF EXISTS and quoted schemas in the follow-up', () => {
    const fixed = fixAll('ALTER TABLE IF EXISTS ONLY "Sales".orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);\n');
    expect(fixed.followUps).toEqual(['ALTER TABLE IF EXISTS ONLY "Sales".orders VALIDATE CONSTRAINT orders_total_check;']);
  });

  it('domains get ALTER DOMAIN … VALIDATE', () => {
    const fixed = fixAll('ALTER DOMAIN public.amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);\n');
    expect(fixed.text).toBe('ALTER DOMAIN public.amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0) NOT VALID;\n');
    expect(fixed.followUps).toEqual(['ALTER DOMAIN public.amount VALIDATE CONSTRAINT amount_positive;']);
  });

  it('leaves unnamed constraints, new-column constraints, down parts and self-validated constraints alone', () => {
    const fk = 'require-not-valid-foreign-key';
    const check = 'require-not-valid-check';
    expect(fixability('ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);\n', fk)).toEqual([false]);
    expect(fixability('ALTER TABLE orders ADD CHECK (total >= 0);\n', check)).toEqual([false]);
    expect(fixability('ALTER TABLE orders ADD COLUMN rate numeric CONSTRAINT rate_positive CHECK (rate > 0);\n', check)).toEqual([false]);
    // A named table CHECK next to a column CHECK: NOT VALID would fix only half the statement.
    expect(
      fixability('ALTER TABLE orders ADD COLUMN rate numeric CHECK (rate > 0), ADD CONSTRAINT total_positive CHECK (total >= 0);\n', check),
    ).toEqual([false]);
    expect(
      fixability('ALTER TABLE orders ADD COLUMN customer_id bigint DEFAULT 0 CONSTRAINT orders_customer_fk REFERENCES customers (id);\n', fk),
    ).toEqual([false]);
    const down: TestOptions = {
      migration: { id: 'm', direction: 'down', layout: 'paired-files', rollback: null, rollbackExpected: false, rollbackEmpty: false },
    };
    expect(fixability('ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total >= 0);\n', check, down)).toEqual([false]);
    const validated = 'ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total >= 0);\nCOMMIT;\nALTER TABLE orders VALIDATE CONSTRAINT total_positive;\n';
    expect(fixability(validated, check)).toEqual([false]);
  });
});

describe('prefer-robust-statements fixes', () => {
  it('guards every statement a rerun would trip over, and the fixed file is clean', () => {
    const sql = [
      '-- pgwarden:no-transaction',
      'CREATE EXTENSION pg_trgm;',
      'CREATE TABLE reporting.daily (day date);',
      'ALTER TABLE orders ADD note text, DROP COLUMN legacy, DROP CONSTRAINT orders_old_check;',
      'DROP INDEX CONCURRENTLY orders_status_idx;',
      'DROP TRIGGER orders_audit ON orders;',
      'CREATE UNIQUE INDEX CONCURRENTLY "Orders_ref" ON orders (ref);',
      'SELECT 1;',
      '',
    ].join('\n');
    const fixed = fixAll(sql);
    expect(fixed.text).toBe(
      [
        '-- pgwarden:no-transaction',
        'CREATE EXTENSION IF NOT EXISTS pg_trgm;',
        'CREATE TABLE IF NOT EXISTS reporting.daily (day date);',
        'ALTER TABLE orders ADD IF NOT EXISTS note text, DROP COLUMN IF EXISTS legacy, DROP CONSTRAINT IF EXISTS orders_old_check;',
        'DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;',
        'DROP TRIGGER IF EXISTS orders_audit ON orders;',
        'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Orders_ref" ON orders (ref);',
        'SELECT 1;',
        '',
      ].join('\n'),
    );
    expect(findingsOf(fixed.text).filter((f) => f.ruleId === 'prefer-robust-statements')).toEqual([]);
  });

  it('CONCURRENTLY and IF NOT EXISTS on one CREATE INDEX combine in the right order', () => {
    const sql = 'CREATE INDEX orders_a_idx ON orders (a);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_b_idx ON orders (b);\n';
    expect(fixAll(sql, none).text).toBe(
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_b_idx ON orders (b);\n',
    );
  });
});

describe('chooseFixes', () => {
  it('takes fixes in file order and skips one that overlaps or touches an edit already taken', () => {
    const at = (start: number, end = start) => ({ edits: [{ start, end, text: 'x' }] });
    const chosen = chooseFixes([at(10), at(2, 4), at(10), at(4), at(6, 8)]);
    expect(chosen.map((fix) => fix.edits[0]!.start)).toEqual([2, 6, 10]);
    expect(applyEdits('0123456789abc', [{ start: 2, end: 4, text: 'X' }, { start: 10, end: 10, text: '!' }])).toBe('01X456789!abc');
  });
});
