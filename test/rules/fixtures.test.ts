import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules } from '../../rules/index.js';
import { findingsOf, type TestOptions } from '../helpers.js';
import type { TransactionMode } from '../../src/analysis/transactions.js';
import type { MigrationInfo } from '../../src/migrations/types.js';
import { SchemaModel } from '../../src/analysis/schema.js';
import { parseSql } from '../../src/sql/parser.js';
import { SourceFile } from '../../src/sql/source.js';
import type { Rule } from '../../src/analysis/rule.js';
import { parseRuleOptions } from '../../src/config/rule-options-schema.js';

/**
 * Runs every fixture under fixtures/rules/<rule-id>/. A bad-*.sql file lists where the rule must
 * fire with `-- expect: LINE:COLUMN` comments (one or more, comma separated); the rule's findings
 * must be exactly those positions. An ok-*.sql file must give no finding of the rule.
 * `-- fixture: postgres=11 transaction=none rollback=missing` sets the analysis options, and
 * `options={…}` (JSON, last on the line) the rule's options, checked as a config's would be.
 * The rule under test is on at `error`, opt-in or not. The statements above a line
 * `-- fixture: migration under test` are an earlier migration: replayed into the schema model,
 * not analysed.
 * Rules a rehearsal reports (meta.source 'trace') have directories of migrations as fixtures, run
 * by test/rehearsal/trace-fixtures.test.ts.
 */
const root = join(import.meta.dirname, '../../fixtures/rules');

function fixtureOptions(text: string, rule: Rule): TestOptions {
  const ruleId = rule.meta.id;
  const options: TestOptions = { severities: new Map([[ruleId, 'error']]) };
  const header = /^--\s*fixture:(?!\s*migration under test)(.*)$/m.exec(text)?.[1] ?? '';
  const [line, ruleOptions] = header.split(/\boptions=/);
  if (ruleOptions !== undefined) {
    const parsed = parseRuleOptions(rule.meta, JSON.parse(ruleOptions));
    if (!parsed.ok) throw new Error(`invalid fixture options: ${parsed.problems.join('; ')}`);
    options.ruleOptions = new Map([[ruleId, parsed.options]]);
  }
  for (const [key, value] of line!.trim().split(/\s+/).filter(Boolean).map((pair) => pair.split('='))) {
    if (key === 'postgres') options.postgresVersion = Number(value);
    else if (key === 'transaction') options.transaction = value as TransactionMode;
    else if (key === 'rollback' || key === 'direction') {
      const migration: MigrationInfo = (options.migration ??= {
        id: 'fixture',
        direction: 'up',
        layout: 'paired-files',
        rollback: 'fixture.down.sql',
        rollbackExpected: true,
        rollbackEmpty: false,
      });
      if (key === 'direction') migration.direction = value as MigrationInfo['direction'];
      else if (value === 'missing') migration.rollback = null;
      else if (value === 'empty') migration.rollbackEmpty = true;
      else if (value === 'not-expected') {
        migration.rollback = null;
        migration.rollbackExpected = false;
      }
    } else throw new Error(`unknown fixture option ${key}`);
  }
  return options;
}

const MIGRATION_UNDER_TEST = /^--\s*fixture:\s*migration under test\s*$/m;

/** Replays the earlier migration a fixture holds above its marker, and analyses only what follows. */
function earlierMigration(text: string): Pick<TestOptions, 'schema' | 'part'> {
  const marker = MIGRATION_UNDER_TEST.exec(text);
  if (!marker) return {};
  const schema = new SchemaModel();
  for (const statement of parseSql(new SourceFile('earlier.sql', text)).statements) {
    if (statement.start < marker.index) schema.apply(statement);
  }
  schema.commit('earlier');
  return { schema, part: { start: marker.index, end: text.length } };
}

function expectedPositions(text: string): string[] {
  return [...text.matchAll(/^--\s*expect:(.*)$/gm)]
    .flatMap((m) => m[1]!.split(','))
    .map((p) => p.trim())
    .filter(Boolean)
    .sort();
}

describe('rule fixtures', () => {
  // Rehearsal rules' fixtures are directories of migrations: test/rehearsal/trace-fixtures.test.ts runs them.
  for (const rule of allRules.filter((r) => r.meta.source !== 'trace')) {
    const id = rule.meta.id;
    const dir = join(root, id);
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sql')).sort() : [];
    describe(id, () => {
      it('has bad and ok fixtures', () => {
        expect(files.some((f) => f.startsWith('bad-'))).toBe(true);
        expect(files.some((f) => f.startsWith('ok-'))).toBe(true);
      });
      for (const file of files) {
        it(file, () => {
          const text = readFileSync(join(dir, file), 'utf8');
          const options = { ...fixtureOptions(text, rule), ...earlierMigration(text), path: file };
          const findings = findingsOf(text, options).filter((f) => f.ruleId === id);
          const actual = findings.map((f) => `${f.line}:${f.column}`).sort();
          if (file.startsWith('bad-')) {
            const expected = expectedPositions(text);
            expect(expected.length, 'a bad fixture must declare -- expect: LINE:COLUMN').toBeGreaterThan(0);
            expect(actual).toEqual(expected);
          } else {
            expect(findings.map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([]);
          }
        });
      }
    });
  }
});
