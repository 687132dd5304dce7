import type { ColumnDef } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import type { Risk } from '../src/analysis/risk.js';
import { alterCommands, quoteName, relationName, unwrap } from '../src/sql/ast.js';
import { defaultExpression, generation, isSerial } from './support/columns.js';
import { expressionVolatility } from './support/volatility.js';

interface Rewrite {
  risk: Risk;
  /** Why, as a noun phrase: "volatile default gen_random_uuid()". */
  reason: string;
}

export default defineRule({
  meta: {
    id: 'no-add-column-rewrite',
    risk: 'high',
    tags: ['rewrite', 'locking'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'ALTER TABLE … ADD COLUMN that rewrites every row of a table that existed before this migration.',
    rationale: [
      '`ADD COLUMN` takes an `ACCESS EXCLUSIVE` lock on the table, which blocks every read, write and other DDL on ',
      'it. Usually the column only changes the catalog and the lock is held for milliseconds, but when every ',
      'existing row needs its own stored value Postgres rewrites the whole table and rebuilds all of its indexes while ',
      'holding the lock: nothing can read or write the table until the migration commits, which on a large table is ',
      'minutes to hours, and the rewrite needs as much free disk as the table and its indexes.\n\n',
      'That happens for:\n\n',
      '- a **volatile** default (`random()`, `gen_random_uuid()`, `uuid_generate_v4()`, `clock_timestamp()`, ',
      '`timeofday()`, `nextval(…)`), on every version, because each row must get a different value;\n',
      '- `serial`, `bigserial` and `smallserial`, which are an implicit `DEFAULT nextval(…)`;\n',
      '- `GENERATED … AS IDENTITY`, which numbers every existing row;\n',
      '- `GENERATED ALWAYS AS (…) STORED`, which computes and stores the expression for every row;\n',
      '- **any** non-NULL default before PostgreSQL 11.\n\n',
      'Since PostgreSQL 11, a non-volatile default (a constant, `now()`, `CURRENT_TIMESTAMP`, an immutable ',
      'function of constants) is evaluated once and kept in the catalog, so the column is added instantly. ',
      'For a function pgwarden does not know, it cannot tell whether it is volatile and reports a medium risk.',
    ].join(''),
    help: 'Add the column without the volatile default (or as a plain nullable column), backfill in batches, then set the default for new rows.',
    badExample: 'ALTER TABLE orders ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();',
    safeRewrite: [
      '-- Migration 1 (one transaction): catalog-only changes, the lock is held for milliseconds.',
      '-- Existing rows read NULL; new rows get a generated value from the default.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN public_id uuid;',
      'ALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();',
      '',
      '-- Backfill outside migrations, in a batch job: 5,000 rows per transaction, walking the primary key',
      '-- from min(id) to max(id), sleeping ~100 ms between batches so replicas and VACUUM keep up:',
      '--   UPDATE orders SET public_id = gen_random_uuid()',
      '--     WHERE id >= :start AND id < :start + 5000 AND public_id IS NULL;',
      '',
      '-- Migration 2 (one transaction): reject NULL in new writes; no scan, a brief lock.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD CONSTRAINT orders_public_id_not_null CHECK (public_id IS NOT NULL) NOT VALID;',
      '',
      '-- Migration 3 (a later transaction): check the old rows under SHARE UPDATE EXCLUSIVE;',
      '-- reads and writes continue while it scans.',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_public_id_not_null;',
      '',
      '-- Migration 4 (one transaction): PostgreSQL 12+ trusts the validated check and skips the scan.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ALTER COLUMN public_id SET NOT NULL;',
      'ALTER TABLE orders DROP CONSTRAINT orders_public_id_not_null;',
    ].join('\n'),
    versionNotes: [
      '- **Before PostgreSQL 11** every non-NULL default rewrites the table, constant or not: add the column without ',
      'a default, set the default in a second statement (it only applies to new rows), and backfill in batches.\n',
      '- **PostgreSQL 11+** stores a non-volatile default in the catalog (`pg_attribute.attmissingval`) and existing ',
      'rows read it from there, so `ADD COLUMN … DEFAULT 0` or `DEFAULT now()` is instant. Volatile defaults, identity ',
      'and stored generated columns still rewrite on every version.\n',
      '- **PostgreSQL 12+** is needed for the last step of the safe rewrite: `SET NOT NULL` skips its full scan only ',
      'when a validated `CHECK (col IS NOT NULL)` proves it. On 11 and older keep the validated CHECK and leave out ',
      '`SET NOT NULL`.\n',
      '- **PostgreSQL 13+** has `gen_random_uuid()` built in; before 13 it comes from the `pgcrypto` extension.\n',
      '- **PostgreSQL 18+**: a generated column declared without `STORED` is `VIRTUAL`, computed when read, and adding ',
      'it rewrites nothing (pgwarden does not report it). A `NOT NULL` constraint can be added `NOT VALID` ',
      '(`ADD CONSTRAINT orders_public_id_not_null NOT NULL public_id NOT VALID`) and validated in a later ',
      'transaction with `VALIDATE CONSTRAINT`, which makes the column NOT NULL: two steps instead of migrations 2 to 4.',
    ].join(''),
  },
  create(context) {
    const rewriteOf = (column: ColumnDef): Rewrite | undefined => {
      const generated = generation(column);
      if (generated === 'identity') return { risk: 'high', reason: 'identity column, numbered row by row' };
      if (generated === 'stored') return { risk: 'high', reason: 'GENERATED … STORED column, computed for every row' };
      if (isSerial(column)) return { risk: 'high', reason: 'serial column, whose implicit nextval() default is volatile' };
      const expression = defaultExpression(column);
      if (!expression) return undefined;
      const { volatility, functionName } = expressionVolatility(expression);
      if (volatility === 'volatile') return { risk: 'high', reason: `volatile default ${functionName}(), a new value per row` };
      if (context.postgresVersion < 11) return { risk: 'high', reason: 'non-NULL default, written into every row before PostgreSQL 11' };
      if (volatility === 'unknown') {
        return { risk: 'medium', reason: `default calling ${functionName}(), which pgwarden cannot tell is volatile or not` };
      }
      return undefined;
    };

    return {
      AlterTableStmt(node, statement) {
        if (node.objtype !== 'OBJECT_TABLE' || context.state.schema.isCreatedHere(node.relation)) return;
        const columnsByReason = new Map<string, { risk: Risk; columns: string[] }>();
        for (const cmd of alterCommands(node.cmds)) {
          const column = cmd.subtype === 'AT_AddColumn' ? unwrap<ColumnDef>(cmd.def, 'ColumnDef') : undefined;
          const rewrite = column && rewriteOf(column);
          if (!rewrite) continue;
          const group = columnsByReason.get(rewrite.reason) ?? { risk: rewrite.risk, columns: [] };
          group.columns.push(`${relationName(node.relation)}.${quoteName(column.colname ?? '?')}`);
          columnsByReason.set(rewrite.reason, group);
        }
        if (!columnsByReason.size) return;
        const groups = [...columnsByReason].map(([reason, group]) => ({ ...group, text: `${reason} (${group.columns.join(', ')})` }));
        const certain = groups.some((group) => group.risk === 'high');
        const reasons = groups.map((group) => group.text).join('; ');
        context.report({
          statement,
          risk: certain ? 'high' : 'medium',
          message: certain
            ? `ADD COLUMN rewrites the whole table under an ACCESS EXCLUSIVE lock that blocks reads and writes: ${reasons}.`
            : `ADD COLUMN may rewrite the whole table under an ACCESS EXCLUSIVE lock: ${reasons}.`,
        });
      },
    };
  },
});
