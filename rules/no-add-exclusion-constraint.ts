import type { Constraint } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { alterCommands, quoteName, relationName, unwrap } from '../src/sql/ast.js';

export default defineRule({
  meta: {
    id: 'no-add-exclusion-constraint',
    risk: 'high',
    tags: ['locking', 'index', 'constraint'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'ALTER TABLE … ADD CONSTRAINT … EXCLUDE on a table that existed before this migration.',
    rationale: [
      'Adding an exclusion constraint builds its index (usually GiST) inside the `ALTER TABLE`, and the whole build',
      'runs under an `ACCESS EXCLUSIVE` lock on the table (plus `SHARE` for the build): no query can read or write',
      'the table until every row has been indexed and checked against every other. GiST builds are slower than',
      'B-tree ones, so on a large table this is minutes of outage.',
      '',
      'None of the usual escapes exist for exclusion constraints. `NOT VALID` is refused (`EXCLUDE constraints',
      'cannot be marked NOT VALID`), and `ADD CONSTRAINT … USING INDEX` only adopts indexes for `UNIQUE` and',
      '`PRIMARY KEY`, so the index cannot be built `CONCURRENTLY` beforehand and attached.',
      '',
      'What remains: when every operator is `=`, the constraint is a unique constraint and can be built online',
      'that way. Otherwise, enforce the rule for new rows with a trigger or in the application while',
      'checking the old ones in batches, and add the constraint in a maintenance window; or build a copy of the',
      'table with the constraint, fill it in batches and swap the names in one short transaction.',
    ].join('\n'),
    help: 'Add it in a maintenance window with lock_timeout set, or build a copy of the table with the constraint and swap; with only = operators, use CREATE UNIQUE INDEX CONCURRENTLY and ADD CONSTRAINT … UNIQUE USING INDEX.',
    badExample: [
      'ALTER TABLE room_bookings ADD CONSTRAINT room_bookings_no_overlap',
      '  EXCLUDE USING gist (room_id WITH =, during WITH &&);',
    ].join('\n'),
    safeRewrite: [
      '-- There is no online way to add an exclusion constraint to a large table. Either accept a',
      '-- short maintenance window, measured on a copy of production first:',
      "SET LOCAL lock_timeout = '2s';          -- do not queue behind running queries",
      "SET LOCAL statement_timeout = '10min';  -- give up instead of blocking for longer",
      'ALTER TABLE room_bookings ADD CONSTRAINT room_bookings_no_overlap',
      '  EXCLUDE USING gist (room_id WITH =, during WITH &&);',
      '',
      '-- or move the data to a table that has the constraint from the start:',
      '-- Migration 1: CREATE TABLE room_bookings_new (LIKE room_bookings INCLUDING ALL,',
      '--   CONSTRAINT room_bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&));',
      '--   plus a trigger on room_bookings that copies every INSERT/UPDATE/DELETE to room_bookings_new.',
      '-- Job, outside any migration transaction: copy existing rows in batches of 5,000 rows per',
      '--   transaction (INSERT … SELECT … WHERE id > $last ORDER BY id LIMIT 5000 ON CONFLICT (id) DO NOTHING);',
      '--   a batch holding rows that violate the constraint fails: fix those rows and resume.',
      '-- Migration 2, one short transaction: LOCK both tables, rename room_bookings to room_bookings_old',
      '--   and room_bookings_new to room_bookings, drop the trigger.',
    ].join('\n'),
  },
  create(context) {
    return {
      AlterTableStmt(node, statement) {
        if (node.objtype !== 'OBJECT_TABLE' || context.state.schema.isCreatedHere(node.relation)) return;
        const added = alterCommands(node.cmds)
          .filter((cmd) => cmd.subtype === 'AT_AddConstraint')
          .map((cmd) => unwrap<Constraint>(cmd.def, 'Constraint'))
          .filter((constraint): constraint is Constraint => constraint?.contype === 'CONSTR_EXCLUSION');
        if (!added.length) return;
        const names = added.map((constraint) => (constraint.conname ? ` ${quoteName(constraint.conname)}` : '')).join(',');
        const table = relationName(node.relation);
        context.report({
          statement,
          message:
            `Exclusion constraint${names} on existing table ${table} builds its index while ${table} is locked ACCESS EXCLUSIVE, ` +
            'blocking reads and writes for the whole build; it cannot be added NOT VALID or from an index built beforehand.',
        });
      },
    };
  },
});
