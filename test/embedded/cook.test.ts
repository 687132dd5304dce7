import { describe, expect, it } from 'vitest';
import { cook } from '../../src/embedded/cook.js';

/** JavaScript's own value of a literal written in source. */
function evaluate(literal: string): string {
  return new Function(`return ${literal};`)() as string;
}

function cookLiteral(literal: string) {
  const kind = literal.startsWith('`') ? 'template' : 'string';
  return cook(literal, 1, literal.length - 1, kind);
}

describe('cook: JavaScript string values with their source positions', () => {
  const literals = [
    String.raw`'plain'`,
    String.raw`'a\nb\tc\r\b\f\v'`,
    String.raw`'it\'s "quoted" \\ back'`,
    String.raw`"say \"hi\""`,
    String.raw`'\x41\u0042\u{43}\u{1F600}'`,
    String.raw`'\0 nul'`,
    String.raw`'\101 octal'`,
    String.raw`'\8 and \9 and \q'`,
    "'line\\\ncontinued'",
    "'crlf\\\r\ncontinued'",
    '`template\r\nwith crlf`',
    '`lone\rcr`',
    String.raw`${'`'}\${not a substitution} \` backtick${'`'}`,
    "'😀 emoji'",
  ];
  for (const literal of literals) {
    it(`decodes ${JSON.stringify(literal)} like JavaScript`, () => {
      expect(cookLiteral(literal)?.text).toBe(evaluate(literal));
    });
  }

  it('maps each character to the source characters that produce it', () => {
    const literal = String.raw`'a\nb\'c\u{1F600}d'`;
    const cooked = cookLiteral(literal)!;
    const spans = cooked.text.split('').map((_, i) => literal.slice(cooked.from[i], cooked.to[i]));
    expect(spans).toEqual(['a', '\\n', 'b', "\\'", 'c', '\\u{1F600}', '\\u{1F600}', 'd']);
  });

  it('maps a CR LF in a template to one LF covering both characters', () => {
    const literal = '`a\r\nb`';
    const cooked = cookLiteral(literal)!;
    expect(cooked.text).toBe('a\nb');
    expect([cooked.from[1], cooked.to[1]]).toEqual([2, 4]);
  });

  it('gives up on escapes without a value', () => {
    expect(cook('`\\u{zz}`', 1, 7, 'template')).toBeUndefined();
    expect(cook('`\\01`', 1, 4, 'template')).toBeUndefined();
  });

  it('keeps String.raw text as written', () => {
    const literal = String.raw`${'`'}a\nb${'`'}`;
    expect(cook(literal, 1, literal.length - 1, 'raw')?.text).toBe('a\\nb');
  });
});
