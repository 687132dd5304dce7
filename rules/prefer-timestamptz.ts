import { defineRule } from '../src/analysis/rule.js';
import { chosenTypeVisitors } from './support/chosen-types.js';

export default defineRule({
  meta: {
    id: 'prefer-timestamptz',
    risk: 'low',
    tags: ['style'],
    optIn: true,
    summary: 'A new column of type timestamp (without time zone), where timestamptz records an unambiguous instant.',
    rationale: [
      '`timestamp` (`timestamp without time zone`) stores a date and a wall-clock time with no zone. What instant it ',
      "means depends on whoever wrote it: `now()` is converted to the writing session's `TimeZone`, so two ",
      'application servers (or a server and a `psql` session) with different settings store different values for the ',
      'same moment, and values written around a daylight-saving change are ambiguous or repeat. Comparing them with ',
      '`timestamptz` values or `now()` converts them with the reading session\'s zone, so results change with a ',
      'setting nobody sees in the query.',
      '',
      '`timestamptz` (`timestamp with time zone`) takes the same 8 bytes and stores an instant (as UTC); each session ',
      'sees it in its own zone and arithmetic across DST changes is correct. Keep `timestamp` for values that are ',
      'meant to be zone-less, such as a local opening time, and say so with a directive. Down migrations are not ',
      'checked: they restore what an earlier migration chose.',
    ].join('\n'),
    help: 'Use timestamptz (timestamp with time zone): same size, and it stores an instant rather than a wall-clock reading.',
    badExample: 'CREATE TABLE payments (id bigint PRIMARY KEY, paid_at timestamp NOT NULL DEFAULT now());',
    safeRewrite: [
      '-- In the migration that creates the table: an instant, shown in each session\'s time zone.',
      'CREATE TABLE payments (',
      '  id bigint PRIMARY KEY,',
      '  paid_at timestamptz NOT NULL DEFAULT now()',
      ');',
    ].join('\n'),
    versionNotes: [
      'Converting an existing `timestamp` column later (`ALTER COLUMN … TYPE timestamptz`) rewrites the table under an ',
      '`ACCESS EXCLUSIVE` lock, except on PostgreSQL 12 and later when the session `TimeZone` is UTC: then the stored ',
      'values already mean the same instants and only the catalog changes (see `no-column-type-change`). Choosing ',
      '`timestamptz` up front avoids the question on every version.',
    ].join('\n'),
  },
  create(context) {
    return chosenTypeVisitors(context, (chosen) => {
      if (chosen.type.name !== 'timestamp') return undefined;
      const precision = chosen.type.mods.length ? `(${chosen.type.mods[0]})` : '';
      return {
        message: `${chosen.column} is timestamp${precision}${chosen.type.array ? '[]' : ''} without time zone: the instant it means depends on the TimeZone setting of the session that wrote it.`,
        help: `Use timestamptz${precision}: same size, and it stores an instant rather than a wall-clock reading.`,
      };
    });
  },
});
