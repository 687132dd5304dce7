import { describe, expect, it } from 'vitest';
import { ADMIN_URL, describePostgres } from '../support/postgres.js';
import { rehearseFiles, traceFindingsOf, type RehearsedProject } from '../support/rehearsal.js';

/**
 * Rollback verification: the schema before an up migration against the schema after its down
 * migration, on PGlite and on the server. A down that forgets an index, or restores a column
 * with another type or default, is reported with the exact difference; a correct one passes.
 */
const ROLLBACKS: Record<string, string> = {
  '0001_accounts.up.sql': "CREATE TABLE accounts (id int PRIMARY KEY, email text, score int, status text DEFAULT 'pending');\n",
  '0001_accounts.down.sql': 'DROP TABLE accounts;\n',
  '0002_email_index.up.sql': 'CREATE INDEX accounts_email_idx ON accounts (email);\n',
  '0002_email_index.down.sql': 'DROP INDEX accounts_email_idx;\n',
  '0003_score_bigint.up.sql': 'ALTER TABLE accounts ALTER COLUMN score TYPE bigint;\n',
  '0003_score_bigint.down.sql': 'ALTER TABLE accounts ALTER COLUMN score TYPE numeric;\n',
  '0004_status_default.up.sql': "ALTER TABLE accounts ALTER COLUMN status SET DEFAULT 'new';\n",
  '0004_status_default.down.sql': "ALTER TABLE accounts ALTER COLUMN status SET DEFAULT 'open';\n",
  '0005_status_index.up.sql': 'CREATE INDEX accounts_status_idx ON accounts (status);\n',
  '0005_status_index.down.sql': '-- forgot the index\nSELECT 1;\n',
  '0006_later.up.sql': 'ALTER TABLE accounts ADD COLUMN note text;\n',
  '0007_concurrent_index.up.sql': 'CREATE INDEX CONCURRENTLY accounts_note_idx ON accounts (note);\n',
  '0007_concurrent_index.down.sql': '-- forgot the index\nSELECT 1;\n',
  '0008_never.up.sql': 'ALTER TABLE accounts ADD COLUMN bio text;\n',
};

const FAILURES: Record<string, string> = {
  '0001_accounts.up.sql': 'CREATE TABLE accounts (id int PRIMARY KEY, email text);\nCREATE TABLE legacy (id int);\n',
  '0002_view.up.sql': 'CREATE VIEW account_emails AS SELECT email FROM accounts;\n',
  '0002_view.down.sql': 'DROP VIEW account_email;\n',
  '0003_drop_legacy.up.sql': 'DROP TABLE legacy;\n',
  '0003_drop_legacy.down.sql': "DO $$ BEGIN RAISE EXCEPTION 'legacy is gone for good: restore it from the backup'; END $$;\n",
  '0004_typo.up.sql': "SET lock_timeout = '2s';\nUPDATE accounts SET emial = lower(email);\n",
  '0005_never.up.sql': 'ALTER TABLE accounts ADD COLUMN note text;\n',
};

const message = (project: RehearsedProject, id: string, direction: 'up' | 'down', ruleId: string) =>
  project.findings(id, direction).find((f) => f.ruleId === ruleId)?.message;

