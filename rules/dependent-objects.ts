import type { RangeVar } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { relationKey, type RoutineModel } from '../src/analysis/schema.js';
import type { Statement } from '../src/sql/parser.js';
import { alterCommands, dropTargets, quoteName, relationName } from '../src/sql/ast.js';

/** A routine whose body named an object that a statement removed or renamed. */
interface Orphaned {
  statement: Statement;
  routine: string;
  /** The relation (and column) as the body names it. */
  table: string;
  column?: string;
  change: string;
}

const RELATION_DROPS = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE']);
const RELATION_RENAMES = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE']);

function list(names: readonly string[]): string {
  return names.map((name) => quoteName(name)).join(', ');
}

export default defineRule({
  meta: {
    id: 'dependent-objects',
    risk: 'high',
    tags: ['compatibility', 'data-loss'],
    summary: 'Dropping, retyping or renaming a table or column that views or functions depend on.',
    rationale: [
      'Views are bound to the tables and columns they read when they are created. PostgreSQL therefore ',
      'refuses to drop a table or column a view reads ("cannot drop … because other objects depend on it"), ',
      'and refuses to change the type of a column a view uses, so the migration fails at run time; with ',
      '`CASCADE` the drop succeeds and silently drops the views too, breaking every query that reads them. ',
      'Renames are safe for views (they follow the object), but not for functions, procedures and trigger ',
      'functions: their bodies are stored as text and resolved when they run, so a body that names a dropped ',
      'or renamed table or column fails at call time, and a trigger function failing makes every write to its ',
      'table fail. (The statements themselves take an ACCESS EXCLUSIVE lock on the table; `no-drop-table`, ',
      '`no-drop-column` and `no-column-type-change` cover that.)\n\n',
      'pgwarden knows the views and functions created by the migrations it replayed before this one (and ',
      'earlier in this one). View dependencies are read from the view query (a column is attributed to every ',
      'table the view reads that has a column of that name; `*` stands for the columns the table had when the ',
      'view was created). Function bodies are searched for the name as a whole word; a function redefined, or a ',
      'relation recreated under the old name, later in the same migration is not reported.',
    ].join(''),
    help: 'Drop or redefine the dependent views and functions first, in the same transaction, or keep the old name available (e.g. a view with the old name).',
    badExample: [
      '-- An earlier migration: CREATE VIEW active_customers AS SELECT id, email FROM customers WHERE active;',
      'ALTER TABLE customers DROP COLUMN email;',
    ].join('\n'),
    safeRewrite: [
      '-- Deploy first (application): stop reading customers.email, directly and through the view.',
      '',
      '-- Migration 1 (one transaction): redefine what depends on the column. CREATE OR REPLACE VIEW',
      '-- cannot remove a column from a view, so drop and recreate it in the same transaction (nothing',
      '-- sees the view missing) and grant its privileges again.',
      "SET lock_timeout = '2s';",
      'DROP VIEW active_customers;',
      'CREATE VIEW active_customers AS SELECT id FROM customers WHERE active;',
      'GRANT SELECT ON active_customers TO app_readonly;',
      '-- Functions naming the column: CREATE OR REPLACE FUNCTION with a body that no longer does.',
      '',
      '-- Migration 2 (a later release, once no code reads the column):',
      "SET lock_timeout = '2s';",
      '-- pgwarden-disable-next-statement no-drop-column -- email moved to customer_contacts in release 40',
      'ALTER TABLE customers DROP COLUMN email;',
    ].join('\n'),
    versionNotes:
      'Functions written with a SQL-standard body (`BEGIN ATOMIC … END`, PostgreSQL 14+) are parsed when created and ' +
      'tracked like views, so PostgreSQL itself refuses to drop what they use; pgwarden only searches text bodies.',
  },
  create(context) {
    const schema = context.state.schema;
    const orphaned: Orphaned[] = [];
    /** Views dropped by CASCADE; not reported when the migration recreates them all. */
    const cascaded: Array<{ statement: Statement; what: string; views: string[] }> = [];

    const reportViews = (statement: Statement, what: string, views: string[], cascade: boolean, retype = false) => {
      if (!views.length) return;
      const plural = views.length > 1;
      if (cascade && !retype) {
        cascaded.push({ statement, what, views });
        return;
      }
      const message = retype
        ? `${what} fails: PostgreSQL cannot change the type of a column that ${plural ? 'views' : 'view'} ${list(views)} ${plural ? 'use' : 'uses'}.`
        : `${what} fails: ${plural ? 'views' : 'view'} ${list(views)} ${plural ? 'depend' : 'depends'} on it.`;
      context.report({ statement, message });
    };
    const noteRoutines = (statement: Statement, routines: RoutineModel[], table: string, change: string, column?: string) => {
      for (const routine of routines) orphaned.push({ statement, routine: routine.name, table, change, ...(column ? { column } : {}) });
    };

    return {
      DropStmt(node, statement) {
        if (!RELATION_DROPS.has(node.removeType ?? '')) return;
        const targets = dropTargets(node.objects).map((target) => relationKey(target));
        const dropped = new Set(targets);
        for (const [i, key] of targets.entries()) {
          const { views, routines } = schema.dependents(key, undefined, dropped);
          const what = `DROP of ${relationName(dropTargets(node.objects)[i] as RangeVar)}`;
          reportViews(statement, what, views.map((v) => v.name), node.behavior === 'DROP_CASCADE');
          noteRoutines(statement, routines, key, 'dropped');
        }
      },
      AlterTableStmt(node, statement) {
        if (!node.relation) return;
        const key = relationKey(node.relation);
        for (const cmd of alterCommands(node.cmds)) {
          if (!cmd.name) continue;
          const column = `${relationName(node.relation)}.${quoteName(cmd.name)}`;
          if (cmd.subtype === 'AT_DropColumn') {
            const { views, routines } = schema.dependents(key, cmd.name);
            reportViews(statement, `DROP COLUMN ${column}`, views.map((v) => v.name), cmd.behavior === 'DROP_CASCADE');
            noteRoutines(statement, routines, key, 'dropped', cmd.name);
          } else if (cmd.subtype === 'AT_AlterColumnType') {
            reportViews(statement, `ALTER COLUMN ${column} TYPE`, schema.dependents(key, cmd.name).views.map((v) => v.name), false, true);
          }
        }
      },
      RenameStmt(node, statement) {
        if (!node.relation || !node.newname) return;
        const key = relationKey(node.relation);
        if (RELATION_RENAMES.has(node.renameType ?? '')) {
          noteRoutines(statement, schema.dependents(key).routines, key, `renamed to ${quoteName(node.newname)}`);
        } else if (node.renameType === 'OBJECT_COLUMN' && node.subname) {
          const { routines } = schema.dependents(key, node.subname);
          noteRoutines(statement, routines, key, `renamed to ${quoteName(node.newname)}`, node.subname);
        }
      },
      end() {
        for (const { statement, what, views } of cascaded) {
          const gone = views.filter((view) => !schema.relations.has(view));
          if (!gone.length) continue;
          const plural = gone.length > 1;
          context.report({
            statement,
            message: `${what} also drops ${plural ? 'views' : 'view'} ${list(gone)} (CASCADE), and this migration does not recreate ${plural ? 'them' : 'it'}: queries reading ${plural ? 'them' : 'it'} fail.`,
          });
        }
        // Reported at the end: a migration may redefine the function, or recreate the old name, after the change.
        const reported = new Set<string>();
        for (const item of orphaned) {
          const routine = schema.routines.get(item.routine);
          const stillNamed = routine && schema.dependents(item.table, item.column).routines.includes(routine);
          const restored = schema.relations.get(item.table) && (!item.column || schema.relations.get(item.table)!.columns.has(item.column));
          const id = `${item.statement.index}:${item.routine}`;
          if (!stillNamed || restored || !schema.isCallable(routine) || reported.has(id)) continue;
          reported.add(id);
          const target = item.column ? `${quoteName(item.table)}.${quoteName(item.column)}` : quoteName(item.table);
          context.report({
            statement: item.statement,
            risk: 'medium',
            message: `Function ${quoteName(item.routine)} names ${target} in its body, which is ${item.change}: calls to it fail at run time.`,
            help: 'Redefine the function (CREATE OR REPLACE FUNCTION) in the same migration, or keep the old name available.',
          });
        }
      },
    };
  },
});
