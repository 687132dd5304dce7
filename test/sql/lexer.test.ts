import { scanSync } from 'libpg-query';
import { describe, expect, it } from 'vitest';
import { lexCommonSql } from '../../src/sql/lexer.js';
import { loadParser } from '../../src/sql/parser.js';

await loadParser();

function postgres(text: string) {
  return scanSync(text).tokens.map((t) => ({
    start: t.start,
    end: t.end,
    text: t.text,
    comment: t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT',
  }));
}

describe('lexCommonSql', () => {
  it('cuts tokens where the Postgres scanner does', () => {
    const texts = [
      'ALTER TABLE "Order" ADD CONSTRAINT "Order_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE',
      "INSERT INTO t (a, b) VALUES ('it''s', 1.5), ('x', 12.), (NULL, -3)",
      'CREATE INDEX idx ON t USING gin (doc jsonb_path_ops) WHERE (doc->>\'k\') IS NOT NULL AND a<>b AND c!=d',
      'SELECT a::int, b<=c, d>=e, f=>g, x+-2, y@-1, z*-1 FROM "a""b" -- trailing\n/* nested /* comment */ still */ ;',
      'SELECT 1-- comment right after a number\n+2',
      'UPDATE café SET naïve = \'中文\', ünïcode$x = 1 WHERE id = 3;',
      'CREATE TABLE t (\n\tid bigint PRIMARY KEY,\r\n\tname text\r\n)',
      'SELECT a/*x*/b, c--x\n, d',
      'SELECT 1 /* a */ /**/ /*/ */ /***/',
      'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql; DO $body$ BEGIN PERFORM $$x$$; END $body$',
      'SELECT $a$ $ab$ $$ $b$ $a$, a$$b',
      'ALTER TABLE {{ .Schema }}.users ADD COLUMN a int; \\set x',
    ];
    for (const text of texts) expect(lexCommonSql(text)).toEqual(postgres(text));
  });

  it('leaves what it does not cover to the real scanner', () => {
    const texts = [
      '',
      'SELECT $1',
      'SELECT $é$ x $é$',
      'SELECT $$ unterminated',
      'SELECT $ 1',
      "SELECT E'a\\nb'",
      "SELECT U&'d\\0061t'",
      "SELECT 'a'\n  'b'",
      "SELECT 'a\\b'",
      'SELECT 1e5, 0x1F, 1_000',
      'SELECT a[1:2], 1..2',
      'x := 1',
      "SELECT 'unterminated",
      'SELECT 1 /* unterminated',
      'SELECT ""',
      'SELECT \'😀\'',
      'SELECT 1\f',
      'SELECT 1\v',
    ];
    for (const text of texts) expect(lexCommonSql(text), JSON.stringify(text)).toBeUndefined();
  });
});
