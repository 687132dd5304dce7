import type { ColumnDef } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { relationKey } from '../src/analysis/schema.js';
import { alterCommands, quoteName, relationName, unwrap } from '../src/sql/ast.js';

export default defineRule({
  meta: {
    id: 'no-drop-column',
    risk: 'high',
    tags: ['data-loss', 'compatibility', 'locking'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'ALTER TABLE … DROP COLUMN on a table that existed before this migration.',
    rationale: [
      'Dropping a column deletes its data for good: Postgres only marks the column dropped in the catalog, ',
      'but nothing can read the values again and the space is reclaimed by the next rewrite. The indexes, ',
      'constraints and statistics on the column go with it, and `CASCADE` also drops the views and foreign keys ',
      'that use it.\n\n',
      'The statement itself is quick, but it needs an `ACCESS EXCLUSIVE` lock on the table: while it waits behind a ',
      'long-running query, every later read and write of the table queues behind it.\n\n',
      'The bigger outage is in the application. Code that still names the column (`SELECT col`, `INSERT … (col)`) ',
      'fails as soon as the migration commits, and ORMs that cache the column list at boot (Rails, Hibernate, ',
      'Django with `SELECT *`-style models) keep sending it. In a rolling deploy, the old instances still running ',
      'are exactly that code.',
    ].join(''),
    help: 'Ship application code that no longer reads or writes the column first; drop it in a later migration.',
    badExample: 'ALTER TABLE users DROP COLUMN legacy_score;',
    safeRewrite: [
      '-- Deploy 1 (application): stop reading and writing users.legacy_score and make the ORM ignore it',
      '-- (Rails: self.ignored_columns += ["legacy_score"]). Ship it and let every old instance drain.',
      '-- Take a backup if the values might be needed: COPY users (id, legacy_score) TO …',
      '-- Migration in a later release (one transaction), with a short lock wait so a blocked DROP does',
      '-- not queue traffic, and the reason the loss is accepted next to it:',
      "SET lock_timeout = '2s';",
      '-- pgwarden-disable-next-statement no-drop-column -- ignored by the ORM since release 41, values backed up',
      'ALTER TABLE users DROP COLUMN IF EXISTS legacy_score;',
      '-- Deploy 2 (application): remove the ignored_columns entry.',
    ].join('\n'),
  },
  create(context) {
    // Columns this migration added: dropping them loses nothing anyone relied on.
    const addedHere = new Set<string>();
    return {
      AlterTableStmt(node, statement) {
        if (node.objtype !== 'OBJECT_TABLE' || !node.relation) return;
        const table = relationKey(node.relation);
        const commands = alterCommands(node.cmds);
        const createdHere = context.state.schema.isCreatedHere(node.relation);
        const dropped = commands
          .filter((cmd) => cmd.subtype === 'AT_DropColumn' && cmd.name && !addedHere.has(`${table}.${cmd.name}`))
          .map((cmd) => ({ name: cmd.name!, cascade: cmd.behavior === 'DROP_CASCADE' }));
        for (const cmd of commands) {
          const column = cmd.subtype === 'AT_AddColumn' ? unwrap<ColumnDef>(cmd.def, 'ColumnDef') : undefined;
          if (column?.colname) addedHere.add(`${table}.${column.colname}`);
        }
        if (createdHere || !dropped.length) return;
        const names = dropped.map((column) => `${relationName(node.relation)}.${quoteName(column.name)}`);
        const them = names.length > 1 ? 'them' : 'it';
        const cascade = dropped.some((column) => column.cascade) ? ` CASCADE also drops the views and constraints that use ${them}.` : '';
        context.report({
          statement,
          message: `DROP COLUMN ${names.join(', ')} deletes the column data under an ACCESS EXCLUSIVE lock, and code still using ${them} fails.${cascade}`,
        });
      },
    };
  },
});
