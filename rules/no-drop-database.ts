import { defineRule } from '../src/analysis/rule.js';
import { defElems, quoteName } from '../src/sql/ast.js';

export default defineRule({
  meta: {
    id: 'no-drop-database',
    risk: 'high',
    tags: ['data-loss'],
    summary: 'DROP DATABASE on a database this migration did not create.',
    rationale: [
      '`DROP DATABASE` removes the whole database directory: every schema, table, row and grant in it, with no ',
      'undo short of a restore. It cannot run inside a transaction block, so a migration runner that wraps the ',
      'file cannot roll it back either.\n\n',
      'It fails while anyone is connected to the target database; `WITH (FORCE)` (PostgreSQL 13+) terminates ',
      'those sessions first, cutting off every application connection without warning. Dropping databases is an ',
      'operations task, not a schema change.',
    ].join(''),
    help: 'Drop databases by hand as an operations task, after a backup; keep it out of migrations.',
    badExample: 'DROP DATABASE analytics_staging;',
    safeRewrite: [
      '-- Not in a migration (DROP DATABASE cannot run in a transaction, so nothing could roll it back).',
      '-- By hand, connected to another database (e.g. postgres), after a backup:',
      '--   pg_dump --format=custom --dbname=analytics_staging --file=analytics_staging.dump',
      '-- Refuse new connections, then check who is still connected:',
      'ALTER DATABASE analytics_staging WITH ALLOW_CONNECTIONS false;',
      "SELECT pid, usename, application_name FROM pg_stat_activity WHERE datname = 'analytics_staging';",
      '-- Once nothing should be using it (it fails while a session is connected):',
      'DROP DATABASE analytics_staging;',
    ].join('\n'),
    versionNotes: [
      '- **PostgreSQL 13+** accepts `DROP DATABASE … WITH (FORCE)`, which terminates the sessions connected to the ',
      'database before dropping it; before 13 the drop fails while anyone is connected.\n',
      '- **Every version**: `DROP DATABASE` cannot run inside a transaction block, and cannot drop the database the ',
      'session is connected to.',
    ].join(''),
  },
  create(context) {
    const createdHere = new Set<string>();
    return {
      CreatedbStmt(node) {
        if (node.dbname) createdHere.add(node.dbname);
      },
      DropdbStmt(node, statement) {
        if (!node.dbname || createdHere.has(node.dbname)) return;
        const force = defElems(node.options).some((option) => option.defname === 'force')
          ? ' WITH (FORCE) also terminates every session connected to it.'
          : '';
        context.report({
          statement,
          message: `DROP DATABASE ${quoteName(node.dbname)} deletes the whole database and every row in it, and cannot be rolled back.${force}`,
        });
      },
    };
  },
});
