import type { RenameStmt } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { relationName } from '../src/sql/ast.js';

export default defineRule({
  meta: {
    id: 'no-rename-column',
    risk: 'medium',
    tags: ['compatibility', 'locking'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'RENAME COLUMN on a table or view that existed before this migration.',
    rationale: [
      'Renaming a column is instant for Postgres (indexes, constraints and views follow it, since they refer to the ',
      'column by number), but every client that names the column breaks the moment the migration commits: ',
      'application queries, ORM mappings, reports, PL/pgSQL function bodies (stored as text and resolved at run time) ',
      'and logical replication subscribers. In a rolling deploy the old application version is still running and ',
      'still uses the old name, and the new version cannot start before the migration has run, so one of them is ',
      'always broken.',
      '',
      'The statement also needs an ACCESS EXCLUSIVE lock on the table; while it waits for running queries to finish, ',
      'every new query on the table queues behind it.',
      '',
      'Rename in expand/contract steps instead: add the new column and keep both in sync, move readers and writers to ',
      'the new name, then drop the old column in a later release.',
    ].join('\n'),
    help: 'Add the new column, keep both in sync (trigger or dual writes), move the application over, then drop the old column in a later migration.',
    badExample: 'ALTER TABLE orders RENAME COLUMN total TO amount_cents;',
    safeRewrite: [
      '-- Migration 1 (expand, one transaction): the new column, kept in sync while old and new code',
      '-- run side by side. Each statement takes its lock for milliseconds.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN amount_cents bigint;',
      'CREATE FUNCTION orders_sync_amount() RETURNS trigger LANGUAGE plpgsql AS $$',
      'BEGIN',
      "  IF TG_OP = 'INSERT' THEN",
      '    NEW.amount_cents := COALESCE(NEW.amount_cents, NEW.total);',
      '    NEW.total := COALESCE(NEW.total, NEW.amount_cents);',
      '  ELSIF NEW.total IS DISTINCT FROM OLD.total THEN',
      '    NEW.amount_cents := NEW.total;',
      '  ELSIF NEW.amount_cents IS DISTINCT FROM OLD.amount_cents THEN',
      '    NEW.total := NEW.amount_cents;',
      '  END IF;',
      '  RETURN NEW;',
      'END $$;',
      'CREATE TRIGGER orders_sync_amount BEFORE INSERT OR UPDATE ON orders',
      '  FOR EACH ROW EXECUTE FUNCTION orders_sync_amount();',
      '',
      '-- Backfill outside migrations, in a batch job: 5,000 rows per transaction, walking the primary key',
      '-- from min(id) to max(id), sleeping ~100 ms between batches so replicas and VACUUM keep up:',
      '--   UPDATE orders SET amount_cents = total',
      '--     WHERE id >= :start AND id < :start + 5000 AND amount_cents IS DISTINCT FROM total;',
      '-- Recreate what the old column had on the new one: indexes with CREATE INDEX CONCURRENTLY',
      '-- (a -- pgwarden:no-transaction migration), NOT NULL and foreign keys via NOT VALID + VALIDATE.',
      '',
      '-- Deploy: the application reads and writes amount_cents only.',
      '',
      '-- Migration 2 (contract, one transaction, a later release): nothing uses total any more.',
      "SET lock_timeout = '2s';",
      'DROP TRIGGER orders_sync_amount ON orders;',
      'DROP FUNCTION orders_sync_amount();',
      '-- pgwarden-disable-next-statement no-drop-column -- replaced by amount_cents, kept in sync until now',
      'ALTER TABLE orders DROP COLUMN total;',
    ].join('\n'),
  },
  create(context) {
    return {
      RenameStmt(node: RenameStmt, statement) {
        if (node.renameType !== 'OBJECT_COLUMN') return;
        if (context.state.schema.isCreatedHere(node.relation)) return;
        const table = relationName(node.relation);
        const kind = node.relationType === 'OBJECT_VIEW' || node.relationType === 'OBJECT_MATVIEW' ? 'view' : 'table';
        context.report({
          statement,
          message: `Renaming column ${table}.${node.subname ?? '?'} to ${node.newname ?? '?'} on existing ${kind} ${table} breaks every client that still uses the old name as soon as the migration commits.`,
        });
      },
    };
  },
});
