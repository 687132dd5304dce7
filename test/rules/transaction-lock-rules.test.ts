import { describe, expect, it } from 'vitest';
import { CURRENT, SchemaModel } from '../../src/analysis/schema.js';
import { parseSql } from '../../src/sql/parser.js';
import { SourceFile } from '../../src/sql/source.js';
import { findingsOf, type TestOptions } from '../helpers.js';

function findings(ruleId: string, sql: string, options: TestOptions = {}) {
  return findingsOf(sql, { severities: new Map([[ruleId, 'error']]), ...options }).filter((f) => f.ruleId === ruleId);
}

/** A model that knows the objects `sql` created in an earlier migration. */
function earlierSchema(sql: string): SchemaModel {
  const schema = new SchemaModel();
  schema.setMigration('0001_earlier');
  for (const statement of parseSql(new SourceFile('0001.sql', sql)).statements) schema.apply(statement);
  schema.setMigration(CURRENT);
  return schema;
}

describe('no-lock-after-access-exclusive', () => {
  const twoTables = 'ALTER TABLE orders DROP COLUMN legacy;\nALTER TABLE customers ADD COLUMN tier text;';

  it('is medium risk when no lock_timeout bounds the wait, and names both tables', () => {
    const [finding] = findings('no-lock-after-access-exclusive', twoTables);
    expect(finding?.risk).toBe('medium');
    expect(finding?.line).toBe(2);
    expect(finding?.lock).toBe('ACCESS EXCLUSIVE');
    expect(finding?.message).toContain('queues for ACCESS EXCLUSIVE on customers');
    expect(finding?.message).toContain('the ACCESS EXCLUSIVE lock taken on orders at line 1');
    expect(finding?.message).toContain('no lock_timeout');
  });

  it('is low risk once lock_timeout bounds the wait', () => {
    const [finding] = findings('no-lock-after-access-exclusive', `SET LOCAL lock_timeout = '2s';\n${twoTables}`);
    expect(finding?.risk).toBe('low');
    expect(finding?.message).toContain('for up to lock_timeout');
  });

  it('knows which table a dropped index belongs to when an earlier migration created it', () => {
    const sql = 'DROP INDEX orders_status_idx;\nALTER TABLE customers ADD COLUMN tier text;';
    expect(findings('no-lock-after-access-exclusive', sql)).toEqual([]);
    const schema = earlierSchema('CREATE TABLE orders (status text); CREATE INDEX orders_status_idx ON orders (status);');
    const [finding] = findings('no-lock-after-access-exclusive', sql, { schema });
    expect(finding?.message).toContain('taken on orders at line 1');
  });
});

describe('no-slow-statement-after-access-exclusive', () => {
  it('says what the slow statement does and which held lock it extends', () => {
    const sql = [
      'ALTER TABLE orders ADD COLUMN region text;',
      "UPDATE orders SET region = 'eu' WHERE country = 'de';",
      "UPDATE orders SET region = 'us' WHERE country = 'us';",
    ].join('\n');
    const [finding, ...rest] = findings('no-slow-statement-after-access-exclusive', sql);
    expect(rest).toEqual([]);
    expect(finding?.risk).toBe('medium');
    expect(finding?.message).toBe(
      'This statement updates rows of orders while the transaction holds the ACCESS EXCLUSIVE lock taken on orders at line 1, ' +
        'so it stays blocked for reads and writes until it finishes (and 1 later statement of the transaction).',
    );
  });

  it('lists at most three held tables', () => {
    const sql = [
      ...['a', 'b', 'c', 'd', 'e'].map((t) => `ALTER TABLE ${t} DROP COLUMN legacy;`),
      'CREATE INDEX orders_region_idx ON orders (region);',
    ].join('\n');
    const [finding] = findings('no-slow-statement-after-access-exclusive', sql);
    expect(finding?.message).toContain('the ACCESS EXCLUSIVE locks taken on a (line 1), b (line 2), c (line 3) and 2 more');
  });

  it('uses what an earlier migration proved: SET NOT NULL after a validated CHECK is instant', () => {
    const sql = 'ALTER TABLE accounts DROP COLUMN legacy;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;';
    expect(findings('no-slow-statement-after-access-exclusive', sql)).toHaveLength(1);
    const schema = earlierSchema(
      'CREATE TABLE users (email text); ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL);',
    );
    expect(findings('no-slow-statement-after-access-exclusive', sql, { schema })).toEqual([]);
  });
});

describe('require-statement-timeout', () => {
  it('reports the first unbounded statement once and counts the others', () => {
    const sql = [
      'CREATE INDEX orders_region_idx ON orders (region);',
      'CREATE INDEX orders_status_idx ON orders (status);',
      "UPDATE orders SET region = 'eu' WHERE country = 'de';",
    ].join('\n');
    const reported = findings('require-statement-timeout', sql);
    expect(reported.map((f) => [f.line, f.risk, f.severity])).toEqual([[1, 'low', 'error']]);
    expect(reported[0]?.message).toBe(
      'No statement_timeout is set when this statement builds an index on orders, holding SHARE on orders for as long as it runs (2 later statements too).',
    );
    expect(findingsOf(sql).find((f) => f.ruleId === 'require-statement-timeout')?.severity).toBe('warning');
  });
});

describe('no-disabled-idle-transaction-timeout', () => {
  it('points at the SET and names the locked table', () => {
    const sql = 'SET idle_in_transaction_session_timeout = 0;\nALTER TABLE orders ADD COLUMN note text;';
    const [finding] = findings('no-disabled-idle-transaction-timeout', sql);
    expect(finding?.line).toBe(1);
    expect(finding?.message).toContain('idle_in_transaction_session_timeout is off when the statement at line 2 takes ACCESS EXCLUSIVE on orders');
  });

  it('treats a value over 5 minutes as disabled, and 5 minutes as a working net', () => {
    const sql = (value: string) => `SET idle_in_transaction_session_timeout = '${value}';\nALTER TABLE orders ADD COLUMN note text;`;
    expect(findings('no-disabled-idle-transaction-timeout', sql('5min'))).toEqual([]);
    expect(findings('no-disabled-idle-transaction-timeout', sql('301s'))[0]?.message).toContain('stays locked for 301 s');
  });
});

describe('no-unbatched-dml', () => {
  const sql = "UPDATE invoices SET status = 'open' WHERE status IS NULL;";

  it('is off unless the config turns it on', () => {
    expect(findingsOf(sql).map((f) => f.ruleId)).not.toContain('no-unbatched-dml');
    expect(findings('no-unbatched-dml', sql)).toHaveLength(1);
  });
});

describe('no-repeated-alter-table', () => {
  it('is hygiene: its findings never raise the file risk', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN a int;\nALTER TABLE orders ADD COLUMN b int;';
    const reported = findingsOf(sql, { transaction: 'none' });
    expect(reported.map((f) => f.ruleId)).toContain('no-repeated-alter-table');
    expect(reported.filter((f) => f.risk !== 'low')).toEqual([]);
  });
});
