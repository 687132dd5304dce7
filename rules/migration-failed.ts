import { defineRule } from '../src/analysis/rule.js';

/** Reported by a rehearsal (src/rehearsal/); this module carries its documentation. */
export default defineRule({
  meta: {
    id: 'migration-failed',
    source: 'trace',
    risk: 'high',
    tags: ['process'],
    summary: 'Rehearsal: the up migration fails on a scratch database, with PostgreSQL’s error at the statement that fails.',
    rationale: [
      'A migration that fails in production fails at the worst time: inside the deploy, after earlier migrations ',
      'have run. Inside a transaction the failure undoes the migration, but the deploy stops and the application ',
      'code that expects the new schema is already on its way; outside a transaction (`CREATE INDEX CONCURRENTLY`, ',
      '`-- pgwarden:no-transaction`) the statements before the failing one stay applied, and an invalid index may ',
      'be left behind.',
      '',
      'The rehearsal applies every earlier migration to a fresh database (PGlite in process, or a scratch database ',
      'on your server), then runs this one statement by statement as the executor would. When PostgreSQL refuses a ',
      'statement, the finding points at it (at the error’s position inside the statement when PostgreSQL gives one) ',
      'with the error and its SQLSTATE. The migrations after it are not rehearsed: they depend on it.',
      '',
      'Typical causes: a dependency on an object the migrations never create (a role, an extension, a table made by ',
      'the migration tool itself), a statement that cannot run inside a transaction, a typo that the parser accepts ',
      'but PostgreSQL does not (an unknown column or type), data from the seed that violates a new constraint.',
    ].join('\n'),
    help: 'Fix the statement, or create what it depends on in an earlier migration; rehearse again with `pgwarden rehearse`.',
    badExample: [
      '-- 0007_orders_total.up.sql: the column is called total_cents (0002)',
      'ALTER TABLE orders ALTER COLUMN total SET NOT NULL;',
    ].join('\n'),
    safeRewrite: [
      '-- 0007_orders_total.up.sql: one transaction (the executor wraps it)',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ALTER COLUMN total_cents SET NOT NULL;',
    ].join('\n'),
    versionNotes: [
      'The default rehearsal database is PGlite, PostgreSQL 18 compiled to WebAssembly, with the contrib extensions ',
      'PGlite ships (pgcrypto, pg_trgm, ltree, uuid-ossp, hstore, citext, vector and more); it has no roles other ',
      'than `postgres` and no server-side extensions such as PostGIS or TimescaleDB. Rehearse against your own server ',
      'version with `--database postgres://…` (a scratch database is created there and dropped afterwards) when a ',
      'migration needs what PGlite lacks or behaves differently before PostgreSQL 18.',
    ].join(''),
  },
  create() {
    return {};
  },
});
