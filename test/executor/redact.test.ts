import { describe, expect, it } from 'vitest';
import { redactorFor, redactSecrets, redactText, redactUrl, urlSecrets } from '../../src/executor/db/redact.js';

describe('redactUrl', () => {
  it.each([
    ['postgres://user:secret@host/db', 'postgres://user:***@host/db'],
    ['postgresql://user:secret@host:5433/db?sslmode=require', 'postgresql://user:***@host:5433/db?sslmode=require'],
    ['postgres://user@host/db', 'postgres://user@host/db'],
    ['postgres://host/db', 'postgres://host/db'],
    ['postgres://user:@host/db', 'postgres://user:***@host/db'],
    ['postgres://user:p%40ss%3Aw0rd@host/db', 'postgres://user:***@host/db'],
    ['postgres://user:p@ss@host/db', 'postgres://user:***@host/db'],
    ['postgres://host/db?user=u&password=secret&sslmode=verify-full', 'postgres://host/db?user=u&password=***&sslmode=verify-full'],
    ['postgres://host/db?sslpassword=keypass', 'postgres://host/db?sslpassword=***'],
    ['postgres://u:one@host/db?password=two', 'postgres://u:***@host/db?password=***'],
    ['host=db.internal user=app password=secret dbname=prod', 'host=db.internal user=app password=*** dbname=prod'],
    ["host=db password = 'with space \\' quote' dbname=prod", 'host=db password = *** dbname=prod'],
    ['postgres://user:pa?ss#w/rd@host/db?sslmode=require', 'postgres://user:***@host/db?sslmode=require'],
    ['postgres://user:pa/ss@host/db', 'postgres://user:***@host/db'],
    ['pglite:memory', 'pglite:memory'],
  ])('%s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

describe('urlSecrets', () => {
  it('gives the password as written and decoded', () => {
    expect(urlSecrets('postgres://u:p%40ss@h/db')).toEqual(['p%40ss', 'p@ss']);
    expect(urlSecrets('postgres://u@h/db?password=x%2By')).toEqual(['x%2By', 'x+y']);
    expect(urlSecrets("host=h password='a b'")).toEqual(['a b']);
    expect(urlSecrets('postgres://u@h/db')).toEqual([]);
    expect(urlSecrets('postgres://u:pa?ss@h/db')).toEqual(['pa?ss']);
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence, raw and URL-encoded', () => {
    const secret = 's3cr3t/with spaces&@';
    const text = `a ${secret} b ${encodeURIComponent(secret)} c ${encodeURIComponent(secret).toLowerCase()} d ${secret}`;
    const out = redactSecrets(text, [secret]);
    expect(out).toBe('a *** b *** c *** d ***');
  });

  it('ignores empty secrets and masks a longer secret whole', () => {
    expect(redactSecrets('abc', [''])).toBe('abc');
    expect(redactSecrets('x hunter22 y hunter2', ['hunter2', 'hunter22'])).toBe('x *** y ***');
  });

  it('redactText also masks URL passwords in free text', () => {
    expect(redactText('could not reach postgres://app:pw@db/prod, giving up', [])).toBe('could not reach postgres://app:***@db/prod, giving up');
    expect(redactorFor('postgres://app:pw%21@db/prod')('server said "pw!" and pw%21')).toBe('server said "***" and ***');
  });
});
