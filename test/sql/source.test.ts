import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../src/sql/source.js';

describe('SourceFile positions', () => {
  it('maps UTF-8 byte offsets to UTF-16 indices across accents, CJK and emoji', () => {
    const text = "é中😀x";
    const source = new SourceFile('t.sql', text);
    // é = 2 bytes, 中 = 3 bytes, 😀 = 4 bytes (2 UTF-16 units)
    expect(source.byteToIndex(0)).toBe(0);
    expect(source.byteToIndex(2)).toBe(1);
    expect(source.byteToIndex(5)).toBe(2);
    expect(source.byteToIndex(9)).toBe(4);
    expect(text[source.byteToIndex(9)]).toBe('x');
    expect(source.indexToByte(4)).toBe(9);
  });

  it('counts 1-based lines and UTF-16 columns with CRLF, CR, LF and tabs', () => {
    const source = new SourceFile('t.sql', 'a\r\n\tb\rc\nd😀e');
    expect(source.positionAt(0)).toEqual({ line: 1, column: 1 });
    expect(source.positionAt(4)).toEqual({ line: 2, column: 2 }); // "b" after a tab
    expect(source.positionAt(6)).toEqual({ line: 3, column: 1 }); // after a lone CR
    expect(source.positionAt(11)).toEqual({ line: 4, column: 4 }); // "e" after an emoji (2 units)
    expect(source.lineText(2)).toBe('\tb');
  });

  it('converts Postgres error cursors (code points) to UTF-16 indices', () => {
    const source = new SourceFile('t.sql', "SELECT '😀' FRO x");
    expect(source.text[source.codePointsToIndex(15)]).toBe('x');
  });

  it('drops a byte order mark so offsets match the parser', () => {
    const source = new SourceFile('t.sql', '\ufeffSELECT 1');
    expect(source.text).toBe('SELECT 1');
    expect(source.byteLength).toBe(8);
  });
});
