import type { AlterPolicyStmt, CreatePolicyStmt, Node, RangeVar, RoleSpec } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import type { Risk } from '../src/analysis/risk.js';
import { relationKey } from '../src/analysis/schema.js';
import type { Statement } from '../src/sql/parser.js';
import { nodeType, quoteName, relationName, stringList, unwrap } from '../src/sql/ast.js';

type Command = 'all' | 'select' | 'insert' | 'update' | 'delete';

interface PolicyFacts {
  command: Command | undefined;
  roles: string;
  usingTrue: boolean;
  checkTrue: boolean;
  /** The WITH CHECK clause was written (otherwise ALL and UPDATE check new rows with USING). */
  hasCheck: boolean;
}

/** Text Postgres accepts as boolean true. */
const TRUE_WORDS = new Set(['t', 'tr', 'tru', 'true', 'y', 'ye', 'yes', 'on', '1']);

export default defineRule({
  meta: {
    id: 'no-unrestricted-policy',
    risk: 'high',
    tags: ['security', 'access'],
    summary: 'A permissive row-level security policy whose USING or WITH CHECK is the constant true (CREATE POLICY or ALTER POLICY).',
    rationale: [
      'Permissive policies are OR-ed together: a row is visible or writable when any policy for the command allows',
      'it. A policy with `USING (true)` allows every row, so for its roles and commands it cancels every other',
      'policy on the table, including the carefully written per-tenant ones.',
      '',
      '- `USING (true)` on `ALL`, `UPDATE` or `DELETE`: the roles can change or delete every row of the table',
      '  (high risk). For `ALL` and `UPDATE` without `WITH CHECK`, the `USING` expression also checks new rows, so',
      '  they can write any row as well.',
      '- `WITH CHECK (true)` on `INSERT` or `UPDATE`, or on `ALL` with a restricted `USING`: the roles can insert',
      '  rows, or turn rows they may edit into rows, that belong to someone else (medium risk).',
      '- `USING (true)` on `SELECT`: the roles read every row (medium risk). That is right for public data (a',
      '  catalogue, published posts), which is why it is not high; if so, say so with a suppression and a reason.',
      '',
      'A policy without `TO` applies to `PUBLIC`, every role. Restrictive policies (`AS RESTRICTIVE`) only narrow',
      'access, so `true` there grants nothing and is not reported. An `ALTER POLICY` on a policy this migration did',
      'not create is reported at medium risk, since its command is not known.',
    ].join('\n'),
    help: 'Write the condition that limits rows to their owner or tenant (for example USING (owner_id = auth.uid())), and name the roles with TO.',
    badExample: 'CREATE POLICY documents_edit ON documents FOR UPDATE TO authenticated USING (true);',
    safeRewrite: [
      '-- Only the owner of a document may change it, and may not hand it to someone else.',
      'CREATE POLICY documents_edit ON documents FOR UPDATE TO authenticated',
      "  USING (owner_id = current_setting('app.user_id')::bigint)",
      "  WITH CHECK (owner_id = current_setting('app.user_id')::bigint);",
      '',
      '-- Data that is public on purpose: read-only, and only the rows meant to be public.',
      'CREATE POLICY posts_read ON posts FOR SELECT TO anon USING (published);',
      '-- If every row really is public, keep USING (true) on a FOR SELECT policy and suppress the finding',
      '-- with the reason: -- pgwarden-disable-next-statement no-unrestricted-policy -- catalogue is public',
    ].join('\n'),
  },
  create(context) {
    const known = new Map<string, PolicyFacts>();
    const keyOf = (table: RangeVar | undefined, name: string | undefined) => `${table ? relationKey(table) : '?'}\u0000${name ?? ''}`;

    const check = (statement: Statement, name: string | undefined, table: RangeVar | undefined, facts: PolicyFacts) => {
      const verdict = judge(facts);
      if (!verdict) return;
      context.report({
        statement,
        risk: verdict.risk,
        message: `Policy ${quoteName(name ?? '?')} on ${relationName(table)} lets ${facts.roles} ${verdict.grants}.`,
      });
    };

    return {
      CreatePolicyStmt(node: CreatePolicyStmt, statement) {
        const facts: PolicyFacts = {
          command: (node.cmd_name ?? 'all') as Command,
          roles: rolesText(node.roles),
          usingTrue: isTrue(node.qual),
          checkTrue: isTrue(node.with_check),
          hasCheck: !!node.with_check,
        };
        known.set(keyOf(node.table, node.policy_name), facts);
        if (node.permissive) check(statement, node.policy_name, node.table, facts);
      },
      AlterPolicyStmt(node: AlterPolicyStmt, statement) {
        const key = keyOf(node.table, node.policy_name);
        const before = known.get(key);
        const facts: PolicyFacts = {
          command: before?.command,
          roles: node.roles ? rolesText(node.roles) : (before?.roles ?? 'its roles'),
          usingTrue: node.qual ? isTrue(node.qual) : (before?.usingTrue ?? false),
          checkTrue: node.with_check ? isTrue(node.with_check) : (before?.checkTrue ?? false),
          hasCheck: !!node.with_check || (before?.hasCheck ?? false),
        };
        known.set(key, facts);
        // Only a new USING or WITH CHECK can make it unrestricted here; a CREATE in this file was judged already.
        if (!isTrue(node.qual) && !isTrue(node.with_check)) return;
        check(statement, node.policy_name, node.table, facts);
      },
    };
  },
});

