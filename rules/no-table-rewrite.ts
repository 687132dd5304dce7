import type { DefElem, RangeVar, VacuumRelation } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { CURRENT } from '../src/analysis/schema.js';
import { alterCommands, defElems, relationName, stringValue, unwrap } from '../src/sql/ast.js';

/** ALTER TABLE subcommands that copy every row into new files. */
const REWRITING_COMMANDS: Record<string, (name: string | undefined) => string> = {
  AT_SetTableSpace: (name) => `SET TABLESPACE ${name ?? ''}`.trim(),
  AT_SetLogged: () => 'SET LOGGED',
  AT_SetUnLogged: () => 'SET UNLOGGED',
  AT_SetAccessMethod: (name) => `SET ACCESS METHOD ${name ?? 'DEFAULT'}`,
};

const LOCKED = 'under an ACCESS EXCLUSIVE lock that blocks reads and writes';

export default defineRule({
  meta: {
    id: 'no-table-rewrite',
    risk: 'high',
    tags: ['rewrite', 'locking'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'VACUUM FULL, CLUSTER, or ALTER TABLE … SET TABLESPACE / SET LOGGED / SET UNLOGGED / SET ACCESS METHOD on an existing table.',
    rationale: [
      'These statements copy the whole table into new files and rebuild all of its indexes, holding an ',
      '`ACCESS EXCLUSIVE` lock the entire time: no query can read or write the table until the copy is done, ',
      'which on a large table is minutes to hours, and the copy needs as much free disk as the table.\n\n',
      '- `VACUUM FULL` and `CLUSTER` rewrite to compact (and for `CLUSTER`, reorder) the table. Without a table ',
      'name, `VACUUM FULL` rewrites every table in the database and `CLUSTER` re-clusters every table that was ',
      'clustered before.\n',
      '- `SET TABLESPACE` copies the files to the new tablespace (`ALTER INDEX … SET TABLESPACE` copies the index ',
      'and blocks queries that plan with it; `ALTER TABLE ALL IN TABLESPACE` moves every table).\n',
      '- `SET LOGGED` writes the whole table to WAL; `SET UNLOGGED` rewrites it too.\n',
      '- `SET ACCESS METHOD` (PostgreSQL 15+) rewrites the table in the new format.\n\n',
      'Plain `VACUUM` and `ANALYZE` take only `SHARE UPDATE EXCLUSIVE` and are not reported.',
    ].join(''),
    help: 'Run these by hand in a maintenance window, or use an online tool such as pg_repack or pg_squeeze instead of VACUUM FULL / CLUSTER.',
    badExample: 'VACUUM FULL events;',
    safeRewrite: [
      '-- Not in a migration. From a shell, reclaim space online with pg_repack (its extension installed in the',
      '-- database): it copies the table while reads and writes continue and takes ACCESS EXCLUSIVE only briefly',
      '-- at the start and the end. --no-kill-backend makes it give up after --wait-timeout seconds instead of',
      '-- cancelling the queries that hold locks on the table:',
      '--   pg_repack --dbname=app --table=public.events --wait-timeout=30 --no-kill-backend',
      '',
      '-- Ordinary bloat control needs no rewrite: a plain VACUUM takes SHARE UPDATE EXCLUSIVE, so reads and',
      '-- writes continue. Like VACUUM FULL it cannot run in a transaction: a migration of its own, outside one.',
      '-- pgwarden:no-transaction',
      'VACUUM (ANALYZE) events;',
      '',
      '-- Tablespace, persistence and access-method changes: a maintenance window, or a copy of the table built',
      '-- alongside (kept in sync by a trigger, backfilled in batches of 5,000 rows) and swapped in by renaming',
      "-- both tables in one short transaction with SET lock_timeout = '2s'.",
    ].join('\n'),
    versionNotes: [
      '- **PostgreSQL 9.5+** has `SET LOGGED` / `SET UNLOGGED`; both rewrite the table.\n',
      '- **PostgreSQL 15+** has `SET ACCESS METHOD`, which rewrites the table into the new format (17+ also accepts ',
      '`DEFAULT` and partitioned tables, where it only changes the default for future partitions).\n',
      '- **PostgreSQL 19+** adds `REPACK`, which replaces `VACUUM FULL` and `CLUSTER` (both still work). Plain ',
      '`REPACK` takes the same ACCESS EXCLUSIVE lock for the whole rewrite; `REPACK (CONCURRENTLY)` copies the table ',
      'while reads and writes continue and needs the lock only to swap the files at the end.',
    ].join(''),
  },
  create(context) {
    const schema = context.state.schema;
    return {
      VacuumStmt(node, statement) {
        if (!node.is_vacuumcmd || !defElems(node.options).some((option) => option.defname === 'full' && isEnabled(option))) return;
        const relations = (node.rels ?? [])
          .map((rel) => unwrap<VacuumRelation>(rel, 'VacuumRelation')?.relation)
          .filter((relation): relation is RangeVar => !!relation);
        if (!relations.length) {
          context.report({ statement, message: `VACUUM FULL without a table rewrites every table in the database, each ${LOCKED}.` });
          return;
        }
        const names = relations.filter((relation) => !schema.isCreatedHere(relation)).map(relationName);
        if (names.length) context.report({ statement, message: `VACUUM FULL rewrites ${names.join(', ')} ${LOCKED}.` });
      },
      ClusterStmt(node, statement) {
        if (!node.relation) {
          context.report({ statement, message: `CLUSTER without a table rewrites every table clustered before, each ${LOCKED}.` });
        } else if (!schema.isCreatedHere(node.relation)) {
          context.report({ statement, message: `CLUSTER rewrites ${relationName(node.relation)} in index order ${LOCKED}.` });
        }
      },
      AlterTableStmt(node, statement) {
        if (!node.relation) return;
        const commands = alterCommands(node.cmds)
          .map((cmd) => REWRITING_COMMANDS[cmd.subtype ?? '']?.(cmd.name))
          .filter((command): command is string => !!command);
        if (!commands.length) return;
        const isIndex = node.objtype === 'OBJECT_INDEX';
        const createdHere = isIndex
          ? schema.index(node.relation.relname ?? '')?.createdBy === CURRENT
          : schema.isCreatedHere(node.relation);
        if (createdHere) return;
        const kind = isIndex ? 'index' : node.objtype === 'OBJECT_MATVIEW' ? 'materialized view' : 'table';
        context.report({
          statement,
          message: `${commands.join(', ')} rewrites ${kind} ${relationName(node.relation)} ${LOCKED}.`,
        });
      },
      AlterTableMoveAllStmt(node, statement) {
        const kind = node.objtype === 'OBJECT_INDEX' ? 'INDEX' : node.objtype === 'OBJECT_MATVIEW' ? 'MATERIALIZED VIEW' : 'TABLE';
        context.report({
          statement,
          message: `ALTER ${kind} ALL IN TABLESPACE ${node.orig_tablespacename ?? '?'} copies every ${kind.toLowerCase()} in it to ${node.new_tablespacename ?? '?'}, each ${LOCKED}.`,
        });
      },
    };
  },
});

/** A boolean option: `FULL`, `FULL true`, `FULL 1`, `FULL on` are on; `FULL false`, `FULL 0`, `FULL off` are off. */
function isEnabled(option: DefElem): boolean {
  if (!option.arg) return true;
  const integer = unwrap<{ ival?: number }>(option.arg, 'Integer');
  if (integer) return (integer.ival ?? 0) !== 0;
  const text = (stringValue(option.arg) ?? '').toLowerCase();
  return !['false', 'off', 'no', '0'].includes(text);
}
