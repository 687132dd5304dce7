/**
 * Just enough of PostgreSQL's lexer to know, at the end of some SQL text, whether the next
 * character would be code or inside a string, a quoted identifier, a dollar-quoted body or a
 * comment. The placeholder standing for a dynamic part depends on it: in code it must be a token
 * the grammar accepts; inside quotes it must not close them.
 */
export type LexMode = 'code' | 'string' | 'escape-string' | 'identifier' | 'dollar' | 'line-comment' | 'block-comment';

export class SqlLexer {
  mode: LexMode = 'code';
  private tag = '';
  private depth = 0;
  private position = 0;

  /** Advances over `text` from where the previous call stopped (text only ever grows). */
  advance(text: string): LexMode {
    let i = this.position;
    while (i < text.length) i = this.step(text, i);
    this.position = i;
    return this.mode;
  }

  private step(text: string, i: number): number {
    const c = text[i]!;
    switch (this.mode) {
      case 'code':
        return this.code(text, i, c);
      case 'string':
        return c === "'" ? this.closeQuote(text, i, "'") : i + 1;
      case 'escape-string':
        if (c === '\\') return i + 2;
        return c === "'" ? this.closeQuote(text, i, "'") : i + 1;
      case 'identifier':
        return c === '"' ? this.closeQuote(text, i, '"') : i + 1;
      case 'dollar': {
        const close = `$${this.tag}$`;
        if (text.startsWith(close, i)) {
          this.mode = 'code';
          return i + close.length;
        }
        return i + 1;
      }
      case 'line-comment':
        if (c === '\n' || c === '\r') this.mode = 'code';
        return i + 1;
      case 'block-comment':
        if (c === '*' && text[i + 1] === '/') {
          if (--this.depth === 0) this.mode = 'code';
          return i + 2;
        }
        if (c === '/' && text[i + 1] === '*') {
          this.depth++;
          return i + 2;
        }
        return i + 1;
    }
  }

  /** A doubled quote is an escaped one; a quote at the very end closes (nothing follows yet). */
  private closeQuote(text: string, i: number, quote: string): number {
    if (text[i + 1] === quote) return i + 2;
    this.mode = 'code';
    return i + 1;
  }

  private code(text: string, i: number, c: string): number {
    const previous = i > 0 ? text[i - 1]! : '';
    if (c === "'") {
      this.mode = (previous === 'E' || previous === 'e') && !isIdentifierChar(text[i - 2] ?? '') ? 'escape-string' : 'string';
      return i + 1;
    }
    if (c === '"') {
      this.mode = 'identifier';
      return i + 1;
    }
    if (c === '-' && text[i + 1] === '-') {
      this.mode = 'line-comment';
      return i + 2;
    }
    if (c === '/' && text[i + 1] === '*') {
      this.mode = 'block-comment';
      this.depth = 1;
      return i + 2;
    }
    if (c === '$' && !isIdentifierChar(previous)) {
      const tag = /^\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 66));
      if (tag) {
        this.mode = 'dollar';
        this.tag = tag[1] ?? '';
        return i + tag[0].length;
      }
    }
    return i + 1;
  }
}

function isIdentifierChar(c: string): boolean {
  return /[\w$\u0080-\uffff]/.test(c);
}
