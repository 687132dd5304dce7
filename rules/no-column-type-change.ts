import type { ColumnDef } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { alterCommands, quoteName, relationName, typeDisplay, typeInfo, unwrap } from '../src/sql/ast.js';
import { typeChange } from './support/types.js';

interface TypeChangeFinding {
  /** rewrite: certain; maybe: the old type is unknown; indexes: only the column's indexes are rebuilt. */
  outcome: 'rewrite' | 'maybe' | 'indexes';
  text: string;
}

/** Zone names whose offset is fixed at 0, which is what PostgreSQL 12+ checks. */
const UTC_ZONES = new Set(['utc', 'etc/utc', 'uct', 'etc/uct', 'gmt', 'etc/gmt', 'zulu', 'etc/zulu', 'z', '0']);

export default defineRule({
  meta: {
    id: 'no-column-type-change',
    risk: 'high',
    tags: ['rewrite', 'locking'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'ALTER COLUMN … TYPE that rewrites a table that existed before this migration.',
    rationale: [
      '`ALTER TABLE … ALTER COLUMN … TYPE` takes an `ACCESS EXCLUSIVE` lock and, unless the old type is ',
      'binary-coercible to the new one, rewrites every row into a new copy of the table and rebuilds every ',
      'index on it. The lock blocks every read, write and other DDL on the table, and it is held until the migration ',
      'commits: on a large table that is minutes to hours of downtime, and the rewrite needs as much free disk as the ',
      'table and its indexes. Queries start queueing as soon as the statement asks for the lock, even while it still ',
      'waits for running transactions to finish.\n\n',
      'No rewrite is needed when Postgres can prove the stored bytes stay valid: `varchar(n)` to a longer ',
      '`varchar` or to `text`, `text` to unlimited `varchar`, `numeric(p,s)` to a larger precision with the same ',
      'scale (or to plain `numeric`), `varbit(n)` to a longer `varbit`, `cidr` to `inet`, and raising the ',
      'precision of `timestamp`/`time`. pgwarden stays quiet for those when it knows the old type from earlier ',
      'migrations. Anything else rewrites, including `int` to `bigint`, shrinking a length, and changes to ',
      'array types. A `USING` clause is treated as a rewrite, since pgwarden does not evaluate it. A collation ',
      'change rebuilds the indexes on the column, and pgwarden cannot see the old collation, so it is treated as ',
      'a rewrite too.\n\n',
      '`timestamp` to `timestamptz` (or back) rewrites the table unless the session `TimeZone` is UTC on ',
      'PostgreSQL 12+; even then the indexes on the column are rebuilt under the lock.',
    ].join(''),
    help: 'Add a new column of the new type, dual-write and backfill it in batches, then switch reads and drop the old column.',
    badExample: 'ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;',
    safeRewrite: [
      '-- Migration 1 (one transaction): add the new column (catalog only) and keep it in sync on every write.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN quantity_new bigint;',
      'CREATE FUNCTION orders_sync_quantity() RETURNS trigger LANGUAGE plpgsql AS $$',
      'BEGIN NEW.quantity_new := NEW.quantity; RETURN NEW; END $$;',
      'CREATE TRIGGER orders_sync_quantity BEFORE INSERT OR UPDATE ON orders',
      '  FOR EACH ROW EXECUTE FUNCTION orders_sync_quantity();',
      '',
      '-- Backfill outside migrations, in a batch job: 5,000 rows per transaction, walking the primary key',
      '-- from min(id) to max(id), sleeping ~100 ms between batches so replicas and VACUUM keep up:',
      '--   UPDATE orders SET quantity_new = quantity',
      '--     WHERE id >= :start AND id < :start + 5000 AND quantity_new IS DISTINCT FROM quantity;',
      '',
      '-- Migration 2, a file of its own that runs outside a transaction:',
      '-- pgwarden:no-transaction',
      '-- Rebuild the old column\'s indexes on the new one without blocking writes (one statement per index).',
      '-- NOT NULL, CHECK and foreign keys are recreated the same way: NOT VALID first, VALIDATE in a later migration.',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_quantity_new_idx ON orders (quantity_new);',
      '',
      '-- Migration 3 (one short transaction): swap the names; code using "quantity" keeps working.',
      "SET lock_timeout = '2s';",
      'DROP TRIGGER orders_sync_quantity ON orders;',
      'DROP FUNCTION orders_sync_quantity();',
      '-- pgwarden-disable no-rename-column -- both renames commit together; "quantity" never goes missing',
      'ALTER TABLE orders RENAME COLUMN quantity TO quantity_old;',
      'ALTER TABLE orders RENAME COLUMN quantity_new TO quantity;',
      '',
      '-- Migration 4 (a later release, once nothing reads quantity_old; its indexes go with it):',
      "SET lock_timeout = '2s';",
      '-- pgwarden-disable-next-statement no-drop-column -- a stale copy since migration 3',
      'ALTER TABLE orders DROP COLUMN quantity_old;',
    ].join('\n'),
    versionNotes: [
      '- **PostgreSQL 12+**: `timestamp` ↔ `timestamptz` keeps the table files when the session `TimeZone` is UTC ',
      "(`SET TimeZone = 'UTC'` earlier in the migration), since the stored values do not change; the indexes on the ",
      'column are still rebuilt under the ACCESS EXCLUSIVE lock, so reads and writes wait for those builds. Before 12, ',
      'or in any other time zone, the table is rewritten.\n',
      '- **Every version**: the binary-coercible changes above skip the rewrite, and `int` → `bigint`, shrinking a ',
      'length, array element changes and anything with `USING` rewrite; no version widens an integer column in place.',
    ].join(''),
  },
  create(context) {
    return {
      AlterTableStmt(node, statement) {
        if (node.objtype !== 'OBJECT_TABLE' || context.state.schema.isCreatedHere(node.relation)) return;
        const table = context.state.schema.relation(node.relation);
        const timeZone = context.state.setting('timezone');
        const utc = context.postgresVersion >= 12 && timeZone !== undefined && UTC_ZONES.has(timeZone.toLowerCase());
        const changes: TypeChangeFinding[] = [];
        for (const cmd of alterCommands(node.cmds)) {
          const def = cmd.subtype === 'AT_AlterColumnType' ? unwrap<ColumnDef>(cmd.def, 'ColumnDef') : undefined;
          if (!def || !cmd.name) continue;
          const newType = typeInfo(def.typeName);
          const oldType = table?.columns.get(cmd.name)?.type;
          const change = `${relationName(node.relation)}.${quoteName(cmd.name)} ${oldType ? `from ${typeDisplay(oldType)} ` : ''}to ${typeDisplay(newType)}`;
          if (def.raw_default) changes.push({ outcome: 'rewrite', text: `${change} (USING)` });
          else if (def.collClause) changes.push({ outcome: 'rewrite', text: `${change} (COLLATE: indexes rebuilt)` });
          else if (!oldType) changes.push({ outcome: 'maybe', text: `${change} (current type unknown)` });
          else {
            const cost = typeChange(oldType, newType);
            if (cost === 'rewrite') changes.push({ outcome: 'rewrite', text: change });
            else if (cost === 'timestamp-time-zone' && utc) changes.push({ outcome: 'indexes', text: `${change} (UTC session: no table rewrite)` });
            else if (cost === 'timestamp-time-zone') changes.push({ outcome: 'rewrite', text: `${change} (session TimeZone not known to be UTC)` });
          }
        }
        if (!changes.length) return;
        const listed = changes.map((c) => c.text).join('; ');
        const outcomes = new Set(changes.map((c) => c.outcome));
        const effect = outcomes.has('rewrite')
          ? 'rewrites the table and its indexes'
          : outcomes.has('maybe')
            ? 'may rewrite the table and its indexes'
            : 'rebuilds the indexes on the column';
        context.report({
          statement,
          risk: outcomes.has('rewrite') || outcomes.has('maybe') ? 'high' : 'medium',
          message: `ALTER COLUMN TYPE ${effect} under an ACCESS EXCLUSIVE lock that blocks reads and writes: ${listed}.`,
        });
      },
    };
  },
});
