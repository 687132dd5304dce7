import { defineRule } from '../src/analysis/rule.js';
import { alterCommands, relationName } from '../src/sql/ast.js';

export default defineRule({
  meta: {
    id: 'no-disable-row-level-security',
    risk: 'high',
    tags: ['security', 'access'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'ALTER TABLE … DISABLE ROW LEVEL SECURITY or NO FORCE ROW LEVEL SECURITY on a table that existed before this migration.',
    rationale: [
      'Row-level security policies decide which rows each role may see and change. `DISABLE ROW LEVEL SECURITY`',
      'switches every policy of the table off at once: from the commit on, any role with a table privilege reads and',
      'writes every row, whoever they belong to. The policies stay defined, so the schema still looks protected.',
      '',
      '`NO FORCE ROW LEVEL SECURITY` exempts the table’s owner (and roles that are members of it) from the policies',
      'again. Applications that connect as the role owning their tables, which is common, then bypass every policy.',
      '',
      'Both are sometimes used to let a migration backfill across tenants. The migration role usually owns the',
      'tables or has `BYPASSRLS` already, so the backfill does not need it, and a forgotten `ENABLE` afterwards',
      'leaves the data open. Tables created earlier in the same migration are not reported.',
    ].join('\n'),
    help: 'Keep row-level security on; run cross-tenant maintenance as a role with BYPASSRLS (or the table owner without FORCE) instead of switching it off.',
    badExample: 'ALTER TABLE documents DISABLE ROW LEVEL SECURITY;',
    safeRewrite: [
      '-- Leave the policies in force. For maintenance that must see every row, use a role that bypasses them,',
      '-- created once by an administrator:',
      '--   CREATE ROLE maintenance NOLOGIN BYPASSRLS;  GRANT maintenance TO deploy;',
      '-- Inside the migration transaction (SET LOCAL ends with it):',
      'SET LOCAL ROLE maintenance;',
      "UPDATE documents SET visibility = 'private' WHERE visibility IS NULL;",
    ].join('\n'),
  },
  create(context) {
    return {
      AlterTableStmt(node, statement) {
        if (node.objtype !== 'OBJECT_TABLE' || context.state.schema.isCreatedHere(node.relation)) return;
        const table = relationName(node.relation);
        for (const cmd of alterCommands(node.cmds)) {
          if (cmd.subtype === 'AT_DisableRowSecurity') {
            context.report({
              statement,
              message: `DISABLE ROW LEVEL SECURITY switches off every policy on ${table}: any role with a privilege on it reads and changes every row.`,
            });
          } else if (cmd.subtype === 'AT_NoForceRowSecurity') {
            context.report({
              statement,
              message: `NO FORCE ROW LEVEL SECURITY lets the owner of ${table} bypass its policies again, including an application that connects as that owner.`,
            });
          }
        }
      },
    };
  },
});
