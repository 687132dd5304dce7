import type { AlterRoleStmt, CreateRoleStmt, DefElem, Node, RoleSpec } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import type { Statement } from '../src/sql/parser.js';
import { defElems, unwrap } from '../src/sql/ast.js';

/** Role attributes that hand out control over the whole cluster, by their DefElem name. */
const PRIVILEGED: Record<string, string> = {
  superuser: 'SUPERUSER',
  bypassrls: 'BYPASSRLS',
  createrole: 'CREATEROLE',
};

function granted(options: Node[] | undefined): string[] {
  return defElems(options)
    .filter((d: DefElem) => PRIVILEGED[d.defname ?? ''] && unwrap<{ boolval?: boolean }>(d.arg, 'Boolean')?.boolval === true)
    .map((d) => PRIVILEGED[d.defname ?? '']!);
}

function roleName(role: RoleSpec | undefined): string {
  if (!role) return '?';
  if (role.roletype === 'ROLESPEC_CSTRING') return role.rolename ?? '?';
  return role.roletype?.replace('ROLESPEC_', '') ?? '?';
}

export default defineRule({
  meta: {
    id: 'no-privileged-role',
    risk: 'high',
    tags: ['security', 'access'],
    summary: 'CREATE or ALTER ROLE/USER granting SUPERUSER, BYPASSRLS or CREATEROLE.',
    rationale: [
      'These attributes are not ordinary privileges:',
      '',
      '- `SUPERUSER` bypasses every permission check, can read and change any data, load code into the server and run ',
      '  programs as the operating-system user of the database (`COPY … PROGRAM`).',
      '- `BYPASSRLS` ignores every row-level security policy, so tenant isolation built on RLS no longer applies to ',
      '  that role.',
      '- `CREATEROLE` can create roles and (before PostgreSQL 16) alter or grant membership in almost any role that is ',
      '  not a superuser, which is a short path to every privilege in the database.',
      '',
      'A migration that hands these out puts a cluster-wide privilege change into application code review, where it ',
      'is easy to miss, and usually gives it to an application login whose credentials are widely distributed. ',
      'Privileged roles belong in infrastructure provisioning, reviewed by the people who run the cluster.',
    ].join('\n'),
    help: 'Grant only the privileges the role needs (GRANT … ON … TO role, membership in a purpose-made role); create privileged roles outside migrations.',
    badExample: 'CREATE ROLE reporting LOGIN SUPERUSER;',
    safeRewrite: [
      '-- The migration creates a role with the access it needs, nothing cluster-wide.',
      'CREATE ROLE reporting NOLOGIN;',
      'GRANT USAGE ON SCHEMA app TO reporting;',
      'GRANT SELECT ON ALL TABLES IN SCHEMA app TO reporting;',
      '',
      '-- Logins and their passwords are provisioned outside migrations (infrastructure code, a secret store):',
      '--   CREATE ROLE reporting_login LOGIN IN ROLE reporting;',
    ].join('\n'),
    versionNotes: [
      '- **Before PostgreSQL 16** a `CREATEROLE` role can alter, drop and grant membership in any role that is not a ',
      'superuser, including predefined roles such as `pg_execute_server_program` and `pg_read_server_files`, which ',
      'makes it nearly a superuser.\n',
      '- **PostgreSQL 16+** limits `CREATEROLE` to roles it holds `ADMIN OPTION` on (which it gets for the roles it ',
      'creates), and it can hand out `CREATEDB`, `REPLICATION` and `BYPASSRLS` only if it has them itself. It is ',
      'still a privilege to create and manage logins, which belongs to provisioning rather than to a migration.',
    ].join(''),
  },
  create(context) {
    const report = (statement: Statement, verb: string, role: string, attributes: string[]) => {
      context.report({
        statement,
        message: `${verb} ${role} grants ${attributes.join(' and ')}: power over the whole cluster, far beyond this application's data.`,
      });
    };
    return {
      CreateRoleStmt(node: CreateRoleStmt, statement) {
        const attributes = granted(node.options);
        if (!attributes.length) return;
        const kind = node.stmt_type === 'ROLESTMT_USER' ? 'USER' : node.stmt_type === 'ROLESTMT_GROUP' ? 'GROUP' : 'ROLE';
        report(statement, `CREATE ${kind}`, node.role ?? '?', attributes);
      },
      AlterRoleStmt(node: AlterRoleStmt, statement) {
        const attributes = granted(node.options);
        if (attributes.length) report(statement, 'ALTER ROLE', roleName(node.role), attributes);
      },
    };
  },
});
