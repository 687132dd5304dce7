import type { AlterTableStmt, ColumnDef, Constraint } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { alterCommands, columnConstraints, relationName, stringList, unwrap } from '../src/sql/ast.js';

const PRIMARY_KEY_HELP =
  'Make the columns NOT NULL without a long lock first (CHECK (col IS NOT NULL) NOT VALID, VALIDATE, then SET NOT NULL on PostgreSQL 12+), build the index with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … PRIMARY KEY USING INDEX.';

interface Added {
  kind: 'UNIQUE' | 'PRIMARY KEY';
  label: string;
}

function added(constraint: Constraint, column?: string): Added | undefined {
  if (constraint.indexname) return undefined;
  const kind = constraint.contype === 'CONSTR_UNIQUE' ? 'UNIQUE' : constraint.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : undefined;
  if (!kind) return undefined;
  const columns = column ? [column] : stringList(constraint.keys);
  const label = `${constraint.conname ? `${constraint.conname} ` : ''}${kind} (${columns.join(', ')})`;
  return { kind, label };
}

export default defineRule({
  meta: {
    id: 'require-unique-using-index',
    risk: 'medium',
    tags: ['locking', 'index', 'constraint'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'A UNIQUE or PRIMARY KEY constraint added to an existing table by building its index under ACCESS EXCLUSIVE.',
    rationale: [
      '`ALTER TABLE … ADD CONSTRAINT … UNIQUE` or `PRIMARY KEY` (and `ADD COLUMN … UNIQUE`) builds the backing unique ',
      'index inside the ALTER TABLE, holding an ACCESS EXCLUSIVE lock on the table for the whole build: no query can ',
      'read or write the table until the index is complete, which takes minutes on a large table. A PRIMARY KEY also ',
      'sets its columns NOT NULL, which scans the table under the same lock when they are nullable.',
      '',
      'Postgres has no `NOT VALID` for unique constraints. Instead, build the index first with ',
      '`CREATE UNIQUE INDEX CONCURRENTLY` (no read or write blocking), then attach it with ',
      '`ADD CONSTRAINT … UNIQUE USING INDEX` or `PRIMARY KEY USING INDEX`, which only renames the index into a ',
      'constraint under a brief ACCESS EXCLUSIVE lock. (USING INDEX is not available on partitioned tables.)',
    ].join('\n'),
    help: 'Build the index with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … UNIQUE USING INDEX (a brief lock, no build).',
    badExample: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
    safeRewrite: [
      '-- Migration 1, outside a transaction: build the index without blocking reads or writes.',
      '-- pgwarden:no-transaction',
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON users (email);',
      '',
      '-- Migration 2: turn the finished index into the constraint (catalog change only).',
      "SET lock_timeout = '2s';",
      'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;',
      '',
      '-- For a PRIMARY KEY, build the index the same way (CREATE UNIQUE INDEX CONCURRENTLY users_id_key',
      '-- ON users (id)), and make the columns NOT NULL before attaching it, or Postgres scans the table:',
      '--   ALTER TABLE users ADD CONSTRAINT users_id_not_null CHECK (id IS NOT NULL) NOT VALID;',
      '--   ALTER TABLE users VALIDATE CONSTRAINT users_id_not_null;   -- a later transaction',
      '--   ALTER TABLE users ALTER COLUMN id SET NOT NULL;             -- PG 12+: uses the CHECK, no scan',
      '--   ALTER TABLE users DROP CONSTRAINT users_id_not_null;',
      '--   ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_key;',
    ].join('\n'),
  },
  create(context) {
    return {
      AlterTableStmt(node: AlterTableStmt, statement) {
        if (context.state.schema.isCreatedHere(node.relation)) return;
        const found: Added[] = [];
        for (const cmd of alterCommands(node.cmds)) {
          const constraint = cmd.subtype === 'AT_AddConstraint' ? unwrap<Constraint>(cmd.def, 'Constraint') : undefined;
          const fromTable = constraint ? added(constraint) : undefined;
          if (fromTable) found.push(fromTable);
          const column = cmd.subtype === 'AT_AddColumn' ? unwrap<ColumnDef>(cmd.def, 'ColumnDef') : undefined;
          for (const c of columnConstraints(column)) {
            const fromColumn = added(c, column?.colname);
            if (fromColumn) found.push(fromColumn);
          }
        }
        if (!found.length) return;
        const table = relationName(node.relation);
        const primary = found.some((f) => f.kind === 'PRIMARY KEY');
        context.report({
          statement,
          message: `${found.map((f) => f.label).join(', ')} on existing table ${table} ${found.length > 1 ? 'build their unique indexes' : 'builds its unique index'} while ${table} is locked ACCESS EXCLUSIVE, blocking reads and writes for the whole build.`,
          ...(primary ? { help: PRIMARY_KEY_HELP } : {}),
        });
      },
    };
  },
});
