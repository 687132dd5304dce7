import { describe, expect, it } from 'vitest';
import { loadParser, parseSql } from '../../src/sql/parser.js';
import { SourceFile } from '../../src/sql/source.js';
import { SchemaModel } from '../../src/analysis/schema.js';
import { statementLocks, type StatementLockOptions } from '../../src/analysis/statement-locks.js';

await loadParser();

/** Locks of the last statement in `sql`, as `name MODE` strings (`index:` marks an index). */
function locksOf(sql: string, options: StatementLockOptions = {}): string[] {
  const statements = parseSql(new SourceFile('t.sql', sql)).statements;
  const last = statements[statements.length - 1]!;
  return statementLocks(last, options).map((lock) => {
    const name = lock.relation.schemaname ? `${lock.relation.schemaname}.${lock.relation.relname}` : lock.relation.relname;
    return `${lock.index ? 'index:' : ''}${name} ${lock.mode}`;
  });
}

describe('statementLocks', () => {
  describe('ALTER TABLE by subcommand', () => {
    it.each([
      ['ALTER TABLE t ADD COLUMN c int', ['t ACCESS EXCLUSIVE']],
      ['ALTER TABLE t ALTER COLUMN c TYPE bigint', ['t ACCESS EXCLUSIVE']],
      ['ALTER TABLE t ALTER COLUMN c SET NOT NULL', ['t ACCESS EXCLUSIVE']],
      ['ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID', ['t ACCESS EXCLUSIVE']],
      ['ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX u_idx', ['t ACCESS EXCLUSIVE']],
      ['ALTER TABLE t VALIDATE CONSTRAINT c', ['t SHARE UPDATE EXCLUSIVE']],
      ['ALTER TABLE t ALTER COLUMN c SET STATISTICS 500', ['t SHARE UPDATE EXCLUSIVE']],
      ['ALTER TABLE t ALTER COLUMN c SET (n_distinct = 100)', ['t SHARE UPDATE EXCLUSIVE']],
      ['ALTER TABLE t SET (fillfactor = 80, toast.autovacuum_enabled = false)', ['t SHARE UPDATE EXCLUSIVE']],
      ['ALTER TABLE t RESET (autovacuum_vacuum_scale_factor)', ['t SHARE UPDATE EXCLUSIVE']],
      ['ALTER VIEW v SET (security_barrier = true)', ['v ACCESS EXCLUSIVE']],
      ['ALTER TABLE t CLUSTER ON t_pkey', ['t SHARE UPDATE EXCLUSIVE']],
      ['ALTER TABLE t SET WITHOUT CLUSTER', ['t SHARE UPDATE EXCLUSIVE']],
      ['ALTER TABLE t ENABLE TRIGGER audit', ['t SHARE ROW EXCLUSIVE']],
      ['ALTER TABLE t DISABLE TRIGGER ALL', ['t SHARE ROW EXCLUSIVE']],
      ['ALTER TABLE t ENABLE ROW LEVEL SECURITY', ['t ACCESS EXCLUSIVE']],
      ['ALTER TABLE t OWNER TO app', ['t ACCESS EXCLUSIVE']],
      ['ALTER TABLE t ALTER COLUMN c SET STORAGE EXTERNAL', ['t ACCESS EXCLUSIVE']],
    ])('%s', (sql, expected) => {
      expect(locksOf(sql)).toEqual(expected);
    });

    it('takes the strongest mode of all subcommands', () => {
      expect(locksOf('ALTER TABLE t VALIDATE CONSTRAINT c, ADD COLUMN d int')).toEqual(['t ACCESS EXCLUSIVE']);
      expect(locksOf('ALTER TABLE t ALTER COLUMN a SET STATISTICS 10, ENABLE TRIGGER x')).toEqual(['t SHARE ROW EXCLUSIVE']);
    });

    it('locks both tables of a new foreign key in SHARE ROW EXCLUSIVE', () => {
      expect(locksOf('ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES sales.customers (id)')).toEqual([
        'orders SHARE ROW EXCLUSIVE',
        'sales.customers SHARE ROW EXCLUSIVE',
      ]);
      expect(locksOf('ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers')).toEqual([
        'orders ACCESS EXCLUSIVE',
        'customers SHARE ROW EXCLUSIVE',
      ]);
      expect(locksOf('ALTER TABLE nodes ADD FOREIGN KEY (parent_id) REFERENCES nodes (id)')).toEqual(['nodes SHARE ROW EXCLUSIVE']);
    });

    it('locks the parent and the partition of ATTACH and DETACH PARTITION', () => {
      expect(locksOf("ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')")).toEqual([
        'events SHARE UPDATE EXCLUSIVE',
        'events_2025 ACCESS EXCLUSIVE',
      ]);
      expect(
        locksOf("ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES IN ('x')", { postgresVersion: 11 }),
      ).toEqual(['events ACCESS EXCLUSIVE', 'events_2025 ACCESS EXCLUSIVE']);
      expect(locksOf('ALTER TABLE events DETACH PARTITION events_2019')).toEqual([
        'events ACCESS EXCLUSIVE',
        'events_2019 ACCESS EXCLUSIVE',
      ]);
      expect(locksOf('ALTER TABLE events DETACH PARTITION events_2019 CONCURRENTLY')).toEqual([
        'events SHARE UPDATE EXCLUSIVE',
        'events_2019 SHARE UPDATE EXCLUSIVE',
      ]);
    });

    it('marks ALTER INDEX targets as indexes', () => {
      expect(locksOf('ALTER INDEX orders_idx SET TABLESPACE fast')).toEqual(['index:orders_idx ACCESS EXCLUSIVE']);
      expect(locksOf('ALTER INDEX orders_idx SET (fillfactor = 90)')).toEqual(['index:orders_idx SHARE UPDATE EXCLUSIVE']);
    });

    it('ignores ALTER TYPE on composite types', () => {
      expect(locksOf('ALTER TYPE pair ADD ATTRIBUTE c int')).toEqual([]);
    });
  });

  describe('indexes', () => {
    it('CREATE INDEX takes SHARE, CONCURRENTLY SHARE UPDATE EXCLUSIVE', () => {
      expect(locksOf('CREATE INDEX i ON s.t (a)')).toEqual(['s.t SHARE']);
      expect(locksOf('CREATE UNIQUE INDEX CONCURRENTLY i ON t (a)')).toEqual(['t SHARE UPDATE EXCLUSIVE']);
    });

    it('dropping a foreign key the model knows locks the referenced table ACCESS EXCLUSIVE too (its triggers go)', () => {
      const schema = new SchemaModel();
      const earlier = [
        'CREATE TABLE customers (id bigint PRIMARY KEY)',
        'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint CONSTRAINT orders_customer_fk REFERENCES customers (id), note text CHECK (note <> \'\'))',
      ].join(';\n');
      for (const statement of parseSql(new SourceFile('a.sql', earlier)).statements) schema.apply(statement);
      expect(locksOf('ALTER TABLE orders DROP CONSTRAINT orders_customer_fk', { schema })).toEqual([
        'orders ACCESS EXCLUSIVE',
        'customers ACCESS EXCLUSIVE',
      ]);
      expect(locksOf('DROP TABLE orders', { schema })).toEqual(['orders ACCESS EXCLUSIVE', 'customers ACCESS EXCLUSIVE']);
      expect(locksOf('ALTER TABLE orders DROP CONSTRAINT orders_note_check', { schema })).toEqual(['orders ACCESS EXCLUSIVE']);
      // Without the model, the referenced table is unknown.
      expect(locksOf('ALTER TABLE orders DROP CONSTRAINT orders_customer_fk')).toEqual(['orders ACCESS EXCLUSIVE']);
    });

    it('DROP INDEX locks the index, and its table when the model knows it', () => {
      expect(locksOf('DROP INDEX i, s.j')).toEqual(['index:i ACCESS EXCLUSIVE', 'index:s.j ACCESS EXCLUSIVE']);
      expect(locksOf('DROP INDEX CONCURRENTLY i')).toEqual(['index:i SHARE UPDATE EXCLUSIVE']);
      const schema = new SchemaModel();
      schema.setMigration('0001');
      schema.apply(parseSql(new SourceFile('a.sql', 'CREATE INDEX i ON orders (a)')).statements[0]!);
      expect(locksOf('DROP INDEX i', { schema })).toEqual(['index:i ACCESS EXCLUSIVE', 'orders ACCESS EXCLUSIVE']);
      expect(locksOf('REINDEX INDEX i', { schema })).toEqual(['index:i ACCESS EXCLUSIVE', 'orders SHARE']);
    });

    it('REINDEX takes SHARE on a table, ACCESS EXCLUSIVE on an index, SHARE UPDATE EXCLUSIVE concurrently', () => {
      expect(locksOf('REINDEX TABLE orders')).toEqual(['orders SHARE']);
      expect(locksOf('REINDEX INDEX orders_idx')).toEqual(['index:orders_idx ACCESS EXCLUSIVE']);
      expect(locksOf('REINDEX TABLE CONCURRENTLY orders')).toEqual(['orders SHARE UPDATE EXCLUSIVE']);
      expect(locksOf('REINDEX (VERBOSE) INDEX CONCURRENTLY orders_idx')).toEqual(['index:orders_idx SHARE UPDATE EXCLUSIVE']);
      expect(locksOf('REINDEX SCHEMA app')).toEqual([]);
    });

    it('ALTER INDEX … RENAME takes SHARE UPDATE EXCLUSIVE from PostgreSQL 12', () => {
      expect(locksOf('ALTER INDEX i RENAME TO j')).toEqual(['index:i SHARE UPDATE EXCLUSIVE']);
      expect(locksOf('ALTER INDEX i RENAME TO j', { postgresVersion: 11 })).toEqual(['index:i ACCESS EXCLUSIVE']);
    });
  });

  describe('other DDL', () => {
    it.each([
      ['DROP TABLE a, s.b CASCADE', ['a ACCESS EXCLUSIVE', 's.b ACCESS EXCLUSIVE']],
      ['DROP MATERIALIZED VIEW IF EXISTS m', ['m ACCESS EXCLUSIVE']],
      ['DROP TRIGGER audit ON s.orders', ['s.orders ACCESS EXCLUSIVE']],
      ['DROP POLICY tenant ON orders', ['orders ACCESS EXCLUSIVE']],
      ['DROP FUNCTION f()', []],
      ['TRUNCATE a, b', ['a ACCESS EXCLUSIVE', 'b ACCESS EXCLUSIVE']],
      ['ALTER TABLE t RENAME TO u', ['t ACCESS EXCLUSIVE']],
      ['ALTER TABLE t RENAME COLUMN a TO b', ['t ACCESS EXCLUSIVE']],
      ['ALTER TABLE t RENAME CONSTRAINT a TO b', ['t ACCESS EXCLUSIVE']],
      ['ALTER TRIGGER tr ON t RENAME TO tr2', ['t ACCESS EXCLUSIVE']],
      ['ALTER TABLE t SET SCHEMA archive', ['t ACCESS EXCLUSIVE']],
      ['CLUSTER t USING t_pkey', ['t ACCESS EXCLUSIVE']],
      ['CLUSTER', []],
      ['VACUUM FULL a, b (c)', ['a ACCESS EXCLUSIVE', 'b ACCESS EXCLUSIVE']],
      ['VACUUM (FULL false, ANALYZE) a', ['a SHARE UPDATE EXCLUSIVE']],
      ['VACUUM a', ['a SHARE UPDATE EXCLUSIVE']],
      ['ANALYZE a', ['a SHARE UPDATE EXCLUSIVE']],
      ['VACUUM', []],
      ['REFRESH MATERIALIZED VIEW m', ['m ACCESS EXCLUSIVE']],
      ['REFRESH MATERIALIZED VIEW CONCURRENTLY m', ['m EXCLUSIVE']],
      ['CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()', ['t SHARE ROW EXCLUSIVE']],
      ['CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING', ['t ACCESS EXCLUSIVE']],
      ['CREATE POLICY p ON t USING (owner = current_user)', ['t ACCESS EXCLUSIVE']],
      ['ALTER POLICY p ON t USING (true)', ['t ACCESS EXCLUSIVE']],
      ['CREATE OR REPLACE VIEW v AS SELECT 1', ['v ACCESS EXCLUSIVE']],
      ['CREATE VIEW v AS SELECT * FROM t', []],
      ["COMMENT ON TABLE t IS 'x'", ['t SHARE UPDATE EXCLUSIVE']],
      ["COMMENT ON COLUMN s.t.c IS 'x'", ['s.t SHARE UPDATE EXCLUSIVE']],
      ["COMMENT ON CONSTRAINT c ON t IS 'x'", ['t SHARE UPDATE EXCLUSIVE']],
      ["COMMENT ON INDEX i IS 'x'", ['index:i SHARE UPDATE EXCLUSIVE']],
      ["COMMENT ON FUNCTION f() IS 'x'", []],
    ])('%s', (sql, expected) => {
      expect(locksOf(sql)).toEqual(expected);
    });

    it('LOCK TABLE takes the mode it names, ACCESS EXCLUSIVE by default', () => {
      expect(locksOf('LOCK TABLE a, s.b IN SHARE ROW EXCLUSIVE MODE')).toEqual(['a SHARE ROW EXCLUSIVE', 's.b SHARE ROW EXCLUSIVE']);
      expect(locksOf('LOCK a')).toEqual(['a ACCESS EXCLUSIVE']);
      expect(locksOf('LOCK a IN ACCESS SHARE MODE NOWAIT')).toEqual(['a ACCESS SHARE']);
    });

    it('CREATE TABLE locks the tables it references and its parent', () => {
      expect(
        locksOf('CREATE TABLE items (id int PRIMARY KEY, order_id int REFERENCES orders, parent int REFERENCES items, FOREIGN KEY (id) REFERENCES s.base)'),
      ).toEqual(['orders SHARE ROW EXCLUSIVE', 's.base SHARE ROW EXCLUSIVE']);
      expect(locksOf('CREATE TABLE e_2025 PARTITION OF events FOR VALUES IN (2025)')).toEqual(['events ACCESS EXCLUSIVE']);
      expect(locksOf('CREATE TABLE child () INHERITS (parent)')).toEqual(['parent SHARE UPDATE EXCLUSIVE']);
      expect(locksOf('CREATE TABLE plain (id int)')).toEqual([]);
    });
  });

  describe('data changes', () => {
    it.each([
      ['INSERT INTO t VALUES (1)', ['t ROW EXCLUSIVE']],
      ['UPDATE s.t SET a = 1 WHERE id = 2', ['s.t ROW EXCLUSIVE']],
      ['DELETE FROM t WHERE id = 2', ['t ROW EXCLUSIVE']],
      ['MERGE INTO t USING src ON t.id = src.id WHEN MATCHED THEN DELETE', ['t ROW EXCLUSIVE']],
      ['COPY t FROM STDIN', ['t ROW EXCLUSIVE']],
      ['COPY t TO STDOUT', []],
      ['SELECT * FROM t', []],
    ])('%s', (sql, expected) => {
      expect(locksOf(sql)).toEqual(expected);
    });
  });

  it('sees statements inside DO blocks as ordinary statements', () => {
    expect(locksOf('DO $$ BEGIN ALTER TABLE t DROP COLUMN c; END $$')).toEqual(['t ACCESS EXCLUSIVE']);
  });
});
