import { describe, expect, it } from 'vitest';
import { CURRENT, SchemaModel } from '../../src/analysis/schema.js';
import { parseSql } from '../../src/sql/parser.js';
import { SourceFile } from '../../src/sql/source.js';
import { findingsOf } from '../helpers.js';

/**
 * Rules that stay quiet only when they know a table from earlier migrations. Fixtures cannot
 * express that (a table created in the fixture is "created here"), so these build the model.
 */
function earlierSchema(sql: string): SchemaModel {
  const schema = new SchemaModel();
  schema.setMigration('0001_earlier');
  for (const statement of parseSql(new SourceFile('0001.sql', sql)).statements) schema.apply(statement);
  schema.setMigration(CURRENT);
  return schema;
}

function findings(ruleId: string, earlier: string, sql: string, postgresVersion = 16) {
  // Naming the rule's severity turns opt-in rules on too.
  const severities = new Map([[ruleId, 'warning' as const]]);
  return findingsOf(sql, { schema: earlierSchema(earlier), postgresVersion, severities }).filter((f) => f.ruleId === ruleId);
}

describe('no-column-type-change with known column types', () => {
  const products = `CREATE TABLE products (
    name varchar(50), code varchar(10), body text, price numeric(10, 2), whole numeric(8), bits varbit(8),
    network cidr, seen_at timestamp, precise_at timestamp(3), id serial, tags varchar(10)[], qty int, code_char char(4)
  );`;
  const quiet = [
    'name TYPE varchar(100)',
    'name TYPE varchar(50)',
    'name TYPE character varying',
    'name TYPE text',
    'code TYPE varchar',
    'body TYPE varchar',
    'body TYPE text',
    'price TYPE numeric(12, 2)',
    'price TYPE numeric',
    'whole TYPE numeric(10, 0)',
    'bits TYPE bit varying(16)',
    'bits TYPE varbit',
    'network TYPE inet',
    'precise_at TYPE timestamp(6)',
    'precise_at TYPE timestamp',
    'id TYPE integer',
    'tags TYPE varchar(10)[]',
  ];
  for (const change of quiet) {
    it(`is quiet for ${change}`, () => {
      expect(findings('no-column-type-change', products, `ALTER TABLE products ALTER COLUMN ${change};`)).toEqual([]);
    });
  }

  const rewrites: Array<[string, string]> = [
    ['name TYPE varchar(20)', 'products.name from varchar(50) to varchar(20)'],
    ['body TYPE varchar(200)', 'products.body from text to varchar(200)'],
    ['price TYPE numeric(12, 3)', 'products.price from numeric(10,2) to numeric(12,3)'],
    ['price TYPE numeric(8, 2)', 'products.price from numeric(10,2) to numeric(8,2)'],
    ['whole TYPE numeric(10, 2)', 'products.whole from numeric(8) to numeric(10,2)'],
    ['qty TYPE bigint', 'products.qty from integer to bigint'],
    ['id TYPE bigint', 'products.id from serial to bigint'],
    ['tags TYPE varchar(20)[]', 'products.tags from varchar(10)[] to varchar(20)[]'],
    ['tags TYPE text', 'products.tags from varchar(10)[] to text'],
    ['network TYPE cidr USING network', 'products.network from cidr to cidr'],
    ['code_char TYPE text', 'products.code_char from char(4) to text'],
    ['body TYPE text COLLATE "C"', 'products.body from text to text'],
    ['seen_at TYPE timestamptz', 'products.seen_at from timestamp to timestamptz'],
  ];
  for (const [change, named] of rewrites) {
    it(`reports ${change}`, () => {
      const [finding, ...rest] = findings('no-column-type-change', products, `ALTER TABLE products ALTER COLUMN ${change};`);
      expect(rest).toEqual([]);
      expect(finding?.risk).toBe('high');
      expect(finding?.message).toContain(named);
    });
  }

  it('lowers timestamp to timestamptz to medium in a UTC session on PostgreSQL 12+', () => {
    const sql = "SET TIME ZONE 'UTC';\nALTER TABLE products ALTER COLUMN seen_at TYPE timestamptz;";
    const [finding] = findings('no-column-type-change', products, sql);
    expect(finding?.risk).toBe('medium');
    expect(finding?.message).toContain('rebuilds the indexes');
    expect(findings('no-column-type-change', products, sql, 11)[0]?.risk).toBe('high');
  });

  it('keeps a UTC SET LOCAL to its own transaction', () => {
    const inside = "BEGIN;\nSET LOCAL timezone = 'Etc/UTC';\nALTER TABLE products ALTER COLUMN seen_at TYPE timestamptz;\nCOMMIT;";
    expect(findings('no-column-type-change', products, inside, 16)[0]?.risk).toBe('medium');
    const after = "BEGIN;\nSET LOCAL timezone = 'UTC';\nCOMMIT;\nALTER TABLE products ALTER COLUMN seen_at TYPE timestamptz;";
    expect(findings('no-column-type-change', products, after, 16)[0]?.risk).toBe('high');
  });

  it('reports a statement once with the worst risk', () => {
    const sql = 'ALTER TABLE products ALTER COLUMN name TYPE text, ALTER COLUMN qty TYPE bigint;';
    const found = findings('no-column-type-change', products, sql);
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toContain('products.qty');
    expect(found[0]?.message).not.toContain('products.name');
  });
});

