import type { RenameStmt } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { relationName } from '../src/sql/ast.js';

const KINDS: Record<string, string> = {
  OBJECT_TABLE: 'table',
  OBJECT_FOREIGN_TABLE: 'foreign table',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized view',
};

export default defineRule({
  meta: {
    id: 'no-rename-table',
    risk: 'medium',
    tags: ['compatibility', 'locking'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'RENAME of a table or view that existed before this migration.',
    rationale: [
      'Renaming a table is a catalog change that takes milliseconds, but every client that names the table fails ',
      'with `relation "…" does not exist` the moment the migration commits: application queries, ORM models, ',
      'reports, cron jobs, PL/pgSQL function bodies (resolved at run time) and logical replication publications or ',
      'subscribers that expect the old name. In a rolling deploy the old application version is still running ',
      'against the renamed table.',
      '',
      'The rename also needs an ACCESS EXCLUSIVE lock; while it waits for running queries to finish, every new query ',
      'on the table queues behind it.',
      '',
      'Keep the old name working while clients move: rename and create a view under the old name in the same ',
      'transaction (a simple `SELECT` view is automatically updatable, so INSERT, UPDATE and DELETE keep working), ',
      'switch the application to the new name, then drop the view in a later release.',
    ].join('\n'),
    help: 'Rename and create a view with the old name in the same transaction, move the application to the new name, then drop the view later.',
    badExample: 'ALTER TABLE customers RENAME TO clients;',
    safeRewrite: [
      '-- Migration 1 (one transaction): the old name keeps working through an updatable view.',
      "SET lock_timeout = '2s';",
      '-- pgwarden-disable-next-statement no-rename-table -- the view below keeps the old name working',
      'ALTER TABLE customers RENAME TO clients;',
      '-- List the columns: a view does not pick up columns added to clients later.',
      'CREATE VIEW customers WITH (security_invoker = true) AS',
      '  SELECT id, name, email, created_at FROM clients;',
      '-- A view has its own privileges: grant what the table had.',
      'GRANT SELECT, INSERT, UPDATE, DELETE ON customers TO app_user;',
      '',
      '-- Deploy: the application uses clients only.',
      '',
      '-- Migration 2 (a later release): nothing reads or writes customers any more.',
      "SET lock_timeout = '2s';",
      'DROP VIEW customers;',
    ].join('\n'),
    versionNotes: [
      '- **PostgreSQL 15+**: create the compatibility view `WITH (security_invoker = true)`, as above, so that ',
      'privileges and row-level security policies on the table are checked for the role running the query. Before 15 ',
      'a view reads its tables with the rights of the view’s owner, and row-level security policies apply as for the ',
      'owner (usually the table owner, whom they do not restrict): leave out the option, grant the view no more than ',
      'the table allowed, and prefer a short maintenance window for tables protected by row-level security.\n',
      '- **PostgreSQL 9.3+** (every supported version): a single-table `SELECT` view without aggregates, `DISTINCT` or `LIMIT` is automatically ',
      'updatable, so `INSERT`, `UPDATE` and `DELETE` through the old name keep working.',
    ].join(''),
  },
  create(context) {
    return {
      RenameStmt(node: RenameStmt, statement) {
        const kind = KINDS[node.renameType ?? ''];
        if (!kind || context.state.schema.isCreatedHere(node.relation)) return;
        const name = relationName(node.relation);
        context.report({
          statement,
          message: `Renaming existing ${kind} ${name} to ${node.newname ?? '?'} breaks every client that still uses ${name} as soon as the migration commits.`,
        });
      },
    };
  },
});
