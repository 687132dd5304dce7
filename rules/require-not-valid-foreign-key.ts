import type { AlterTableStmt, ColumnDef, Constraint } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { alterCommands, columnConstraints, relationName, stringList, unwrap } from '../src/sql/ast.js';
import { notValidTableFix } from './support/not-valid.js';

/** `orders_customer_fk`, or `(customer_id) REFERENCES customers` for an unnamed key. */
function describeKey(constraint: Constraint, column?: string): string {
  if (constraint.conname) return constraint.conname;
  const columns = column ? [column] : stringList(constraint.fk_attrs);
  return `(${columns.join(', ')}) REFERENCES ${relationName(constraint.pktable)}`;
}

export default defineRule({
  meta: {
    id: 'require-not-valid-foreign-key',
    risk: 'medium',
    tags: ['locking', 'constraint'],
    lock: 'SHARE ROW EXCLUSIVE',
    summary: 'A foreign key added to an existing table without NOT VALID, so every row is checked under lock.',
    rationale: [
      'Adding a foreign key takes SHARE ROW EXCLUSIVE locks on **both** tables, the referencing one and the ',
      'referenced one, and then checks every existing row of the referencing table against the referenced table ',
      'before committing. SHARE ROW EXCLUSIVE lets reads through but blocks every `INSERT`, `UPDATE` and `DELETE` on ',
      'both tables for the whole check, which on a large table takes minutes.',
      '',
      '`ALTER TABLE … ADD COLUMN … REFERENCES` checks the rows too when the new column has a DEFAULT or is generated ',
      '(without one every value is NULL and Postgres skips the check), and then holds ACCESS EXCLUSIVE on the ',
      'referencing table because of the ADD COLUMN.',
      '',
      'With `NOT VALID` the key is enforced for new and updated rows at once but existing rows are not checked, so ',
      'the locks last milliseconds. `ALTER TABLE … VALIDATE CONSTRAINT` later checks the old rows under SHARE UPDATE ',
      'EXCLUSIVE on the referencing table and ROW SHARE on the referenced one, neither of which blocks reads or ',
      'writes. Run the VALIDATE in a separate transaction: in the same one, the ADD’s locks are still held.',
    ].join('\n'),
    help: 'Add the key with NOT VALID, then run ALTER TABLE … VALIDATE CONSTRAINT in a separate transaction.',
    badExample: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);',
    safeRewrite: [
      '-- Migration 1 (one transaction): enforce the key for new and updated rows only; the locks on',
      '-- orders and customers last milliseconds.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk',
      '  FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;',
      '',
      '-- Fix or delete the orphaned rows first (outside migrations, in batches of 5,000 rows per',
      '-- transaction), or the validation fails.',
      '',
      '-- Migration 2 (a later transaction): check the existing rows without blocking reads or writes.',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;',
      '-- Index orders (customer_id) too (CREATE INDEX CONCURRENTLY), or deletes on customers scan orders.',
    ].join('\n'),
    fix: [
      'Adds `NOT VALID` to each `ADD CONSTRAINT name FOREIGN KEY …` of the statement and writes a new migration, ',
      'after the latest one and in the same layout, that runs `ALTER TABLE … VALIDATE CONSTRAINT name`: existing rows ',
      'are still checked, without blocking writes. Keys without a name, keys on new columns, statements in down ',
      'migrations or DO blocks, and keys the file validates itself are left alone. Before PostgreSQL 18 a NOT VALID ',
      'foreign key on a partitioned table is refused: no fix there for a table an earlier migration created with ',
      '`PARTITION BY`, but pgwarden cannot tell a table apart when it has not read its CREATE TABLE.',
    ].join(''),
    versionNotes: [
      '- **Before PostgreSQL 18** a foreign key on a partitioned table cannot be added `NOT VALID` ("cannot add NOT ',
      'VALID foreign key on partitioned table"). Add it `NOT VALID` to each partition, validate those one by one in ',
      'later transactions, then add the same key (same columns, referenced table and actions) to the parent: it adopts the ',
      'validated partition keys without checking the rows again. PostgreSQL 18 accepts `NOT VALID` on the parent, ',
      'and `VALIDATE CONSTRAINT` then runs per partition or for the whole hierarchy.\n',
      '- **PostgreSQL 18+** also accepts `NOT ENFORCED` foreign keys, which check nothing, neither old rows nor new.',
    ].join(''),
  },
  create(context) {
    return {
      AlterTableStmt(node: AlterTableStmt, statement) {
        if (context.state.schema.isCreatedHere(node.relation)) return;
        const tableKeys: Constraint[] = [];
        const columnKeys: Array<{ constraint: Constraint; column: string | undefined }> = [];
        // Postgres skips checking the keys of new columns (all NULL) unless a new column has a
        // default or the statement also adds a table-level foreign key (transformAlterTableStmt).
        let checksColumnKeys = false;
        for (const cmd of alterCommands(node.cmds)) {
          const constraint = unwrap<Constraint>(cmd.def, 'Constraint');
          if (cmd.subtype === 'AT_AddConstraint' && constraint?.contype === 'CONSTR_FOREIGN') {
            checksColumnKeys = true;
            if (!constraint.skip_validation) tableKeys.push(constraint);
          }
          const column = cmd.subtype === 'AT_AddColumn' ? unwrap<ColumnDef>(cmd.def, 'ColumnDef') : undefined;
          const constraints = columnConstraints(column);
          if (constraints.some((c) => c.contype === 'CONSTR_DEFAULT' || c.contype === 'CONSTR_GENERATED')) checksColumnKeys = true;
          for (const c of constraints) {
            if (c.contype === 'CONSTR_FOREIGN' && !c.skip_validation) columnKeys.push({ constraint: c, column: column?.colname });
          }
        }
        const checked = [
          ...tableKeys.map((constraint) => ({ constraint, column: undefined })),
          ...(checksColumnKeys ? columnKeys : []),
        ];
        if (!checked.length) return;
        const table = relationName(node.relation);
        const keys = checked.map((k) => describeKey(k.constraint, k.column)).join(', ');
        const others = [...new Set(checked.map((k) => relationName(k.constraint.pktable)))].filter((name) => name !== table);
        const referenced = others.join(', ');
        if (checksColumnKeys && columnKeys.length) {
          context.report({
            statement,
            lock: 'ACCESS EXCLUSIVE',
            message: `Foreign key ${keys} on a new column of existing table ${table} is checked against every row while ${table} is locked ACCESS EXCLUSIVE (no reads or writes)${others.length ? ` and ${referenced} SHARE ROW EXCLUSIVE (no writes)` : ''}.`,
            help: 'Add the column without REFERENCES (and without a default if possible), then ADD CONSTRAINT … FOREIGN KEY … NOT VALID and VALIDATE CONSTRAINT in a separate transaction.',
          });
          return;
        }
        const fix = notValidTableFix(context, statement, node, tableKeys);
        context.report({
          statement,
          message: `Foreign key ${keys} on existing table ${table} is checked against every row while ${others.length ? `${table} and ${referenced} are` : `${table} is`} locked SHARE ROW EXCLUSIVE, blocking ${others.length ? 'their' : 'its'} writes until the scan ends.`,
          ...(fix ? { fix } : {}),
        });
      },
    };
  },
});
