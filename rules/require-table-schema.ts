import type { RangeVar } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import type { Statement } from '../src/sql/parser.js';
import { quoteName } from '../src/sql/ast.js';
import { nameRange } from './support/identifiers.js';

export default defineRule({
  meta: {
    id: 'require-table-schema',
    risk: 'low',
    tags: ['style'],
    optIn: true,
    summary: 'CREATE TABLE with a table name that has no schema, in a migration that does not set search_path.',
    rationale: [
      'An unqualified `CREATE TABLE orders` creates the table in the first schema of the session\'s `search_path` ',
      'that exists, and the default path is `"$user", public`. Which schema that is depends on the connection, not ',
      'on the migration: the role that runs it (a schema named after it comes first), a `search_path` set on the ',
      'role or database (`ALTER ROLE … SET search_path`), or one passed in the connection string. The same ',
      'migration can then create the table in `public` on one database and elsewhere on another, and later ',
      'migrations or queries that qualify the name do not find it.',
      '',
      'Writing the schema (`CREATE TABLE app.orders`) makes the placement part of the migration. Temporary tables ',
      'are exempt (they always go to the session\'s temporary schema), and so is a migration that sets ',
      '`search_path` itself before creating the table, and a down migration, which restores a table as an ',
      'earlier migration created it.',
    ].join('\n'),
    help: 'Qualify the name with its schema (CREATE TABLE public.orders), or SET search_path at the start of the migration.',
    badExample: 'CREATE TABLE orders (id bigint PRIMARY KEY);',
    safeRewrite: [
      '-- In the migration that creates the table: the schema is part of the name.',
      'CREATE TABLE app.orders (id bigint PRIMARY KEY);',
      '-- or, for a migration that creates many objects, once at its start',
      '-- (SET LOCAL inside the migration transaction, so it does not outlive it):',
      'SET LOCAL search_path = app;',
      'CREATE TABLE orders (id bigint PRIMARY KEY);',
    ].join('\n'),
    versionNotes: [
      'Since PostgreSQL 15 the `public` schema no longer lets every role create objects in it (only the database ',
      'owner, by default). An unqualified `CREATE TABLE` run by another role then fails with `permission denied for ',
      'schema public`, unless a schema named after the role exists, in which case the table quietly lands there.',
    ].join('\n'),
  },
  create(context) {
    const check = (statement: Statement, relation: RangeVar | undefined, what: string) => {
      if (!relation?.relname || relation.schemaname || relation.relpersistence === 't') return;
      if (context.state.setting('search_path') !== undefined || context.migration?.direction === 'down') return;
      const name = quoteName(relation.relname);
      context.report({
        statement,
        ...nameRange(context.source, statement, relation.relname, relation.location),
        message: `${what} ${name} names no schema: the table goes to the first schema of whatever search_path the connection has, "$user" before public by default.`,
        help: `Write the schema: ${what} public.${name} (or the schema it belongs in).`,
      });
    };
    return {
      CreateStmt: (node, statement) => check(statement, node.relation, 'CREATE TABLE'),
      CreateTableAsStmt: (node, statement) => {
        if (node.objtype === 'OBJECT_TABLE') check(statement, node.into?.rel, 'CREATE TABLE');
      },
      CreateForeignTableStmt: (node, statement) => check(statement, node.base?.relation, 'CREATE FOREIGN TABLE'),
    };
  },
});
