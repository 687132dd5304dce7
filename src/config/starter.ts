import type { TransactionMode } from '../analysis/transactions.js';
import type { LayoutSetting } from '../migrations/layout.js';

export interface StarterOptions {
  /** Path of config.schema.json as the editor should resolve it from the config file. */
  schemaPath: string;
  /** migrations.dir, relative to the config file. */
  dir: string;
  /** The detected layout, or `auto` when there was nothing to detect it from. */
  layout: LayoutSetting;
  /** Up parts found in that layout (0 when the directory is empty or missing). */
  migrations: number;
  /** Flyway migrations were found and none has an undo (U…) file: suggest rollback: off. */
  noFlywayUndo?: boolean;
}

interface LayoutAdvice {
  /** What the layout's files look like, and which tools write it. */
  looks: string;
  transaction: TransactionMode;
  /** Why that transaction mode: how the tool that uses this layout really runs a file. */
  why: readonly string[];
}

const NO_RUNNER_IMPLIED = [
  'Nothing in this layout says which tool runs the files. auto is how `pgwarden apply`',
  'runs them: each file in one transaction, unless it contains a statement that cannot run in',
  'one (CREATE INDEX CONCURRENTLY, VACUUM, …) or has its own BEGIN/COMMIT. Use none for',
  '`psql -f` (every statement commits on its own), per-file for `psql --single-transaction`',
  'and implicit for `psql -c "$(cat file)"` (the file as one query: one implicit transaction).',
];

/** The suggestion for each layout, from what its usual tool does on PostgreSQL. */
const ADVICE: Record<LayoutSetting, LayoutAdvice> = {
  'paired-files': {
    looks: '<id>.up.sql with <id>.down.sql (golang-migrate, sqlx)',
    transaction: 'implicit',
    why: [
      'golang-migrate opens no transaction itself, but sends each file to PostgreSQL as one',
      'query, and PostgreSQL runs a query of several statements as one implicit transaction,',
      'while a file of one statement runs outside any: a CONCURRENTLY statement only works alone',
      'in its file. That is what implicit models. sqlx wraps each file in a transaction: use',
      'per-file for it. Use none if you run golang-migrate with x-multi-statement=true, where each',
      'statement commits on its own.',
    ],
  },
  'directory-pairs': {
    looks: '<id>/up.sql with <id>/down.sql (Diesel)',
    transaction: 'per-file',
    why: [
      'Diesel runs each migration in a transaction, unless its metadata.toml says',
      'run_in_transaction = false: add `-- pgwarden:no-transaction` to such a migration too.',
    ],
  },
  sections: {
    looks: 'one file per migration with -- migrate:up / -- migrate:down (dbmate) or -- +goose Up / Down (goose)',
    transaction: 'per-file',
    why: [
      'dbmate and goose run each migration in a transaction unless the file opts out',
      '(dbmate: transaction:false, goose: -- +goose NO TRANSACTION): add',
      '`-- pgwarden:no-transaction` to such a file too.',
    ],
  },
  flyway: {
    looks: 'V<version>__<name>.sql, undone by U<version>__<name>.sql (Flyway)',
    transaction: 'auto',
    why: [
      'Flyway runs each migration in a transaction, except one with a statement PostgreSQL',
      'refuses inside a transaction (CREATE INDEX CONCURRENTLY, VACUUM, …), which it runs',
      'without one (and refuses a migration mixing both kinds unless mixed=true). That is',
      "what auto models. A migration with `executeInTransaction=false` in its script config",
      'runs outside a transaction: add `-- pgwarden:no-transaction` to it too.',
    ],
  },
  prisma: {
    looks: '<timestamp>_<name>/migration.sql (Prisma Migrate; no down part by design)',
    transaction: 'implicit',
    why: [
      'Prisma Migrate sends migration.sql to PostgreSQL as one query, which PostgreSQL runs as',
      'one implicit transaction when it holds several statements, and outside any when it holds',
      'one: a CONCURRENTLY statement only works alone in its migration. That is what implicit',
      'models.',
    ],
  },
  'rollback-folder': {
    looks: 'scripts/<id>.sql with rollbacks/<id>_rollback.sql',
    transaction: 'auto',
    why: NO_RUNNER_IMPLIED,
  },
  plain: {
    looks: 'any *.sql, applied in file-name order',
    transaction: 'auto',
    why: NO_RUNNER_IMPLIED,
  },
  auto: {
    looks: '',
    transaction: 'auto',
    why: NO_RUNNER_IMPLIED,
  },
};

