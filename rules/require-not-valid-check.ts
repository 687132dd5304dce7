import type { AlterDomainStmt, AlterTableStmt, ColumnDef, Constraint, CreateDomainStmt } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { alterCommands, columnConstraints, relationName, stringList, unwrap } from '../src/sql/ast.js';
import { notValidDomainFix, notValidTableFix } from './support/not-valid.js';

/** Lowercase dotted name without the default schema, so `public.amount` and `amount` match. */
function domainKey(names: string[]): string {
  return (names[0] === 'public' && names.length === 2 ? names.slice(1) : names).join('.');
}

export default defineRule({
  meta: {
    id: 'require-not-valid-check',
    risk: 'medium',
    tags: ['locking', 'constraint'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'A CHECK constraint added to an existing table or domain without NOT VALID, so every row is scanned under lock.',
    rationale: [
      '`ALTER TABLE … ADD CONSTRAINT … CHECK` takes an ACCESS EXCLUSIVE lock on the table and then reads every row ',
      'to prove the condition holds, keeping the lock until the transaction commits. Nothing can read or write the ',
      'table meanwhile, and on a large table the scan takes minutes. A CHECK written on a new column ',
      '(`ADD COLUMN … CHECK (…)`) is verified by the same full scan.',
      '',
      '`ALTER DOMAIN … ADD CONSTRAINT … CHECK` scans every column of that domain in every table, holding a SHARE lock ',
      '(no writes) on each of those tables until commit.',
      '',
      'With `NOT VALID` the constraint is enforced for new and updated rows at once and the lock is held for ',
      'milliseconds. `ALTER TABLE … VALIDATE CONSTRAINT` then checks the old rows under SHARE UPDATE EXCLUSIVE, which ',
      'does not block reads or writes. Run it in a separate transaction; in the same one the ADD’s ACCESS EXCLUSIVE ',
      'lock is still held.',
    ].join('\n'),
    help: 'Add the constraint with NOT VALID, then run ALTER TABLE … VALIDATE CONSTRAINT in a separate transaction.',
    badExample: 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);',
    safeRewrite: [
      '-- Migration 1 (one transaction): enforce the rule for new and updated rows only; the ACCESS',
      '-- EXCLUSIVE lock lasts milliseconds.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;',
      '',
      '-- Fix the old rows that break the rule first (outside migrations, in batches of 5,000 rows per',
      '-- transaction), or the validation fails.',
      '',
      '-- Migration 2 (a later transaction): scan the existing rows under SHARE UPDATE EXCLUSIVE,',
      '-- which lets reads and writes continue.',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;',
    ].join('\n'),
    fix: [
      'Adds `NOT VALID` to each `ADD CONSTRAINT name CHECK (…)` of the statement (table or domain) and writes a new ',
      'migration, after the latest one and in the same layout, that runs `ALTER TABLE … VALIDATE CONSTRAINT name` ',
      '(`ALTER DOMAIN …` for a domain): existing rows are still checked, without blocking reads or writes. CHECKs ',
      'without a name, CHECKs written on a new column (Postgres has no NOT VALID for those), statements in down ',
      'migrations or DO blocks, and constraints the file validates itself are left alone.',
    ].join(''),
    versionNotes: [
      '- **Before PostgreSQL 19**, `ALTER DOMAIN … VALIDATE CONSTRAINT` still takes SHARE locks on every table using ',
      'the domain, blocking their writes for the whole scan: run it at a quiet time. PostgreSQL 19 lowers it to ',
      'SHARE UPDATE EXCLUSIVE, like a table’s `VALIDATE CONSTRAINT`. Adding a domain CHECK without `NOT VALID` takes ',
      'SHARE locks on every version.\n',
      '- **PostgreSQL 18+** can also add `NOT NULL` constraints `NOT VALID` and validate them later (see ',
      '`set-not-null`), and accepts `CHECK … NOT ENFORCED`, which records the constraint without checking any row.',
    ].join(''),
  },
  create(context) {
    const domainsCreatedHere = new Set<string>();
    return {
      CreateDomainStmt(node: CreateDomainStmt) {
        domainsCreatedHere.add(domainKey(stringList(node.domainname)));
      },
      AlterTableStmt(node: AlterTableStmt, statement) {
        if (context.state.schema.isCreatedHere(node.relation)) return;
        const checks: string[] = [];
        const tableChecks: Constraint[] = [];
        for (const cmd of alterCommands(node.cmds)) {
          const constraint = unwrap<Constraint>(cmd.def, 'Constraint');
          if (cmd.subtype === 'AT_AddConstraint' && constraint?.contype === 'CONSTR_CHECK' && !constraint.skip_validation) {
            checks.push(constraint.conname ? `CHECK ${constraint.conname}` : 'an unnamed CHECK');
            tableChecks.push(constraint);
          }
          const column = cmd.subtype === 'AT_AddColumn' ? unwrap<ColumnDef>(cmd.def, 'ColumnDef') : undefined;
          for (const c of columnConstraints(column)) {
            if (c.contype !== 'CONSTR_CHECK' || c.skip_validation) continue;
            const on = `on new column ${column?.colname ?? '?'}`;
            checks.push(c.conname ? `CHECK ${c.conname} ${on}` : `a CHECK ${on}`);
          }
        }
        if (!checks.length) return;
        const table = relationName(node.relation);
        const list = checks.join(', ');
        // A CHECK on a new column has no NOT VALID form.
        const fix = checks.length === tableChecks.length ? notValidTableFix(context, statement, node, tableChecks) : undefined;
        context.report({
          statement,
          message: `${list.charAt(0).toUpperCase()}${list.slice(1)} on existing table ${table} ${checks.length > 1 ? 'are' : 'is'} verified by scanning every row while ${table} is locked ACCESS EXCLUSIVE, blocking reads and writes.`,
          ...(fix ? { fix } : {}),
        });
      },
      AlterDomainStmt(node: AlterDomainStmt, statement) {
        const constraint = unwrap<Constraint>(node.def, 'Constraint');
        if (node.subtype !== 'C' || constraint?.contype !== 'CONSTR_CHECK' || constraint.skip_validation) return;
        const names = stringList(node.typeName);
        if (domainsCreatedHere.has(domainKey(names))) return;
        const name = constraint.conname ? `${constraint.conname} ` : '';
        const fix = notValidDomainFix(context, statement, node, constraint);
        context.report({
          statement,
          lock: 'SHARE',
          ...(fix ? { fix } : {}),
          message: `CHECK constraint ${name}on domain ${names.join('.')} is verified by scanning every column of that domain in every table, holding SHARE locks that block their writes until commit.`,
          help:
            context.postgresVersion >= 19
              ? 'Add it with NOT VALID, then run ALTER DOMAIN … VALIDATE CONSTRAINT in a separate transaction.'
              : 'Add it with NOT VALID (new values are checked at once) and run ALTER DOMAIN … VALIDATE CONSTRAINT separately at a quiet time: before PostgreSQL 19 the validation still blocks writes to the tables using the domain.',
        });
      },
    };
  },
});
