import type { RangeVar } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { relationName, unwrap } from '../src/sql/ast.js';

export default defineRule({
  meta: {
    id: 'no-truncate',
    risk: 'high',
    tags: ['data-loss', 'locking'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'TRUNCATE of a table that existed before this migration.',
    rationale: [
      '`TRUNCATE` deletes every row at once by swapping in new, empty files. Inside the migration transaction ',
      'it can be rolled back, but once committed the rows are gone: unlike `DELETE` it fires no row triggers, ',
      'so audit triggers see nothing, and it is not MVCC-safe (a concurrent transaction that started earlier ',
      'sees the table empty).\n\n',
      'It takes an `ACCESS EXCLUSIVE` lock on each table, blocking every read and write until the transaction ',
      'commits, and waiting behind any running query on it while later queries queue behind the TRUNCATE.\n\n',
      '`TRUNCATE … CASCADE` also empties every table that has a foreign key to the truncated ones, and the tables ',
      'referencing those, recursively: far more data than the statement names.',
    ].join(''),
    help: 'If only some rows must go, DELETE them in batches with a WHERE clause; empty whole tables by hand after a backup.',
    badExample: 'TRUNCATE sessions;',
    safeRewrite: [
      '-- Outside migrations, in a batch job: delete only the rows that must go, 5,000 per transaction,',
      '-- sleeping ~100 ms between batches, until a DELETE removes no row. Only those rows are locked;',
      '-- reads and writes of the rest continue.',
      'DELETE FROM sessions WHERE id IN (',
      "  SELECT id FROM sessions WHERE expires_at < now() - interval '30 days' ORDER BY id LIMIT 5000);",
      '',
      '-- If the table really must be emptied: back it up, stop the writers, then by hand, in one short',
      '-- transaction. No CASCADE: fail if another table still references it.',
      "SET lock_timeout = '2s';",
      'TRUNCATE sessions;',
    ].join('\n'),
  },
  create(context) {
    return {
      TruncateStmt(node, statement) {
        const names = (node.relations ?? [])
          .map((relation) => unwrap<RangeVar>(relation, 'RangeVar'))
          .filter((relation): relation is RangeVar => !!relation && !context.state.schema.isCreatedHere(relation))
          .map((relation) => relationName(relation));
        if (!names.length) return;
        const cascade =
          node.behavior === 'DROP_CASCADE'
            ? ' CASCADE also empties every table with a foreign key to it, recursively.'
            : '';
        context.report({
          statement,
          message: `TRUNCATE ${names.join(', ')} deletes every row under an ACCESS EXCLUSIVE lock that blocks reads and writes.${cascade}`,
        });
      },
    };
  },
});
