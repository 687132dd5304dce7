import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { lintPaths, settingsFromConfig } from '../../src/lint.js';
import type { FileReport } from '../../src/report/schema.js';

const root = join(import.meta.dirname, '../../fixtures/embedded');

async function lint(framework: string, file: string): Promise<FileReport[]> {
  const cwd = join(root, framework);
  const { report, problems } = await lintPaths([file], settingsFromConfig(ConfigSchema.parse({}), cwd));
  expect(problems).toEqual([]);
  return report.files;
}

/** [direction, rule, line:column-endLine:endColumn] for every finding, in report order. */
function findings(files: FileReport[]): string[][] {
  return files.flatMap((file) =>
    file.findings.map((f) => [file.migration!.direction, f.ruleId, `${f.line}:${f.column}-${f.endLine}:${f.endColumn}`]),
  );
}

describe('TS/JS migration fixtures', () => {
  it('node-pg-migrate: calls of one migration see each other; positions after escapes; down apart from up', async () => {
    const files = await lint('node-pg-migrate', 'migrations/1700000000000_order-notes.js');
    expect(files.map((f) => [f.path, f.migration, f.risk])).toEqual([
      [
        'migrations/1700000000000_order-notes.js',
        { id: '1700000000000_order-notes', direction: 'up', rollback: 'migrations/1700000000000_order-notes.js' },
        'high',
      ],
      ['migrations/1700000000000_order-notes.js', { id: '1700000000000_order-notes', direction: 'down', rollback: null }, 'high'],
    ]);
    // CREATE INDEX on the table the previous pgm.sql created is fine; the ALTER after
    // `\'it\'\'s\'` and `\n` is found at its column in the JS line.
    expect(findings(files)).toEqual([
      ['up', 'no-column-type-change', '8:64-8:114'],
      ['up', 'require-lock-timeout', '8:64-8:114'],
      ['up', 'require-statement-timeout', '8:64-8:114'],
      ['down', 'no-drop-table', '12:12-12:34'],
      ['down', 'require-lock-timeout', '12:12-12:34'],
    ]);
  });

  it('Knex: schema.raw in a multi-line template, raw with literal bindings; raw() defaults are not statements', async () => {
    const files = await lint('knex', 'migrations/20240101120000_order_status.js');
    expect(findings(files)).toEqual([
      ['up', 'require-default-for-not-null-column', '10:5-11:38'],
      ['up', 'require-lock-timeout', '10:5-11:38'],
      ['up', 'no-slow-statement-after-access-exclusive', '13:19-13:49'],
      ['up', 'require-concurrent-index', '13:19-13:49'],
      ['up', 'require-statement-timeout', '13:19-13:49'],
      ['down', 'require-concurrent-index-drop', '17:19-17:47'],
      ['down', 'require-lock-timeout', '17:19-17:47'],
    ]);
  });

  it('TypeORM: a migration class in TS, with a helper method analysed as part of up', async () => {
    const files = await lint('typeorm', 'src/migration/1700000000000-AddUserEmail.ts');
    expect(files.map((f) => f.migration?.direction)).toEqual(['up', 'down']);
    expect(findings(files)).toEqual([
      ['up', 'require-lock-timeout', '7:30-7:78'],
      ['up', 'no-slow-statement-after-access-exclusive', '8:30-8:86'],
      ['up', 'require-concurrent-index', '8:30-8:86'],
      ['up', 'require-statement-timeout', '8:30-8:86'],
      ['up', 'require-where-clause', '18:30-18:89'],
      ['down', 'require-concurrent-index-drop', '13:30-13:66'],
      ['down', 'require-lock-timeout', '13:30-13:66'],
      ['down', 'no-drop-column', '14:30-14:68'],
    ]);
  });

  it('Kysely: sql tags, a multi-line template; sql`now()` inside the builder is not a statement', async () => {
    const files = await lint('kysely', 'migrations/0002_person_email.ts');
    expect(findings(files)).toEqual([
      ['up', 'require-concurrent-index', '9:5-10:24'],
      ['up', 'require-lock-timeout', '9:5-10:24'],
      ['up', 'require-statement-timeout', '9:5-10:24'],
      ['up', 'no-drop-table', '12:13-12:37'],
      ['down', 'require-concurrent-index-drop', '16:13-16:40'],
      ['down', 'require-lock-timeout', '16:13-16:40'],
    ]);
  });

  it('dynamic SQL: each ${…}, concatenated call and non-literal argument is unanalyzable-statement at its position', async () => {
    const [up, down] = await lint('dynamic', 'migrations/1700000000002_archive.ts');
    // SET lock_timeout comes from a const, so the rules see it; the table name from a call does not.
    expect(findings([up!])).toEqual([
      ['up', 'unanalyzable-statement', '9:27-9:46'],
      ['up', 'no-drop-table', '11:18-11:46'],
      ['up', 'unanalyzable-statement', '11:33-11:46'],
    ]);
    expect(up!.findings[0]).toMatchObject({
      risk: 'medium',
      severity: 'error',
      message: expect.stringMatching(/^Template substitution `\$\{sql\.table\(table\)\}`: pgwarden cannot see the SQL/),
    });
    expect(up!.findings[1]!.message).toBe('DROP TABLE ${legacyTable()} deletes the table and all rows.');
    // A JS comment directive suppresses the finding of the call after it.
    expect(up!.suppressed.map((f) => [f.ruleId, f.line, f.column, f.suppression])).toEqual([
      [
        'unanalyzable-statement',
        13,
        17,
        { kind: 'directive', reason: 'reviewed: refreshes the reporting view', line: 12, column: 3 },
      ],
    ]);
    // A down that throws is an explicit rollback, not a missing one.
    expect(down).toMatchObject({ migration: { direction: 'down' }, risk: 'low', findings: [] });
  });

  it('a directory yields the numbered TS/JS files of a migrations folder', async () => {
    const { report } = await lintPaths(['.'], settingsFromConfig(ConfigSchema.parse({}), root));
    expect([...new Set(report.files.map((f) => f.path))]).toEqual([
      'dynamic/migrations/1700000000002_archive.ts',
      'knex/migrations/20240101120000_order_status.js',
      'kysely/migrations/0002_person_email.ts',
      'node-pg-migrate/migrations/1700000000000_order-notes.js',
      'typeorm/src/migration/1700000000000-AddUserEmail.ts',
    ]);
  });
});
