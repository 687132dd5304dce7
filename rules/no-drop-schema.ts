import { defineRule } from '../src/analysis/rule.js';
import { quoteName, stringList } from '../src/sql/ast.js';

export default defineRule({
  meta: {
    id: 'no-drop-schema',
    risk: 'high',
    tags: ['data-loss'],
    summary: 'DROP SCHEMA on a schema this migration did not create.',
    rationale: [
      '`DROP SCHEMA name` (RESTRICT, the default) only succeeds when the schema is empty, but an empty schema is ',
      'still a namespace the application or its `search_path` may rely on.\n\n',
      '`DROP SCHEMA … CASCADE` drops every object in the schema in one statement: tables with all their rows, ',
      'views, sequences, functions, types, and anything elsewhere that depends on them (views and foreign keys in ',
      'other schemas). It takes an `ACCESS EXCLUSIVE` lock on every table it drops, so it also waits for, and then ',
      'blocks, all traffic on them. Nothing short of a restore brings the data back.',
    ].join(''),
    help: 'Move or drop the objects you mean to remove one by one, after a backup; drop the schema only once it is empty, without CASCADE.',
    badExample: 'DROP SCHEMA reporting CASCADE;',
    safeRewrite: [
      '-- Outside migrations, by hand: list what the schema still holds, and back it up.',
      "--   SELECT relname, relkind FROM pg_class WHERE relnamespace = 'reporting'::regnamespace;",
      '--   pg_dump --schema=reporting --format=custom --file=reporting.dump "$DATABASE_URL"',
      '-- Deploy 1 (application): stop using every object in the schema.',
      '',
      '-- Migration (one transaction, a later release): drop the objects by name, so the review shows',
      '-- exactly what goes; lock_timeout keeps a blocked DROP from queueing traffic on those tables.',
      "SET lock_timeout = '2s';",
      '-- pgwarden-disable no-drop-table, no-drop-schema -- reporting retired in release 41, dump in reporting.dump',
      'DROP VIEW reporting.daily_totals;',
      'DROP TABLE reporting.daily_rollup;',
      '-- RESTRICT (the default) fails if anything was missed instead of silently dropping it.',
      'DROP SCHEMA reporting;',
    ].join('\n'),
  },
  create(context) {
    const createdHere = new Set<string>();
    return {
      CreateSchemaStmt(node) {
        // CREATE SCHEMA AUTHORIZATION joe names the schema after the role.
        const name = node.schemaname ?? node.authrole?.rolename;
        if (name && !node.if_not_exists) createdHere.add(name);
      },
      DropStmt(node, statement) {
        if (node.removeType !== 'OBJECT_SCHEMA') return;
        const names = stringList(node.objects).filter((name) => name && !createdHere.has(name));
        if (!names.length) return;
        const listed = names.map(quoteName).join(', ');
        const plural = names.length > 1;
        const message =
          node.behavior === 'DROP_CASCADE'
            ? `DROP SCHEMA ${listed} CASCADE drops every object in ${plural ? 'them' : 'it'}: all tables with their rows, views, functions and types, and whatever depends on them.`
            : `DROP SCHEMA ${listed} removes ${plural ? 'namespaces' : 'a namespace'} this migration did not create; it fails unless ${plural ? 'they are' : 'it is'} empty.`;
        context.report({ statement, message, ...(node.behavior === 'DROP_CASCADE' ? { lock: 'ACCESS EXCLUSIVE' as const } : {}) });
      },
    };
  },
});
