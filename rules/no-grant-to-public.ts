import type { AccessPriv, AlterDefaultPrivilegesStmt, GrantRoleStmt, GrantStmt, Node, RangeVar, RoleSpec } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { relationName, stringList, stringValue, unwrap } from '../src/sql/ast.js';

function toPublic(grantees: Node[] | undefined): boolean {
  return (grantees ?? []).some((g) => unwrap<RoleSpec>(g, 'RoleSpec')?.roletype === 'ROLESPEC_PUBLIC');
}

const OBJECT_NAMES: Record<string, string> = {
  OBJECT_TABLE: 'tables',
  OBJECT_SEQUENCE: 'sequences',
  OBJECT_FUNCTION: 'functions',
  OBJECT_PROCEDURE: 'procedures',
  OBJECT_ROUTINE: 'routines',
  OBJECT_SCHEMA: 'schemas',
  OBJECT_DATABASE: 'databases',
  OBJECT_TYPE: 'types',
  OBJECT_DOMAIN: 'domains',
  OBJECT_LANGUAGE: 'languages',
  OBJECT_LARGEOBJECT: 'large objects',
  OBJECT_FDW: 'foreign-data wrappers',
  OBJECT_FOREIGN_SERVER: 'foreign servers',
  OBJECT_TABLESPACE: 'tablespaces',
  OBJECT_PARAMETER_ACL: 'parameters',
};

export default defineRule({
  meta: {
    id: 'no-grant-to-public',
    risk: 'high',
    tags: ['security', 'access'],
    summary: 'GRANT … TO PUBLIC: privileges or role membership for every role in the cluster.',
    rationale: [
      '`PUBLIC` is every role, present and future: application users, read-only reporting accounts, roles created by ',
      'extensions or other teams sharing the cluster. A privilege granted to PUBLIC cannot be withheld from any one ',
      'of them by a REVOKE on that role; it has to be revoked from PUBLIC and granted again to the roles that need it.',
      '',
      'Granting table privileges to PUBLIC exposes or opens the data to every login; `EXECUTE` on a `SECURITY DEFINER` ',
      'function lets anyone run it with its owner’s rights; `ALTER DEFAULT PRIVILEGES … TO PUBLIC` does the same for ',
      'every object created later. `GRANT some_role TO PUBLIC` is refused by Postgres (`role "public" does not exist`), ',
      'so the migration fails.',
      '',
      'Grant to a named role instead, and give that role to the logins that need it.',
    ].join('\n'),
    help: 'Grant to a named role (for example app_readonly) and make the logins that need it members of that role.',
    badExample: 'GRANT SELECT ON customers TO PUBLIC;',
    safeRewrite: [
      '-- Once, by an administrator (or an earlier migration): a role that carries the privilege.',
      'CREATE ROLE app_readonly NOLOGIN;',
      'GRANT app_readonly TO reporting_user;',
      '',
      '-- The migration grants to that role only.',
      'GRANT SELECT ON customers TO app_readonly;',
    ].join('\n'),
    versionNotes: [
      '- **PostgreSQL 15+** no longer gives PUBLIC the `CREATE` privilege on the `public` schema of a new database ',
      '(only `USAGE`). A database upgraded from an older version keeps the old grant until ',
      '`REVOKE CREATE ON SCHEMA public FROM PUBLIC`; a migration that grants it back lets every role create objects ',
      'that others may pick up through their `search_path`.\n',
      '- **Every version** grants `EXECUTE` on new functions and procedures, and `USAGE` on new types and domains, to ',
      'PUBLIC by default. Revoke it from a `SECURITY DEFINER` function in the transaction that creates it ',
      '(`REVOKE EXECUTE ON FUNCTION … FROM PUBLIC`), or for every future function at once with ',
      '`ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`.',
    ].join(''),
  },
  create(context) {
    return {
      GrantStmt(node: GrantStmt, statement) {
        if (!node.is_grant || !toPublic(node.grantees)) return;
        context.report({
          statement,
          message: `GRANT ${privilegeList(node)} ON ${targetOf(node)} TO PUBLIC gives every role in the cluster, including roles created later, that access.`,
        });
      },
      AlterDefaultPrivilegesStmt(node: AlterDefaultPrivilegesStmt, statement) {
        const action = node.action;
        if (!action?.is_grant || !toPublic(action.grantees)) return;
        context.report({
          statement,
          message: `ALTER DEFAULT PRIVILEGES grants ${privilegeList(action)} on ${OBJECT_NAMES[action.objtype ?? ''] ?? 'objects'} created from now on to PUBLIC, that is to every role in the cluster.`,
        });
      },
      GrantRoleStmt(node: GrantRoleStmt, statement) {
        if (!node.is_grant || !toPublic(node.grantee_roles)) return;
        const roles = (node.granted_roles ?? []).map((r) => unwrap<AccessPriv>(r, 'AccessPriv')?.priv_name ?? '?').join(', ');
        context.report({
          statement,
          message: `GRANT ${roles} TO PUBLIC would make every role a member; Postgres rejects it (role "public" does not exist) and the migration fails.`,
        });
      },
    };
  },
});

function privilegeList(stmt: GrantStmt): string {
  const names = (stmt.privileges ?? []).map((p) => unwrap<AccessPriv>(p, 'AccessPriv')?.priv_name?.toUpperCase() ?? '?');
  return names.length ? names.join(', ') : 'ALL';
}

/** `customers`, `FUNCTION s.f`, `ALL TABLES IN SCHEMA app`. */
function targetOf(stmt: GrantStmt): string {
  const names = (stmt.objects ?? []).map(objectName).join(', ');
  const kind = OBJECT_NAMES[stmt.objtype ?? ''] ?? 'objects';
  if (stmt.targtype === 'ACL_TARGET_ALL_IN_SCHEMA') return `ALL ${kind.toUpperCase()} IN SCHEMA ${names}`;
  if (stmt.objtype === 'OBJECT_TABLE') return names;
  return `${kind.replace(/s$/, '').toUpperCase()} ${names}`;
}

function objectName(node: Node): string {
  const relation = unwrap<RangeVar>(node, 'RangeVar');
  if (relation) return relationName(relation);
  const routine = unwrap<{ objname?: Node[] }>(node, 'ObjectWithArgs');
  if (routine) return stringList(routine.objname).join('.');
  const list = unwrap<{ items?: Node[] }>(node, 'List');
  if (list) return stringList(list.items).join('.');
  return stringValue(node) ?? '?';
}