function judge(facts: PolicyFacts): { risk: Risk; grants: string } | undefined {
  const { command, usingTrue } = facts;
  // ALL and UPDATE check new rows with USING when there is no WITH CHECK.
  const checkTrue = facts.checkTrue || (usingTrue && !facts.hasCheck && (command === 'all' || command === 'update'));
  if (!command) {
    if (usingTrue || checkTrue) return { risk: 'medium', grants: 'reach every row for whichever commands the policy covers (USING or WITH CHECK is true)' };
    return undefined;
  }
  if (usingTrue && (command === 'all' || command === 'update' || command === 'delete')) {
    const verbs = command === 'all' ? 'read, change and delete' : command === 'update' ? 'change' : 'delete';
    return { risk: 'high', grants: `${verbs} every row (USING (true) for ${command.toUpperCase()})` };
  }
  if (checkTrue && (command === 'all' || command === 'insert' || command === 'update')) {
    return { risk: 'medium', grants: `write rows with any content, including rows that belong to others (WITH CHECK (true) for ${command.toUpperCase()})` };
  }
  if (usingTrue && command === 'select') return { risk: 'medium', grants: 'read every row (USING (true) for SELECT)' };
  return undefined;
}

function rolesText(roles: Node[] | undefined): string {
  const names = (roles ?? []).map((r) => {
    const role = unwrap<RoleSpec>(r, 'RoleSpec');
    if (!role || role.roletype === 'ROLESPEC_PUBLIC') return 'PUBLIC (every role)';
    if (role.roletype === 'ROLESPEC_CURRENT_USER') return 'CURRENT_USER';
    if (role.roletype === 'ROLESPEC_SESSION_USER') return 'SESSION_USER';
    if (role.roletype === 'ROLESPEC_CURRENT_ROLE') return 'CURRENT_ROLE';
    return quoteName(role.rolename ?? '?');
  });
  return names.length ? names.join(', ') : 'PUBLIC (every role)';
}

/** `true`, `'t'::boolean`, `TRUE::bool`. */
function isTrue(expression: Node | undefined): boolean {
  if (!expression) return false;
  const constant = unwrap<{ boolval?: { boolval?: boolean } }>(expression, 'A_Const');
  if (constant) return constant.boolval?.boolval === true;
  const cast = unwrap<{ arg?: Node; typeName?: { names?: Node[] } }>(expression, 'TypeCast');
  if (!cast) return false;
  const type = stringList(cast.typeName?.names).pop()?.toLowerCase();
  if (type !== 'bool' && type !== 'boolean') return false;
  if (nodeType(cast.arg) === 'A_Const') {
    const text = unwrap<{ sval?: { sval?: string } }>(cast.arg, 'A_Const')?.sval?.sval;
    return text !== undefined ? TRUE_WORDS.has(text.trim().toLowerCase()) : isTrue(cast.arg);
  }
  return false;
}
