import type { ColumnDef, Node, VariableSetStmt } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import type { Risk } from '../src/analysis/risk.js';
import { alterCommands, quoteName, relationName, typeDisplay, typeInfo, unwrap } from '../src/sql/ast.js';
import { typeChange } from './support/types.js';

/** Zone names whose offset is fixed at 0, which is what PostgreSQL 12+ checks. */
const UTC_ZONES = new Set(['utc', 'etc/utc', 'uct', 'etc/uct', 'gmt', 'etc/gmt', 'zulu', 'etc/zulu', 'z']);

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
      'index on it. Nothing can read or write the table until that finishes, and the rewrite needs as much free ',
      'disk as the table and its indexes.\n\n',
      'No rewrite is needed when Postgres can prove the stored bytes stay valid: `varchar(n)` to a longer ',
      '`varchar` or to `text`, `text` to unlimited `varchar`, `numeric(p,s)` to a larger precision with the same ',
      'scale (or to plain `numeric`), `varbit(n)` to a longer `varbit`, `cidr` to `inet`, and raising the ',
      'precision of `timestamp`/`time`. pgwarden stays quiet for those when it knows the old type from earlier ',
      'migrations. Anything else rewrites, including `int` to `bigint`, shrinking a length, any `USING` clause, ',
      'and array types. A collation change rebuilds the indexes on the column, and pgwarden cannot see the old ',
      'collation, so it is treated as a rewrite.\n\n',
      '`timestamp` to `timestamptz` (or back) rewrites the table unless the session `TimeZone` is UTC on ',
      'PostgreSQL 12+; even then the indexes on the column are rebuilt, because the two types sort with ',
      'different operator classes.',
    ].join(''),
    help: 'Add a new column of the new type, dual-write and backfill it in batches, then switch reads and drop the old column.',
    badExample: 'ALTER TABLE events ALTER COLUMN id TYPE bigint;',
    safeRewrite: [
      '-- Migration 1: add the new column (instant) and keep it in sync for new writes.',
      'ALTER TABLE events ADD COLUMN id_new bigint;',
      'CREATE FUNCTION events_sync_id() RETURNS trigger LANGUAGE plpgsql AS $$',
      'BEGIN NEW.id_new := NEW.id; RETURN NEW; END $$;',
      'CREATE TRIGGER events_sync_id BEFORE INSERT OR UPDATE ON events',
      '  FOR EACH ROW EXECUTE FUNCTION events_sync_id();',
      '-- Backfill outside the migration, 5000 rows per transaction, until no row is left:',
      '--   UPDATE events SET id_new = id WHERE id IN (SELECT id FROM events WHERE id_new IS NULL LIMIT 5000);',
      '-- Migration 2 (pgwarden:no-transaction): index the new column without blocking writes.',
      'CREATE UNIQUE INDEX CONCURRENTLY events_id_new_key ON events (id_new);',
      '-- Migration 3, after the application reads id_new: swap the names in one short transaction.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE events RENAME COLUMN id TO id_old;',
      'ALTER TABLE events RENAME COLUMN id_new TO id;',
      '-- Later: drop the trigger, the function and id_old once nothing uses them.',
    ].join('\n'),
  },
  create(context) {
    let utcSession: { local: boolean; transaction: number } | undefined;
    const isUtcSession = () =>
      !!utcSession && (!utcSession.local || utcSession.transaction === context.state.transactionId);

    return {
      VariableSetStmt(node) {
        if (node.kind === 'VAR_RESET_ALL') utcSession = undefined;
        if (node.name !== 'timezone') return;
        utcSession = isUtcSetting(node) ? { local: !!node.is_local, transaction: context.state.transactionId } : undefined;
      },
      AlterTableStmt(node, statement) {
        if (node.objtype !== 'OBJECT_TABLE' || context.state.schema.isCreatedHere(node.relation)) return;
        const table = context.state.schema.relation(node.relation);
        const problems: Array<{ risk: Risk; text: string }> = [];
        for (const cmd of alterCommands(node.cmds)) {
          const def = cmd.subtype === 'AT_AlterColumnType' ? unwrap<ColumnDef>(cmd.def, 'ColumnDef') : undefined;
          if (!def || !cmd.name) continue;
          const column = `${relationName(node.relation)}.${quoteName(cmd.name)}`;
          const newType = typeInfo(def.typeName);
          const oldType = table?.columns.get(cmd.name)?.type;
          const change = `${column} ${oldType ? `from ${typeDisplay(oldType)} ` : ''}to ${typeDisplay(newType)}`;
          if (def.raw_default) {
            problems.push({ risk: 'high', text: `${change} with USING rewrites the table` });
          } else if (def.collClause) {
            problems.push({ risk: 'high', text: `${change} with a COLLATE clause rebuilds its indexes and may rewrite the table` });
          } else if (!oldType) {
            problems.push({ risk: 'high', text: `${change} may rewrite the table (its current type is unknown)` });
          } else {
            const cost = typeChange(oldType, newType);
            if (cost === 'rewrite') problems.push({ risk: 'high', text: `${change} rewrites the table` });
            else if (cost === 'timestamp-time-zone') problems.push(timeZoneChange(change, context.postgresVersion >= 12 && isUtcSession()));
          }
        }
        if (!problems.length) return;
        const risk: Risk = problems.some((p) => p.risk === 'high') ? 'high' : 'medium';
        context.report({
          statement,
          risk,
          message: `ALTER COLUMN TYPE ${problems.map((p) => p.text).join('; ')}, holding an ACCESS EXCLUSIVE lock that blocks reads and writes.`,
        });
      },
    };
  },
});

function timeZoneChange(change: string, utc: boolean): { risk: Risk; text: string } {
  return utc
    ? { risk: 'medium', text: `${change} skips the rewrite in a UTC session but rebuilds the indexes on the column` }
    : { risk: 'high', text: `${change} rewrites the table unless the session TimeZone is UTC (PostgreSQL 12+)` };
}

/** `SET TIME ZONE 'UTC'`, `SET timezone = 'Etc/UTC'`, `SET TIME ZONE 0`. */
function isUtcSetting(node: VariableSetStmt): boolean {
  if (node.kind !== 'VAR_SET_VALUE') return false;
  const value: Node | undefined = node.args?.[0];
  const constant = unwrap<{ sval?: { sval?: string }; ival?: { ival?: number } }>(value, 'A_Const');
  if (constant?.sval) return UTC_ZONES.has((constant.sval.sval ?? '').toLowerCase());
  return !!constant?.ival && !constant.ival.ival;
}
