import { describe, expect, it } from 'vitest';
import { analyzeText, findingsOf, ruleIdsOf } from '../helpers.js';
import { AnalysisState } from '../../src/analysis/state.js';
import { loadParser, parseSql } from '../../src/sql/parser.js';
import { SourceFile } from '../../src/sql/source.js';
import { implicitBlocks, runnerWrapsFile } from '../../src/analysis/transactions.js';
import { defineRule } from '../../src/analysis/rule.js';

await loadParser();

function statementsOf(text: string) {
  return parseSql(new SourceFile('t.sql', text)).statements;
}

describe('transaction model', () => {
  function trace(text: string, runnerTransaction: boolean) {
    const state = new AnalysisState({ postgresVersion: 16, runnerTransaction });
    return statementsOf(text).map((statement) => {
      state.enter(statement);
      const seen = { inTransaction: state.inTransaction, id: state.transactionId };
      state.apply(statement);
      return seen;
    });
  }

  it('gives each autocommit statement its own transaction', () => {
    const ids = trace('SELECT 1; SELECT 2;', false).map((s) => s.id);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('shares one transaction between BEGIN and COMMIT, then returns to autocommit', () => {
    const seen = trace('BEGIN; SELECT 1; SELECT 2; COMMIT; SELECT 3;', false);
    expect(seen.map((s) => s.inTransaction)).toEqual([false, true, true, true, false]);
    expect(seen[1]!.id).toBe(seen[2]!.id);
    expect(seen[4]!.id).not.toBe(seen[2]!.id);
  });

  it('models the runner’s wrapping transaction until a COMMIT ends it', () => {
    const seen = trace('SELECT 1; COMMIT; SELECT 2;', true);
    expect(seen.map((s) => s.inTransaction)).toEqual([true, true, false]);
  });

  it('lets DO-body statements share the DO statement’s transaction', () => {
    const seen = trace('DO $$ BEGIN UPDATE a SET b = 1; END $$; SELECT 1;', false);
    expect(seen[0]!.id).toBe(seen[1]!.id);
    expect(seen[2]!.id).not.toBe(seen[1]!.id);
  });

  it('tracks lock_timeout from SET, SET LOCAL, RESET and set_config', () => {
    const state = new AnalysisState({ postgresVersion: 16, runnerTransaction: false });
    const timeouts = statementsOf(
      "SET lock_timeout = '2s'; SELECT 1; RESET lock_timeout; SELECT 1; SELECT set_config('lock_timeout', '1s', false); SELECT 1; SET lock_timeout = 0; SELECT 1; BEGIN; SET LOCAL lock_timeout = '1s'; SELECT 1; COMMIT; SELECT 1;",
    ).map((statement) => {
      state.enter(statement);
      const has = state.hasTimeout('lock_timeout');
      state.apply(statement);
      return has;
    });
    expect(timeouts).toEqual([false, true, true, false, false, true, true, false, false, false, true, true, false]);
  });

  it('decides whether the runner wraps the file from the mode, the directive and the statements', () => {
    const plain = statementsOf('CREATE INDEX i ON t (c);');
    const concurrent = statementsOf('CREATE INDEX CONCURRENTLY i ON t (c);');
    const explicit = statementsOf('BEGIN; CREATE INDEX i ON t (c); COMMIT;');
    expect(runnerWrapsFile(plain, 'auto', false, 16)).toBe(true);
    expect(runnerWrapsFile(concurrent, 'auto', false, 16)).toBe(false);
    expect(runnerWrapsFile(explicit, 'auto', false, 16)).toBe(false);
    expect(runnerWrapsFile(plain, 'auto', true, 16)).toBe(false);
    expect(runnerWrapsFile(concurrent, 'per-file', false, 16)).toBe(true);
    expect(runnerWrapsFile(plain, 'none', false, 16)).toBe(false);
  });

  describe('implicit: the file as one simple query', () => {
    const wraps = (text: string, directive = false) => runnerWrapsFile(statementsOf(text), 'implicit', directive, 16);

    it('wraps a file of several statements and leaves a single statement alone', () => {
      expect(wraps('CREATE INDEX i ON t (c);')).toBe(false);
      expect(wraps('CREATE TABLE t (c int); CREATE INDEX i ON t (c);')).toBe(true);
    });

    it('runs a lone CONCURRENTLY outside a transaction, and with others inside one', () => {
      expect(wraps('CREATE INDEX CONCURRENTLY i ON t (c);')).toBe(false);
      expect(wraps('CREATE TABLE t (c int);\nCREATE INDEX CONCURRENTLY i ON t (c);')).toBe(true);
      expect(findingsOf('CREATE INDEX CONCURRENTLY i ON t (c);', { transaction: 'implicit' }).map((f) => f.ruleId)).not.toContain(
        'transaction-incompatible-statement',
      );
      expect(
        findingsOf('CREATE TABLE t (c int);\nCREATE INDEX CONCURRENTLY i ON t (c);', { transaction: 'implicit' }).map((f) => f.ruleId),
      ).toContain('transaction-incompatible-statement');
    });

    it('counts DO-body statements as part of their DO statement', () => {
      expect(wraps('DO $$ BEGIN UPDATE a SET b = 1; UPDATE a SET b = 2; END $$;')).toBe(false);
    });

    it('does not wrap a file with BEGIN/COMMIT, nor one with the no-transaction directive', () => {
      expect(wraps('BEGIN; CREATE INDEX i ON t (c); COMMIT;')).toBe(false);
      expect(wraps('CREATE TABLE t (c int); CREATE INDEX i ON t (c);', true)).toBe(false);
      expect(implicitBlocks(statementsOf('SELECT 1; SELECT 2;'), 'implicit', true)).toBe(false);
    });

    it('puts the statements outside an explicit block into implicit ones, as PostgreSQL does', () => {
      const state = new AnalysisState({ postgresVersion: 16, runnerTransaction: false, implicitBlocks: true });
      const seen = statementsOf('SELECT 1; BEGIN; SELECT 2; COMMIT; SELECT 3; SELECT 4;').map((statement) => {
        state.enter(statement);
        const at = { inTransaction: state.inTransaction, implicit: state.inImplicitBlock, id: state.transactionId };
        state.apply(statement);
        return at;
      });
      expect(seen.map((s) => s.inTransaction)).toEqual([true, true, true, true, true, true]);
      expect(seen.map((s) => s.implicit)).toEqual([true, true, false, false, true, true]);
      // BEGIN upgrades the implicit block: the statement before it shares the transaction.
      expect(seen[0]!.id).toBe(seen[2]!.id);
      // After COMMIT a new implicit block holds the rest of the query.
      expect(seen[4]!.id).not.toBe(seen[2]!.id);
      expect(seen[4]!.id).toBe(seen[5]!.id);
    });
  });
});

describe('visibility', () => {
  it('treats objects created earlier in the migration as new, and only those', () => {
    const ids = ruleIdsOf('CREATE TABLE t (id int); CREATE INDEX ti ON t (id); CREATE INDEX ui ON u (id);');
    expect(ids.filter((id) => id === 'require-concurrent-index')).toHaveLength(1);
  });

  it('forgets a table once it is dropped, and sees it again when recreated', () => {
    const findings = findingsOf('CREATE TABLE t (id int); DROP TABLE t; CREATE INDEX a ON t (id); CREATE TABLE t (id int); CREATE INDEX b ON t (id);');
    expect(findings.filter((f) => f.ruleId === 'require-concurrent-index').map((f) => f.column)).toEqual([40]);
  });

  it('follows renames', () => {
    const ids = ruleIdsOf('CREATE TABLE t (id int); ALTER TABLE t RENAME TO u; CREATE INDEX ui ON u (id);');
    expect(ids).not.toContain('require-concurrent-index');
  });
});

describe('risk', () => {
  it('is the maximum of the findings, low when there are none', () => {
    expect(analyzeText('CREATE TABLE t (id int);').risk).toBe('low');
    expect(analyzeText('CREATE INDEX i ON t (c);').risk).toBe('medium');
    expect(analyzeText('CREATE INDEX i ON t (c); DROP TABLE u;').risk).toBe('high');
  });

  it('fails closed: a parse error makes the file high', () => {
    const analysis = analyzeText('CREATE TABLE t (id int); SELEC 1;');
    expect(analysis.findings).toEqual([]);
    expect(analysis.risk).toBe('high');
  });

  it('does not count suppressed findings', () => {
    const analysis = analyzeText('-- pgwarden-disable-next-statement no-drop-table -- archived in ticket 42\nDROP TABLE u;');
    expect(analysis.risk).toBe('low');
    expect(analysis.suppressed.map((f) => [f.ruleId, f.suppressed?.reason])).toEqual([['no-drop-table', 'archived in ticket 42']]);
  });

  it('never takes it from hygiene or style findings, whatever risk they carry', () => {
    const styleRule = defineRule({
      meta: { id: 'style-probe', risk: 'medium', tags: ['style'], summary: 's', rationale: 'r', help: 'h', badExample: '', safeRewrite: '' },
      create: (context) => ({ CreateStmt: (_node, statement) => context.report({ statement, message: 'style' }) }),
    });
    const analysis = analyzeText('CREATE TABLE t (id int);', { rules: [styleRule] } as never);
    expect(analysis.findings.map((f) => [f.ruleId, f.risk])).toEqual([['style-probe', 'medium']]);
    expect(analysis.risk).toBe('low');
  });

  it('skips rules outside their Postgres version bounds and rules set to off', () => {
    expect(ruleIdsOf('DROP TABLE u;', { severities: new Map([['no-drop-table', 'off']]) })).not.toContain('no-drop-table');
  });
});

describe('directives', () => {
  it('disable-next-statement covers only the next statement', () => {
    const findings = findingsOf('-- pgwarden-disable-next-statement no-drop-table\nDROP TABLE a;\nDROP TABLE b;');
    expect(findings.filter((f) => f.ruleId === 'no-drop-table').map((f) => f.line)).toEqual([3]);
  });

  it('disable covers the rest of the file, not what comes before it', () => {
    const findings = findingsOf('DROP TABLE a;\n/* pgwarden-disable no-drop-table -- legacy cleanup */\nDROP TABLE b;\nDROP TABLE c;');
    expect(findings.filter((f) => f.ruleId === 'no-drop-table').map((f) => f.line)).toEqual([1]);
  });

  it('a directive without rule names covers every rule', () => {
    const analysis = analyzeText('-- pgwarden-disable-next-statement\nDROP TABLE a;');
    expect(analysis.findings.filter((f) => f.ruleId === 'no-drop-table')).toEqual([]);
  });

  it('reports a directive for a rule that is switched off neither as unused nor as unknown', () => {
    const ids = ruleIdsOf('-- pgwarden-disable-next-statement no-drop-table -- kept for staging\nSELECT 1;', {
      severities: new Map([['no-drop-table', 'off']]),
    });
    expect(ids).toEqual([]);
    expect(ruleIdsOf('-- pgwarden-disable-next-statement no-drop-table\nSELECT 1;')).toEqual(['unused-directive']);
  });

  it('covers statements inside a DO block through the DO statement', () => {
    const analysis = analyzeText("-- pgwarden-disable-next-statement no-drop-table -- one-off\nDO $$ BEGIN EXECUTE 'DROP TABLE a'; END $$;");
    expect(analysis.findings.filter((f) => f.ruleId === 'no-drop-table')).toEqual([]);
    expect(analysis.suppressed).toHaveLength(1);
  });
});
