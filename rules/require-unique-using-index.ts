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
      '-- Migration 1, a migration of its own run outside a transaction: build the index without',
      '-- blocking reads or writes. If it fails (a duplicate, a deadlock) it leaves an INVALID index:',
      '-- remove the duplicates, DROP INDEX CONCURRENTLY it, and run again.',
      '-- pgwarden:no-transaction',
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON users (email);',
      '',
      '-- Migration 2 (one transaction): turn the finished index into the constraint (catalog change only).',
      "SET lock_timeout = '2s';",
      'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;',
      '',
      '-- For a PRIMARY KEY, build users_id_key the same way, then make the column NOT NULL before',
      '-- attaching it, or Postgres scans the table under the ACCESS EXCLUSIVE lock:',
      '-- Migration A (one transaction):',
      "--   SET lock_timeout = '2s';",
      '--   ALTER TABLE users ADD CONSTRAINT users_id_not_null CHECK (id IS NOT NULL) NOT VALID;',
      '-- Migration B (a later transaction):',
      '--   ALTER TABLE users VALIDATE CONSTRAINT users_id_not_null;',
      '-- Migration C (one transaction; PostgreSQL 12+ uses the validated CHECK and skips the scan):',
      "--   SET lock_timeout = '2s';",
      '--   ALTER TABLE users ALTER COLUMN id SET NOT NULL;',
      '--   ALTER TABLE users DROP CONSTRAINT users_id_not_null;',
      '--   ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_key;',
    ].join('\n'),
    versionNotes: [
      '- **PostgreSQL 12+** is needed for the PRIMARY KEY path: `SET NOT NULL` skips its scan only when a validated ',
      '`CHECK (col IS NOT NULL)` proves it. On 11 and older a nullable column makes the PRIMARY KEY scan the table ',
      'under ACCESS EXCLUSIVE whatever you do: attach it at a quiet time.\n',
      '- **PostgreSQL 18+** can add the `NOT NULL` itself `NOT VALID` and validate it in a later transaction, instead ',
      'of the CHECK steps.\n',
      '- **Partitioned tables** refuse `USING INDEX`. Build the constraint per partition instead: ',
      '`ALTER TABLE ONLY events ADD CONSTRAINT events_key UNIQUE (…)` (instant, its index starts invalid), then for ',
      'each partition `CREATE UNIQUE INDEX CONCURRENTLY`, `ADD CONSTRAINT … UNIQUE USING INDEX` on the partition, and ',
      '`ALTER INDEX events_key ATTACH PARTITION …`.',
    ].join(''),
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
