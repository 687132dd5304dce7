import type { AlterRoleStmt, CreateRoleStmt, Node, RoleSpec } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import type { Statement } from '../src/sql/parser.js';
import { defElems, unwrap } from '../src/sql/ast.js';

/** True when the options set PASSWORD to a string (PASSWORD NULL has no argument). */
function hasPasswordLiteral(options: Node[] | undefined): boolean {
  return defElems(options).some((d) => d.defname === 'password' && unwrap<{ sval?: string }>(d.arg, 'String') !== undefined);
}

export default defineRule({
  meta: {
    id: 'no-password-literal',
    risk: 'high',
    tags: ['security'],
    summary: "A PASSWORD 'literal' in CREATE or ALTER ROLE/USER.",
    rationale: [
      'A password written into a migration is a secret committed to version control: it is in every clone, fork, CI ',
      'log and backup of the repository, forever, and it is the same in every environment the migration runs in. ',
      'Postgres also writes the statement, password included, to the server log when `log_statement` covers DDL or ',
      'the statement fails, and to `pg_stat_statements`. A pre-hashed `SCRAM-SHA-256$…` or `md5…` value is not ',
      'much better: an md5 hash is enough to log in, and a SCRAM verifier can be attacked offline.',
      '',
      'Create the role without a password (or with `PASSWORD NULL`) in the migration and set the password from a ',
      'secret store at deploy time, for example with psql’s `\\password` or a provisioning tool.',
    ].join('\n'),
    help: 'Create the role without a password and set it at deploy time from a secret store (psql \\password, a provisioning tool).',
    badExample: "CREATE ROLE app_user LOGIN PASSWORD 'hunter2';",
    safeRewrite: [
      '-- The migration creates the login without a password.',
      'CREATE ROLE app_user LOGIN PASSWORD NULL;',
      '',
      '-- At deploy time, outside the repository, from the secret store (the client hashes it first):',
      '--   psql "$DATABASE_URL" -c "\\password app_user"',
      "--   or: ALTER ROLE app_user PASSWORD '<from the secret store>' sent by the provisioning tool",
    ].join('\n'),
    versionNotes: [
      '- **PostgreSQL 10+** always stores passwords hashed (`UNENCRYPTED PASSWORD` is gone), but the hash is computed ',
      'by the server: the statement text, and so the migration file and the server log, still carry the plain password.\n',
      '- **PostgreSQL 14+** hashes with SCRAM-SHA-256 by default (`password_encryption`); before 14 the default was ',
      'md5, whose hash is enough to log in with md5 authentication.\n',
      '- **PostgreSQL 18** deprecates md5 passwords: `CREATE ROLE` and `ALTER ROLE` warn when they store one.',
    ].join(''),
  },
  create(context) {
    // Never echo the literal: the message names the role only.
    const report = (statement: Statement, verb: string, role: string) => {
      context.report({ statement, message: `${verb} ${role} sets a password from a string literal, which ends up in version control and server logs.` });
    };
    return {
      CreateRoleStmt(node: CreateRoleStmt, statement) {
        if (!hasPasswordLiteral(node.options)) return;
        const kind = node.stmt_type === 'ROLESTMT_USER' ? 'USER' : node.stmt_type === 'ROLESTMT_GROUP' ? 'GROUP' : 'ROLE';
        report(statement, `CREATE ${kind}`, node.role ?? '?');
      },
      AlterRoleStmt(node: AlterRoleStmt, statement) {
        if (!hasPasswordLiteral(node.options)) return;
        const role: RoleSpec | undefined = node.role;
        report(statement, 'ALTER ROLE', role?.rolename ?? role?.roletype?.replace('ROLESPEC_', '') ?? '?');
      },
    };
  },
});
