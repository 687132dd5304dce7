import { describe, expect, it } from 'vitest';
import { findingsOf } from '../helpers.js';

function risksOf(ruleId: string, sql: string): string[] {
  return findingsOf(sql, { transaction: 'none' })
    .filter((f) => f.ruleId === ruleId)
    .map((f) => f.risk);
}

describe('no-unrestricted-policy risk by what the policy opens', () => {
  const cases: Array<[string, string, string[]]> = [
    ['ALL to PUBLIC', 'CREATE POLICY p ON docs USING (true);', ['high']],
    ['UPDATE', 'CREATE POLICY p ON docs FOR UPDATE TO authenticated USING (true);', ['high']],
    ['DELETE', 'CREATE POLICY p ON docs FOR DELETE USING (true);', ['high']],
    ['SELECT', 'CREATE POLICY p ON docs FOR SELECT USING (true);', ['medium']],
    ['INSERT', 'CREATE POLICY p ON docs FOR INSERT WITH CHECK (true);', ['medium']],
    ['UPDATE of own rows into anything', 'CREATE POLICY p ON docs FOR UPDATE USING (owner = current_user) WITH CHECK (true);', ['medium']],
    ['an unknown policy', 'ALTER POLICY p ON docs USING (true);', ['medium']],
    ['a restrictive policy', 'CREATE POLICY p ON docs AS RESTRICTIVE USING (true);', []],
    ['a DELETE policy with a condition', 'CREATE POLICY p ON docs FOR DELETE USING (owner = current_user);', []],
  ];
  for (const [what, sql, risks] of cases) {
    it(`${what}: ${risks.join(', ') || 'quiet'}`, () => expect(risksOf('no-unrestricted-policy', sql)).toEqual(risks));
  }

  it('names the roles the policy applies to', () => {
    const [finding] = findingsOf('CREATE POLICY p ON docs FOR UPDATE TO authenticated, "Support" USING (true);').filter(
      (f) => f.ruleId === 'no-unrestricted-policy',
    );
    expect(finding?.message).toBe('Policy p on docs lets authenticated, "Support" change every row (USING (true) for UPDATE).');
  });
});

describe('require-security-definer-search-path', () => {
  it('is high for a definition without search_path, medium for an ALTER on a function it never saw', () => {
    expect(risksOf('require-security-definer-search-path', "CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';")).toEqual([
      'high',
    ]);
    expect(risksOf('require-security-definer-search-path', 'ALTER FUNCTION f() SECURITY DEFINER;')).toEqual(['medium']);
  });

  it('follows ALTER FUNCTION without an argument list to the only function of that name', () => {
    const sql = "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql SET search_path = '' AS 'SELECT a';\nALTER FUNCTION f SECURITY DEFINER;";
    expect(risksOf('require-security-definer-search-path', sql)).toEqual([]);
  });
});
