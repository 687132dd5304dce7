import { defineRule } from '../src/analysis/rule.js';
import { chosenTypeVisitors, type ChosenType } from './support/chosen-types.js';

function describe(chosen: ChosenType): { message: string; help: string } | undefined {
  const { name, mods, array } = chosen.type;
  const suffix = array ? '[]' : '';
  if (name === 'varchar' && mods.length) {
    const limit = mods[0]!;
    return {
      message: `${chosen.column} is varchar(${limit})${suffix}: changing the limit later takes ALTER COLUMN … TYPE, under an ACCESS EXCLUSIVE lock, refused while a view uses the column, and a table rewrite to lower it.`,
      help: `Use text, with CHECK (char_length(col) <= ${limit}) if the limit is a real rule: a check is replaced with NOT VALID and VALIDATE without blocking writes.`,
    };
  }
  // `char`, `character(n)` and `bpchar` are bpchar in the tree; a quoted "char" is the 1-byte internal type.
  if (name === 'bpchar') {
    const width = mods[0];
    const spelled = width === undefined ? 'bpchar' : `char(${width})`;
    return {
      message: `${chosen.column} is ${spelled}${suffix}: shorter values are padded with spaces that clients receive but comparisons with text, length() and || do not see.`,
      help:
        width === 1
          ? 'Use text (with a CHECK on the allowed values) or boolean; char without a length is char(1).'
          : 'Use text, with CHECK (char_length(col) = n) if every value has exactly n characters.',
    };
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: 'prefer-text',
    risk: 'low',
    tags: ['style'],
    optIn: true,
    summary: 'A new column of type varchar(n) or char(n), where text (with a CHECK constraint when the length matters) is easier to change.',
    rationale: [
      'In PostgreSQL `text`, `varchar` and `varchar(n)` are stored the same way and perform the same; the length ',
      'limit is only a check. But it is part of the column type, so changing it takes `ALTER COLUMN … TYPE`: an ',
      '`ACCESS EXCLUSIVE` lock (reads and writes wait), an error while any view uses the column (the views have to ',
      'be dropped and recreated around the change), and a rewrite of the table when the limit is lowered. Limits ',
      'such as 255 are often arbitrary and need raising the day real data exceeds them.',
      '',
      'A `CHECK (char_length(col) <= n)` constraint on a `text` column states the same rule and changes without ',
      'any of that: add the new constraint `NOT VALID` (a brief lock, no scan), `VALIDATE CONSTRAINT` (scans while ',
      'reads and writes continue), drop the old one. Views are not affected.',
      '',
      '`char(n)` (`character(n)`, `bpchar`) is worse: values are padded with spaces to n characters and clients ',
      "receive them padded, but the padding counts only sometimes: `'ab'::char(3) = 'ab '::char(3)` is true, ",
      "`'ab'::char(3) = 'ab '::text` is false, `length()` says 2 and `||` drops the spaces. ",
      '`char` without a length is `char(1)`. For codes that always have exactly n ',
      'characters (ISO country codes in `char(2)`) the padding never appears, which is why this rule is opt-in ',
      'rather than on by default: in 3,700 real-world migrations every `char(n)` column was sized for a ',
      'fixed-length identifier (`char(26)` ULIDs, `char(36)` UUIDs, `char(64)` hashes).',
      '',
      'Down migrations are not checked: they restore what an earlier migration chose.',
    ].join('\n'),
    help: 'Use text, with a CHECK (char_length(col) <= n) constraint when the limit is a real rule.',
    badExample: 'CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(255) NOT NULL, country char(2));',
    safeRewrite: [
      '-- In the migration that creates the table: text columns, limits as named CHECK constraints.',
      'CREATE TABLE customers (',
      '  id bigint PRIMARY KEY,',
      '  email text NOT NULL CONSTRAINT customers_email_length CHECK (char_length(email) <= 320),',
      '  country text CONSTRAINT customers_country_length CHECK (char_length(country) = 2)',
      ');',
      '-- Later, to change a limit without blocking writes (each migration sets lock_timeout):',
      '-- migration 1: ALTER TABLE customers ADD CONSTRAINT customers_email_length_v2',
      '--                CHECK (char_length(email) <= 512) NOT VALID;',
      '-- migration 2: ALTER TABLE customers VALIDATE CONSTRAINT customers_email_length_v2;',
      '--              ALTER TABLE customers DROP CONSTRAINT customers_email_length;',
    ].join('\n'),
  },
  create(context) {
    return chosenTypeVisitors(context, describe);
  },
});
