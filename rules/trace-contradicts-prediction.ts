import { defineRule } from '../src/analysis/rule.js';

/** Reported by a rehearsal (src/rehearsal/); this module carries its documentation. */
export default defineRule({
  meta: {
    id: 'trace-contradicts-prediction',
    source: 'trace',
    risk: 'low',
    tags: ['process'],
    summary: 'Rehearsal: PostgreSQL did something other than pgwarden’s static analysis predicted (a rewrite or a lock mode).',
    rationale: [
      'pgwarden’s rules read the SQL and predict what PostgreSQL will do: which lock each statement takes on which ',
      'table (`pgwarden explain` shows it per rule), and which statements rewrite a table. A rehearsal observes the ',
      'same statements on a real PostgreSQL and compares, statement by statement:',
      '',
      '- a rewrite no rule predicted, or one a rule could not tell about (`observed-rewrite` reports the rewrite itself);',
      '- a rewrite a rule predicted that did not happen, even knowing the column types the earlier migrations ',
      'created (the static finding overstates the risk on this server);',
      '- a lock stronger or weaker than the one predicted on a relation that existed before the migration.',
      '',
      'These findings are low risk: they do not change a migration’s risk, they tell you which of the static ',
      'findings to trust for this migration, and they are how the rules improve. Please report a contradiction ',
      'that is not explained by the server version, with the statement. Statements that disagree the same way ',
      'in one file are reported once, at the first of them, with the lines of the others.',
    ].join('\n'),
    help: 'Trust what the rehearsal observed on this server version; if it contradicts the rule on your production version too, report it to pgwarden.',
    badExample: [
      '-- 0012_accounts_token.up.sql (0011 created make_token(), a plain SQL function, volatile by default)',
      '-- no-add-column-rewrite cannot see whether a user-defined function is volatile: it reports a possible',
      '-- rewrite (medium). PostgreSQL evaluates the default once per row: the table is rewritten.',
      'ALTER TABLE accounts ADD COLUMN token text NOT NULL DEFAULT make_token();',
    ].join('\n'),
    safeRewrite: [
      '-- Migration 1 (one transaction): nullable, no default, no rewrite.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE accounts ADD COLUMN token text;',
      '-- Migration 2 (outside a transaction, -- pgwarden:no-transaction): backfill in batches of',
      '-- 5,000 rows per transaction, repeated until it updates no row.',
      'UPDATE accounts SET token = make_token()',
      '  WHERE id IN (SELECT id FROM accounts WHERE token IS NULL LIMIT 5000);',
      '-- Migration 3: the default for new rows, then NOT NULL once a validated CHECK proves it.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE accounts ALTER COLUMN token SET DEFAULT make_token();',
    ].join('\n'),
    versionNotes: [
      'Predictions are made for the rehearsal server’s version (PostgreSQL 18 on PGlite), not the configured ',
      '`postgresVersion`, so that a version difference is not reported as a contradiction. Statements that run ',
      'outside a transaction block (`CREATE INDEX CONCURRENTLY`, `VACUUM`) cannot be observed and are not compared.',
    ].join(''),
  },
  create() {
    return {};
  },
});
