/**
 * A migration's text with the coordinate conversions every later stage needs.
 * libpg-query reports UTF-8 byte offsets; editors, ESLint and SARIF want 1-based lines and
 * UTF-16 columns. Line breaks follow ESLint: CRLF, LF, CR, U+2028 and U+2029.
 */
export interface Position {
  line: number;
  column: number;
}

/** A line break as ESLint, SARIF and editors count them. */
export const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/u;
const TRAILING_LINE_BREAK = new RegExp(`(${LINE_BREAK.source})$`, 'u');

export class SourceFile {
  readonly text: string;
  readonly path: string;
  readonly byteLength: number;
  private readonly isAscii: boolean;
  private byteToIndexTable: Uint32Array | undefined;
  private indexToByteTable: Uint32Array | undefined;
  private lineStartsCache: number[] | undefined;

  constructor(path: string, text: string) {
    this.path = path;
    // A BOM is not part of the SQL; dropping it keeps byte offsets aligned with the parser's.
    this.text = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    this.byteLength = Buffer.byteLength(this.text, 'utf8');
    this.isAscii = this.byteLength === this.text.length;
  }

  /** UTF-8 byte offset → UTF-16 index. A byte inside a multi-byte character maps to its start. */
  byteToIndex(byteOffset: number): number {
    if (byteOffset <= 0) return 0;
    if (byteOffset >= this.byteLength) return this.text.length;
    if (this.isAscii) return byteOffset;
    const table = (this.byteToIndexTable ??= buildByteTable(this.text, this.byteLength));
    return table[byteOffset]!;
  }

  /** UTF-16 index → UTF-8 byte offset. */
  indexToByte(index: number): number {
    if (this.isAscii || index <= 0) return Math.max(index, 0);
    if (index >= this.text.length) return this.byteLength;
    const table = (this.indexToByteTable ??= buildIndexTable(this.text));
    return table[index]!;
  }

  /** Code-point offset (what Postgres error cursors count) within `fromIndex…` → UTF-16 index. */
  codePointsToIndex(codePoints: number, fromIndex = 0): number {
    let index = fromIndex;
    for (let n = 0; n < codePoints && index < this.text.length; n++) {
      const code = this.text.charCodeAt(index);
      index += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
    }
    return index;
  }

  /** Where each line starts, after each LINE_BREAK (a character scan: no match objects). */
  get lineStarts(): number[] {
    if (!this.lineStartsCache) {
      const text = this.text;
      const starts = [0];
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 13 /* \r */ && text.charCodeAt(i + 1) === 10) starts.push(++i + 1);
        else if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) starts.push(i + 1);
      }
      this.lineStartsCache = starts;
    }
    return this.lineStartsCache;
  }

  /** UTF-16 index → 1-based line and 1-based UTF-16 column. */
  positionAt(index: number): Position {
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= index) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: index - starts[low]! + 1 };
  }

  /** The text of a 1-based line without its line break. */
  lineText(line: number): string {
    const starts = this.lineStarts;
    const start = starts[line - 1];
    if (start === undefined) return '';
    const next = starts[line];
    const raw = this.text.slice(start, next ?? this.text.length);
    return raw.replace(TRAILING_LINE_BREAK, '');
  }
}

function buildByteTable(text: string, byteLength: number): Uint32Array {
  const table = new Uint32Array(byteLength + 1);
  let byte = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    let width: number;
    let units = 1;
    if (code < 0x80) width = 1;
    else if (code < 0x800) width = 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      width = 4;
      units = 2;
    } else width = 3;
    for (let k = 0; k < width; k++) table[byte + k] = index;
    byte += width;
    index += units - 1;
  }
  table[byteLength] = text.length;
  return table;
}

function buildIndexTable(text: string): Uint32Array {
  const table = new Uint32Array(text.length + 1);
  let byte = 0;
  for (let index = 0; index < text.length; index++) {
    table[index] = byte;
    const code = text.charCodeAt(index);
    if (code < 0x80) byte += 1;
    else if (code < 0x800) byte += 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      table[++index] = byte;
      byte += 4;
    } else byte += 3;
  }
  table[text.length] = byte;
  return table;
}
