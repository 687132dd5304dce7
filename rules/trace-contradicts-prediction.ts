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
      '- a rewrite no rule predicted (the risk was understated; `observed-rewrite` reports the rewrite itself);',
      '- a rewrite a rule predicted that did not happen (the static finding overstates the risk on this server, often ',
      'because the analysis could not see the column’s current type);',
      '- a lock stronger or weaker than the one predicted on a relation that existed before the migration.',
      '',
      'These findings are low risk: they do not change a migration’s risk, they tell you which of the static ',
      'findings to trust for this migration, and they are how the rules improve. Please report a contradiction ',
      'that is not explained by the server version, with the statement.',
    ].join('\n'),
    help: 'Trust what the rehearsal observed on this server version; if it contradicts the rule on your production version too, report it to pgwarden.',
    badExample: [
      '-- 0012_accounts_nickname_text.up.sql (0004 created nickname as varchar(40))',
      '-- Reading this file alone, the analysis does not know the column’s type: it predicts a possible',
      '-- rewrite. PostgreSQL relabels varchar(40) as text without touching a row.',
      'ALTER TABLE accounts ALTER COLUMN nickname TYPE text;',
    ].join('\n'),
    safeRewrite: [
      '-- Nothing to rewrite in the migration: the finding is about the prediction. When the rehearsal ran on your',
      '-- production version, trust it, and record the reason next to the static finding:',
      '-- pgwarden-disable-next-statement no-column-type-change -- rehearsed on 16: varchar to text, no rewrite',
      'ALTER TABLE accounts ALTER COLUMN nickname TYPE text;',
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
