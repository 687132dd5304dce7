import { describe, expect, it } from 'vitest';
import { loadParser, parseSql } from '../../src/sql/parser.js';
import { SourceFile } from '../../src/sql/source.js';

await loadParser();

function parse(text: string) {
  const source = new SourceFile('t.sql', text);
  const parsed = parseSql(source);
  return {
    parsed,
    texts: parsed.statements.map((s) => text.slice(s.start, s.end)),
    errors: parsed.errors.map((e) => ({ message: e.message, ...source.positionAt(e.index) })),
  };
}

describe('parseSql', () => {
  it('keeps each statement’s exact range, without leading comments or the semicolon', () => {
    const { texts } = parse('-- header\nCREATE TABLE a (id int);\n/* note */ ALTER TABLE a ADD COLUMN b text;\n');
    expect(texts).toEqual(['CREATE TABLE a (id int)', 'ALTER TABLE a ADD COLUMN b text']);
  });

  it('trims trailing comments from a last statement without a semicolon', () => {
    const { texts } = parse('DROP TABLE a -- gone\n-- end of file\n');
    expect(texts).toEqual(['DROP TABLE a']);
  });

  it('accepts empty, blank and comment-only files', () => {
    for (const text of ['', '   \n\t', '-- nothing here\n/* at all */']) {
      const { parsed } = parse(text);
      expect(parsed.statements).toEqual([]);
      expect(parsed.errors).toEqual([]);
    }
  });

  it('reports a located syntax error and keeps the statements around it', () => {
    const { texts, errors } = parse('CREATE TABLE a (id int);\n  SELEC 1;\nDROP TABLE b;\n');
    expect(texts).toEqual(['CREATE TABLE a (id int)', 'DROP TABLE b']);
    expect(errors).toEqual([{ message: 'syntax error at or near "SELEC"', line: 2, column: 3 }]);
  });

  it('recovers the statements around a missing semicolon and says what is likely wrong', () => {
    const { texts, errors } = parse('ALTER TABLE a DROP CONSTRAINT a_pkey\nALTER TABLE a ALTER COLUMN d TYPE timestamp;\nDROP TABLE b;\n');
    expect(texts).toEqual(['ALTER TABLE a DROP CONSTRAINT a_pkey', 'ALTER TABLE a ALTER COLUMN d TYPE timestamp', 'DROP TABLE b']);
    expect(errors).toEqual([
      { message: 'syntax error at or near "ALTER" (is a semicolon missing before this statement?)', line: 2, column: 1 },
    ]);
  });

  it('locates errors after multi-byte text', () => {
    const { errors } = parse("SELECT 'café 😀';\nSELECT 1 FRO x;\n");
    expect(errors).toEqual([{ message: 'syntax error at or near "x"', line: 2, column: 14 }]);
  });

  it('survives an unterminated string (the scanner cannot tokenise it)', () => {
    const { texts, errors } = parse("DROP TABLE a;\nSELECT 'oops;\n");
    expect(texts).toEqual(['DROP TABLE a']);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.line).toBe(2);
  });

  it('reports psql meta-commands as errors without swallowing the next statement', () => {
    const { texts, errors } = parse('\\set ON_ERROR_STOP on\nDROP TABLE a;\nSELEC;\n');
    expect(texts).toEqual(['DROP TABLE a']);
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [1, 1],
      [3, 1],
    ]);
  });

  it('does not split SQL-standard function bodies at their inner semicolons', () => {
    const { texts, errors } = parse(
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;\nSELEC;\nDROP TABLE a;',
    );
    expect(errors).toHaveLength(1);
    expect(texts[0]).toMatch(/^CREATE FUNCTION f\(\).*END$/);
    expect(texts[1]).toBe('DROP TABLE a');
  });

  it('collects comments between statements only', () => {
    const { parsed } = parse("-- one\nSELECT '-- not a comment';\n/* two /* nested */ */ SELECT 1 /* inside */;");
    expect(parsed.comments.map((c) => [c.kind, c.value])).toEqual([
      ['line', ' one'],
      ['block', ' two /* nested */ '],
    ]);
  });
});

describe('DO blocks', () => {
  it('parses the statements of a PL/pgSQL body with file positions', () => {
    const text = 'DO $$\nBEGIN\n  ALTER TABLE a ADD COLUMN b int;\n  IF true THEN UPDATE a SET b = 1; END IF;\nEND $$;';
    const { parsed, texts } = parse(text);
    expect(texts).toEqual([text.slice(0, -1), 'ALTER TABLE a ADD COLUMN b int', 'UPDATE a SET b = 1']);
    expect(parsed.statements[1]!.parent).toBe(parsed.statements[0]);
    expect(new SourceFile('t', text).positionAt(parsed.statements[1]!.start)).toEqual({ line: 3, column: 3 });
  });

  it('reads EXECUTE of a string literal and marks dynamic SQL as opaque', () => {
    const { parsed, texts } = parse("DO $$ BEGIN EXECUTE 'DROP TABLE a'; EXECUTE format('DROP TABLE %I', 'b'); END $$;");
    expect(texts.slice(1)).toEqual(['DROP TABLE a']);
    expect(parsed.statements[0]!.opaque!.map((o) => o.reason)).toEqual(['dynamic SQL (EXECUTE) cannot be analysed statically']);
  });

  it('marks other languages and unparsable bodies as opaque', () => {
    expect(parse("DO LANGUAGE plpython3u $$ plpy.execute('x') $$;").parsed.statements[0]!.opaque![0]!.reason).toMatch(/plpython3u/);
    expect(parse('DO $$ BEGIN this is not plpgsql; END $$;').parsed.statements[0]!.opaque![0]!.reason).toMatch(/does not parse/);
  });
});
