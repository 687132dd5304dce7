import { defineRule } from '../src/analysis/rule.js';
import type { Zod } from '../src/analysis/rule-options.js';
import { quoteName } from '../src/sql/ast.js';
import { createdNames, type NameKind } from './support/created-names.js';
import { nameRange, writtenIdentifiers } from './support/identifiers.js';

/** Lower-case letters, digits and underscores, not starting with a digit: names that never need quoting. */
const SNAKE_CASE = '^[a-z_][a-z0-9_]*$';
/** Policy names appear only in policy DDL, and are often sentences ("Users read their own rows"). */
const ANY_NAME = '.*';

/** The option that holds each kind's pattern; kinds without one are not checked. */
const OPTION_OF = {
  table: 'tables',
  column: 'columns',
  index: 'indexes',
  constraint: 'constraints',
  view: 'views',
  sequence: 'sequences',
  schema: 'schemas',
  function: 'functions',
  trigger: 'triggers',
  type: 'types',
  policy: 'policies',
} as const satisfies Partial<Record<NameKind, string>>;

type OptionKey = (typeof OPTION_OF)[keyof typeof OPTION_OF];

const DEFAULTS: Record<OptionKey, string> = {
  tables: SNAKE_CASE,
  columns: SNAKE_CASE,
  indexes: SNAKE_CASE,
  constraints: SNAKE_CASE,
  views: SNAKE_CASE,
  sequences: SNAKE_CASE,
  schemas: SNAKE_CASE,
  functions: SNAKE_CASE,
  triggers: SNAKE_CASE,
  types: SNAKE_CASE,
  policies: ANY_NAME,
};

const DESCRIBED: Record<OptionKey, string> = {
  tables: 'tables (CREATE TABLE, CREATE TABLE AS, foreign tables, renames)',
  columns: 'columns (CREATE TABLE, ADD COLUMN, RENAME COLUMN)',
  indexes: 'indexes named in CREATE INDEX or renamed',
  constraints: 'named constraints (CONSTRAINT name …, RENAME CONSTRAINT)',
  views: 'views and materialized views',
  sequences: 'sequences',
  schemas: 'schemas',
  functions: 'functions and procedures',
  triggers: 'triggers',
  types: 'enum, composite, range and domain types',
  policies: 'row-level security policies',
};

function optionsSchema(zod: Zod) {
  const pattern = (key: OptionKey) =>
    zod
      .string()
      .refine(isRegExp, { message: 'not a valid regular expression' })
      .describe(`Pattern (JavaScript regular expression) the names of ${DESCRIBED[key]} must match; ".*" accepts any.`);
  return zod.object(Object.fromEntries(Object.keys(DEFAULTS).map((key) => [key, pattern(key as OptionKey)])) as Record<OptionKey, ReturnType<typeof pattern>>);
}

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

export default defineRule({
  meta: {
    id: 'naming-convention',
    risk: 'low',
    tags: ['style'],
    optIn: true,
    summary: 'A created or renamed object whose name does not match the naming pattern configured for its kind (snake_case by default).',
    rationale: [
      'PostgreSQL folds unquoted names to lower case, so a name with capitals or other characters only exists in ',
      'its quoted form: `CREATE TABLE "UserAccounts"` makes every later query write `"UserAccounts"` with the ',
      'quotes, and `SELECT * FROM UserAccounts` fails with `relation "useraccounts" does not exist`. Mixed ',
      'conventions (`orderItems` next to `order_items`, `idx_…` next to `…_idx`) make names hard to guess and ',
      'tools that derive names (ORMs, generated code) disagree with the database.',
      '',
      'The rule checks the names a migration gives: tables, columns, indexes, constraints, views, sequences, ',
      'schemas, functions, triggers, types and policies it creates or renames. Names it only refers to are not its ',
      'business: they were judged when they were created, and down migrations, which restore earlier names, are ',
      'not checked. Each kind has its own pattern in the rule\'s options; policy names, which only policy DDL ever ',
      'writes and which are often sentences, accept any name unless configured.',
    ].join('\n'),
    help: 'Rename the object to match the pattern, or configure the pattern for this kind in the rule options.',
    badExample: 'CREATE TABLE "OrderItems" ("orderId" bigint NOT NULL, "Qty" integer);',
    safeRewrite: [
      '-- In the migration that creates the table: snake_case names, which never need quotes.',
      'CREATE TABLE order_items (order_id bigint NOT NULL, qty integer);',
      '-- Conventions such as index suffixes are options, e.g. in .pgwardenrc.json:',
      '-- { "rules": { "naming-convention": ["warning", { "indexes": "^[a-z_][a-z0-9_]*_(idx|key)$" }] } }',
    ].join('\n'),
    options: { schema: optionsSchema, defaults: DEFAULTS },
  },
  create(context) {
    const patterns = new Map(Object.entries(context.options).map(([key, source]) => [key, new RegExp(source, 'u')]));
    return {
      statement(statement) {
        if (context.migration?.direction === 'down') return;
        const names = createdNames(statement).filter((created) => created.kind in OPTION_OF);
        if (!names.length) return;
        let identifiers: ReturnType<typeof writtenIdentifiers> | undefined;
        for (const created of names) {
          const option = OPTION_OF[created.kind as keyof typeof OPTION_OF];
          const pattern = patterns.get(option);
          if (!pattern || pattern.test(created.name)) continue;
          identifiers ??= writtenIdentifiers(context.source, statement);
          context.report({
            statement,
            ...nameRange(context.source, statement, created.name, created.location, identifiers),
            message: `The ${created.kind} name ${quoteName(created.name)} does not match the ${option} pattern ${pattern.source}.`,
            help: `Rename it to match ${pattern.source}, or set the "${option}" pattern in the naming-convention options.`,
          });
        }
      },
    };
  },
});