/** The transaction mode `pgwarden init` suggests for a layout. */
export function suggestedTransaction(layout: LayoutSetting): TransactionMode {
  return ADVICE[layout].transaction;
}

const comment = (lines: readonly string[], indent = ''): string[] => lines.map((line) => `${indent}# ${line}`.trimEnd());

function layoutComment(options: StarterOptions): string[] {
  if (options.layout === 'auto') {
    return [
      'No migrations found to detect the layout from: auto detects it per file. One of',
      'paired-files, directory-pairs, sections, rollback-folder, flyway, prisma, plain.',
    ];
  }
  const count = `${options.migrations} migration${options.migrations === 1 ? '' : 's'}`;
  return [`Detected from the ${count} found there: ${ADVICE[options.layout].looks}.`];
}

/** The text of a commented starter pgwarden.config.yaml. */
export function starterConfig(options: StarterOptions): string {
  const advice = ADVICE[options.layout];
  const lines = [
    `# yaml-language-server: $schema=${options.schemaPath}`,
    '# pgwarden configuration, written by `pgwarden init`. Every key is optional; the README',
    '# (Configuration) describes them all. Command-line flags override single keys.',
    '',
    '# The PostgreSQL major version the migrations run on: rules follow its behaviour.',
    'postgresVersion: 16',
    '',
    'migrations:',
    ...comment(['Where the migrations are, relative to this file; `pgwarden lint` with no paths lints it.'], '  '),
    `  dir: ${yamlString(options.dir)}`,
    ...comment(layoutComment(options), '  '),
    `  layout: ${options.layout}`,
    ...comment(
      [
        'How the tool that applies the migrations wraps each file in a transaction, so that the',
        'analysis never predicts a transaction that is not there, or misses one that is.',
        ...advice.why,
        ...(advice.transaction === 'auto' ? [] : ['If `pgwarden apply` runs these migrations instead, use auto.']),
      ],
      '  ',
    ),
    `  transaction: ${advice.transaction}`,
    ...comment(['auto: report a missing down part where the layout has one; required: always; off: never.'], '  '),
    ...(options.noFlywayUndo
      ? comment(['None of these Flyway migrations has an undo (U…) file (a Flyway Teams feature), hence off.'], '  ')
      : []),
    `  rollback: ${options.noFlywayUndo ? 'off' : 'auto'}`,
    '',
    '# Severity per rule: off, warning or error. `pgwarden rules` lists the rules, `pgwarden explain ID`',
    '# explains one. A rule with options takes [severity, options]. For example:',
    '#   rules:',
    '#     require-lock-timeout: warning',
    "#     naming-convention: [warning, { indexes: '^[a-z_][a-z0-9_]*_idx$' }]",
    'rules: {}',
    '',
    '# Settings for some files only: glob patterns relative to this file. Later entries win over',
    '# earlier ones; command-line flags win over both.',
    '# overrides:',
    "#   - files: ['db/legacy/**/*.sql']",
    '#     rules: { no-drop-table: "off" }',
    '#     postgresVersion: 12',
    '#     migrations: { transaction: none }',
    '',
    '# Where `pgwarden apply` may run migrations, and the highest risk each environment accepts',
    '# (low, medium or high): a pending migration above it is refused, and nothing is applied.',
    '# Without this block only `development` exists, on the embedded database. Add .pgwarden/ to',
    '# .gitignore.',
    '# environments:',
    '#   development:',
    '#     maxRisk: high                  # no database given: embedded PostgreSQL (PGlite) in .pgwarden/dev',
    '#   production:',
    '#     maxRisk: low',
    '#     database: { env: DATABASE_URL } # the URL is read from this environment variable',
    '#     lockTimeout: 2s',
    '#     statementTimeout: 10min',
    '#     allowOverride: true            # --accept-risk LEVEL --reason "…" lets riskier ones through, recorded',
    '',
  ];
  return lines.join('\n');
}

/** A YAML plain scalar when that reads back as the same string, otherwise a quoted one. */
function yamlString(value: string): string {
  return /^[\w./-]+$/.test(value) && !/^(true|false|null|yes|no|on|off|~|[-\d.]+)$/i.test(value) ? value : JSON.stringify(value);
}
