import type { ColumnDef, Constraint, RangeVar } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { PREEXISTING, relationKey } from '../src/analysis/schema.js';
import type { Statement } from '../src/sql/parser.js';
import { alterCommands, columnConstraints, quoteName, relationName, stringList, unwrap } from '../src/sql/ast.js';

interface AddedKey {
  statement: Statement;
  relation: RangeVar;
  columns: string[];
  referenced: string;
}

/** An index whose leading columns are exactly the key's columns, in any order, serves the key. */
function covers(indexColumns: readonly string[], key: readonly string[]): boolean {
  const leading = new Set(indexColumns.slice(0, key.length));
  return key.length > 0 && key.every((column) => leading.has(column));
}

export default defineRule({
  meta: {
    id: 'require-foreign-key-index',
    risk: 'low',
    tags: ['index', 'locking'],
    summary: 'A foreign key whose referencing columns no index covers.',
    rationale: [
      'PostgreSQL indexes the referenced side of a foreign key (it must be a primary key or unique), but not ',
      'the referencing side. Without an index whose leading columns are the key columns, every `DELETE` on the ',
      'referenced table, and every update of its key, scans the whole referencing table to find dependent rows, ',
      'while holding its row locks; `ON DELETE CASCADE` turns one delete into one sequential scan per row. Joins ',
      'from parent to children cannot use an index either. The cost grows with the referencing table, so it tends ',
      'to appear months after the migration, as lock waits on the parent. (Adding the key itself takes SHARE ROW ',
      'EXCLUSIVE on both tables while it checks the rows; `require-not-valid-foreign-key` covers that.)\n\n',
      'pgwarden checks at the end of the migration, against every index and primary key, unique and exclusion ',
      'constraint it knows for the table: created in this migration or in earlier ones it replayed. It stays quiet ',
      'for tables whose indexes it cannot see (created before the first migration it read), and for partial ',
      'indexes, which do not serve every lookup.',
    ].join(''),
    help: 'Index the referencing columns: CREATE INDEX CONCURRENTLY on an existing table, a plain CREATE INDEX in the migration that creates it.',
    badExample: [
      'CREATE TABLE order_lines (',
      '  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,',
      '  order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,',
      '  quantity integer NOT NULL',
      ');',
    ].join('\n'),
    safeRewrite: [
      '-- In the migration that creates the table, index the key at once (the table is empty: no lock issue;',
      '-- the REFERENCES clause briefly takes SHARE ROW EXCLUSIVE on orders, hence the lock_timeout).',
      "SET lock_timeout = '2s';",
      'CREATE TABLE order_lines (',
      '  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,',
      '  order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,',
      '  quantity integer NOT NULL',
      ');',
      'CREATE INDEX order_lines_order_id_idx ON order_lines (order_id);',
      '',
      '-- For a key added to an existing table (payments.order_id → orders):',
      '-- Migration 1, a migration of its own run outside a transaction: build the index without',
      '-- blocking writes.',
      '-- pgwarden:no-transaction',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS payments_order_id_idx ON payments (order_id);',
      '',
      '-- Migration 2 (one transaction): add the key without checking old rows; a brief lock on both tables.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE payments ADD CONSTRAINT payments_order_id_fkey',
      '  FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID;',
      '',
      '-- Migration 3 (a later transaction): check the old rows; reads and writes continue.',
      'ALTER TABLE payments VALIDATE CONSTRAINT payments_order_id_fkey;',
    ].join('\n'),
  },
  create(context) {
    const added: AddedKey[] = [];
    const record = (statement: Statement, relation: RangeVar | undefined, constraint: Constraint, column?: string) => {
      if (constraint.contype !== 'CONSTR_FOREIGN' || !relation) return;
      const columns = column ? [column] : stringList(constraint.fk_attrs);
      if (columns.length) added.push({ statement, relation, columns, referenced: relationName(constraint.pktable) });
    };
    return {
      CreateStmt(node, statement) {
        for (const element of node.tableElts ?? []) {
          const column = unwrap<ColumnDef>(element, 'ColumnDef');
          for (const constraint of columnConstraints(column)) record(statement, node.relation, constraint, column?.colname);
          const constraint = unwrap<Constraint>(element, 'Constraint');
          if (constraint) record(statement, node.relation, constraint);
        }
      },
      AlterTableStmt(node, statement) {
        for (const cmd of alterCommands(node.cmds)) {
          if (cmd.subtype === 'AT_AddConstraint') {
            const constraint = unwrap<Constraint>(cmd.def, 'Constraint');
            if (constraint) record(statement, node.relation, constraint);
          } else if (cmd.subtype === 'AT_AddColumn') {
            const column = unwrap<ColumnDef>(cmd.def, 'ColumnDef');
            for (const constraint of columnConstraints(column)) record(statement, node.relation, constraint, column?.colname);
          }
        }
      },
      end() {
        // A rollback restores an earlier schema; index advice belongs to the migration going forward.
        if (context.migration?.direction === 'down') return;
        const schema = context.state.schema;
        for (const key of added) {
          const table = schema.relation(key.relation);
          if (!table || table.createdBy === PREEXISTING) continue;
          const stillThere = key.columns.every((column) => table.columns.has(column));
          if (!stillThere || schema.keysOf(relationKey(key.relation)).some((index) => covers(index, key.columns))) continue;
          const columns = key.columns.map(quoteName).join(', ');
          context.report({
            statement: key.statement,
            message:
              `No index covers the foreign key ${relationName(key.relation)} (${columns}) → ${key.referenced}: ` +
              `every DELETE on ${key.referenced}, or update of its key, scans ${relationName(key.relation)}.`,
          });
        }
      },
    };
  },
});