function rollbackSuite(backend: string, test: typeof it, database: () => string): void {
  describe(`rollback verification on ${backend}`, () => {
    let project: RehearsedProject;
    let failures: RehearsedProject;
    test('rehearses both directories', async () => {
      project = await rehearseFiles(ROLLBACKS, { database: database() });
      failures = await rehearseFiles(FAILURES, { database: database() });
    }, 60_000);

    test('a down migration that undoes exactly what its up did passes', () => {
      expect(project.migration('0001_accounts').rollback.status).toBe('verified');
      expect(project.migration('0002_email_index').rollback).toEqual({ status: 'verified', differences: [] });
      expect(traceFindingsOf(project, '0002_email_index', 'down')).toEqual([]);
    });

    test('a column restored with another type is reported with both types', () => {
      expect(project.migration('0003_score_bigint').rollback.status).toBe('mismatch');
      // numeric is not binary-compatible with bigint: the down rewrites the table as well.
      expect(traceFindingsOf(project, '0003_score_bigint', 'down')).toEqual(['observed-rewrite 1:1', 'rollback-mismatch 1:1']);
      expect(message(project, '0003_score_bigint', 'down', 'rollback-mismatch')).toBe(
        'After this down migration the schema is not what it was before 0003_score_bigint.up.sql: column accounts.score is numeric NULL, was integer NULL.',
      );
    });

    test('a column restored with another default is reported with both defaults', () => {
      expect(message(project, '0004_status_default', 'down', 'rollback-mismatch')).toBe(
        "After this down migration the schema is not what it was before 0004_status_default.up.sql: column accounts.status is text NULL DEFAULT 'open'::text, was text NULL DEFAULT 'pending'::text.",
      );
    });

    test('a forgotten index is reported, and so is the up migration failing when applied again', () => {
      expect(message(project, '0005_status_index', 'down', 'rollback-mismatch')).toBe(
        'After this down migration the schema is not what it was before 0005_status_index.up.sql: index accounts_status_idx is still there ' +
          '(CREATE INDEX accounts_status_idx ON public.accounts USING btree (status)). ' +
          'Applying the up migration again fails: relation "accounts_status_idx" already exists (SQLSTATE 42P07).',
      );
      // The down and the second up ran in one transaction, rolled back: the next migration finds what the up left.
      expect(project.migration('0006_later').status).toBe('rehearsed');
    });

    test('outside a transaction the down is committed: an up that cannot run again stops the run', () => {
      const concurrent = project.migration('0007_concurrent_index');
      expect(concurrent.rollback.status).toBe('mismatch');
      expect(concurrent.rollback.reapplyError?.message).toBe('relation "accounts_note_idx" already exists');
      expect(concurrent.up!.transactional).toBe(false);
      expect(project.migration('0008_never')).toMatchObject({
        status: 'not-rehearsed',
        note: '0007_concurrent_index could not be applied again after its down part',
      });
    });

    test('a failing down migration is reported at its statement, and the run goes on', () => {
      expect(failures.migration('0002_view').rollback.status).toBe('failed');
      expect(traceFindingsOf(failures, '0002_view', 'down')).toEqual(['rollback-failed 1:1']);
      expect(message(failures, '0002_view', 'down', 'rollback-failed')).toBe(
        'Run right after 0002_view.up.sql, this statement of the down migration fails: view "account_email" does not exist (SQLSTATE 42P01).',
      );
      expect(failures.migration('0003_drop_legacy').status).toBe('rehearsed');
    });

    test('a down migration that refuses on purpose (RAISE EXCEPTION) is not a failure', () => {
      const legacy = failures.migration('0003_drop_legacy');
      expect(legacy.rollback.status).toBe('not-verified');
      expect(legacy.rollback.note).toContain('legacy is gone for good');
      expect(traceFindingsOf(failures, '0003_drop_legacy', 'down')).toEqual([]);
    });

    test('a failing up migration points at PostgreSQL’s error position and stops the run', () => {
      expect(traceFindingsOf(failures, '0004_typo')).toEqual(['migration-failed 2:21']);
      expect(message(failures, '0004_typo', 'up', 'migration-failed')).toMatch(
        /^On .+ \(PostgreSQL \d+\.\d+\) this statement fails: column "emial" of relation "accounts" does not exist \(SQLSTATE 42703\)\. The migrations after it were not rehearsed\.$/,
      );
      expect(failures.migration('0004_typo').status).toBe('failed');
      expect(failures.migration('0005_never').status).toBe('not-rehearsed');
    });
  });
}

rollbackSuite('PGlite', it, () => 'pglite:memory');

describePostgres('rollback verification on the server', ({ it: pgIt }) => {
  rollbackSuite('the PostgreSQL server', pgIt, () => ADMIN_URL);
});