describe('set-not-null with an earlier schema', () => {
  it('is quiet when an earlier migration validated a CHECK (col IS NOT NULL)', () => {
    const earlier = 'CREATE TABLE orders (id bigint, customer_id bigint, CONSTRAINT orders_customer_id_nn CHECK (customer_id IS NOT NULL));';
    const sql = 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;';
    expect(findings('set-not-null', earlier, sql)).toEqual([]);
    expect(findings('set-not-null', earlier, sql, 11)).toHaveLength(1);
  });

  it('is quiet when a NOT VALID check from an earlier migration is validated here', () => {
    const earlier =
      'CREATE TABLE orders (id bigint, customer_id bigint);\n' +
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_nn CHECK (customer_id IS NOT NULL) NOT VALID;';
    const validated = 'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_nn;\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;';
    expect(findings('set-not-null', earlier, validated)).toEqual([]);
    expect(findings('set-not-null', earlier, 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;')).toHaveLength(1);
  });

  it('is quiet when the column already is NOT NULL', () => {
    const earlier = 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);';
    expect(findings('set-not-null', earlier, 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL, ALTER COLUMN id SET NOT NULL;')).toEqual([]);
  });
});

describe('rules on tables from earlier migrations', () => {
  it('still report: an earlier migration is not "created here"', () => {
    const earlier = 'CREATE TABLE sessions (id bigint, token text);\nCREATE MATERIALIZED VIEW totals AS SELECT 1 AS n;';
    expect(findings('no-truncate', earlier, 'TRUNCATE sessions;')).toHaveLength(1);
    expect(findings('no-drop-column', earlier, 'ALTER TABLE sessions DROP COLUMN token;')).toHaveLength(1);
    expect(findings('require-where-clause', earlier, 'DELETE FROM sessions;')).toHaveLength(1);
    expect(findings('require-concurrent-refresh', earlier, 'REFRESH MATERIALIZED VIEW totals;')).toHaveLength(1);
  });
});

describe('column rules with known nullability', () => {
  const earlier = 'CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, note text);';

  it('no-drop-not-null is quiet on a column that already allows NULL', () => {
    expect(findings('no-drop-not-null', earlier, 'ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;')).toEqual([]);
    expect(findings('no-drop-not-null', earlier, 'ALTER TABLE orders ALTER COLUMN status DROP NOT NULL;')).toHaveLength(1);
  });

  it('set-default-existing-rows is quiet on a NOT NULL column, whose rows all have a value', () => {
    expect(findings('set-default-existing-rows', earlier, "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new';")).toEqual([]);
    expect(findings('set-default-existing-rows', earlier, "ALTER TABLE orders ALTER COLUMN note SET DEFAULT '';")).toHaveLength(1);
  });
});
