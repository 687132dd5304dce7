import { defineRule } from '../src/analysis/rule.js';

export default defineRule({
  meta: {
    id: 'require-rollback',
    risk: 'medium',
    tags: ['rollback', 'process'],
    summary: 'An up migration whose layout expects a rollback, but whose down part is missing or empty.',
    rationale: [
      'When a deploy goes wrong the fastest safe exit is to roll the schema back with the down migration written ',
      'next to the up one, while the author still knows what the change did. Without it the rollback is improvised ',
      'under pressure, in production, and `pgwarden down` has nothing to run.',
      '',
      'The rule applies to layouts that pair up and down parts (paired files, directory pairs, sections, a rollback ',
      'folder, Flyway undo files), and to the others when `migrations.rollback` is `required`. An empty down part ',
      'counts as missing. If a change truly cannot be reversed (it drops data), say so in the down part with a comment ',
      'and a statement that fails loudly, so the rollback is a decision rather than an omission.',
    ].join('\n'),
    help: 'Write the down migration that reverses this one; for an irreversible change, make the down part fail explicitly and explain why.',
    badExample: ['-- 0042_add_order_note.up.sql, with no 0042_add_order_note.down.sql', 'ALTER TABLE orders ADD COLUMN note text;'].join('\n'),
    safeRewrite: [
      '-- 0042_add_order_note.up.sql',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN note text;',
      '',
      '-- 0042_add_order_note.down.sql',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders DROP COLUMN IF EXISTS note;',
      '',
      '-- For an irreversible change, a down part that refuses to run:',
      "--   DO $$ BEGIN RAISE EXCEPTION '0043 dropped legacy_orders; restore it from the backup instead'; END $$;",
    ].join('\n'),
  },
  create(context) {
    return {
      end() {
        const migration = context.migration;
        if (!migration || migration.direction !== 'up' || !migration.rollbackExpected) return;
        if (migration.rollback !== null && !migration.rollbackEmpty) return;
        const first = context.statements.find((s) => !s.parent);
        if (!first) return;
        const problem = migration.rollback === null ? 'has no down migration' : `has an empty down migration (${migration.rollback})`;
        const declared = context.header.rollbackAvailable;
        const header =
          declared === true
            ? ', although its header declares Rollback Available: YES'
            : declared === false
              ? ' (its header declares Rollback Available: NO)'
              : '';
        context.report({ statement: first, message: `Migration ${migration.id} ${problem}${header}.` });
      },
    };
  },
});
