// Runs pgwarden over squawk's rule-test cases (../shared/corpus/squawk-cases) and prints, per
// squawk rule, how often pgwarden's corresponding rule(s) agree with squawk's expected verdict.
// Usage: npm run bench:parity  (or: npm run build && node bench/peer-parity.js [--corpus DIR] [--json])
//
// The cases are read from the corpus at run time and never copied into the project.
//
// Settings per case (squawk flag → pgwarden setting):
// - `pg_version` / `--pg-version=N` → `postgresVersion: N`; without it pgwarden's default
//   (DEFAULT_CONFIG.postgresVersion, 16). squawk's own default is "no version", under which its
//   version-dependent rules take current Postgres behaviour, so a recent version is the match.
// - `assume_in_transaction` / `--assume-in-transaction` → `migrations.transaction: per-file`
//   (the runner wraps every file in one transaction, which is what squawk assumes).
// - otherwise → `migrations.transaction: none`: squawk then assumes no wrapping transaction and
//   only sees the BEGIN/COMMIT written in the file, which is what `none` models. (`auto` would
//   assume a wrapping transaction for files without transaction-incompatible statements, i.e.
//   more than squawk assumes.) `--default-transaction auto` runs that variant instead.
// - `layout: plain`, `rollback: off`: a case is a single up migration with no down part.
// - every rule at its default severity, plus the opt-in rules MAPPING names (at warning); a rule
//   "fires" when it has a finding or a suppressed finding in the case.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const corpusRoot = resolve(option('--corpus', process.env.PGWARDEN_CORPUS ?? join(root, '../shared/corpus')));
const casesDir = existsSync(join(corpusRoot, 'squawk-cases')) ? join(corpusRoot, 'squawk-cases') : corpusRoot;
const defaultTransaction = option('--default-transaction', 'none');
const asJson = args.includes('--json');

if (!existsSync(join(casesDir, 'manifest.json'))) {
  console.log(`squawk cases not found under ${corpusRoot}: nothing to compare (set --corpus or PGWARDEN_CORPUS)`);
  process.exit(0);
}
if (!existsSync(join(root, 'dist/src/index.js'))) {
  console.error('run `npm run build` first');
  process.exit(2);
}
if (!['none', 'auto', 'per-file'].includes(defaultTransaction)) {
  console.error(`--default-transaction must be none, auto or per-file, not ${defaultTransaction}`);
  process.exit(2);
}

const { lintText, settingsFromConfig, DEFAULT_CONFIG, loadParser, allRules } = await import('../dist/src/index.js');

/**
 * squawk rule → the pgwarden rule ids that flag the same hazard. A case counts as "fired" when
 * any of them reports. An empty list: no pgwarden counterpart yet ("not covered").
 */
const MAPPING = {
  'adding-field-with-default': ['no-add-column-rewrite'],
  'adding-foreign-key-constraint': ['require-not-valid-foreign-key'],
  'adding-not-nullable-field': ['set-not-null'],
  'adding-required-field': ['require-default-for-not-null-column'],
  // ADD COLUMN serial PRIMARY KEY: the PK index is built under ACCESS EXCLUSIVE, and the
  // volatile nextval() default rewrites the table.
  'adding-serial-primary-key-field': ['require-unique-using-index', 'no-add-column-rewrite'],
  'ban-alter-domain-with-add-constraint': ['require-not-valid-check'],
  // pgwarden reports char(n) under prefer-text (opt-in), with its own message about blank padding.
  'ban-char-field': ['prefer-text'],
  'ban-concurrent-index-creation-in-transaction': ['transaction-incompatible-statement'],
  // squawk bans the constraint on CREATE DOMAIN; pgwarden reports it as low-risk hygiene.
  'ban-create-domain-with-constraint': ['no-domain-constraint'],
  'ban-drop-column': ['no-drop-column'],
  'ban-drop-database': ['no-drop-database'],
  'ban-drop-not-null': ['no-drop-not-null'],
  'ban-drop-table': ['no-drop-table'],
  'ban-duplicate-column-assignments': ['no-duplicate-column'],
  // squawk bans only TRUNCATE … CASCADE; pgwarden's rule covers every TRUNCATE of an existing table.
  'ban-truncate-cascade': ['no-truncate'],
  'ban-uncommitted-transaction': ['no-uncommitted-transaction'],
  'changing-column-type': ['no-column-type-change'],
  // squawk's rule covers CHECK and FOREIGN KEY without NOT VALID, and VALIDATE in the same
  // transaction as the NOT VALID add.
  'constraint-missing-not-valid': ['require-not-valid-check', 'require-not-valid-foreign-key', 'validate-in-same-transaction'],
  'disallowed-unique-constraint': ['require-unique-using-index'],
  'identifier-too-long': ['identifier-too-long'],
  // One opt-in rule for both: it reports integer and smallint columns alike.
  'prefer-bigint-over-int': ['prefer-bigint'],
  'prefer-bigint-over-smallint': ['prefer-bigint'],
  'prefer-identity': ['prefer-identity'],
  // squawk suggests pg_repack for VACUUM FULL and CLUSTER.
  'prefer-repack': ['no-table-rewrite'],
  // pgwarden reports only statements a rerun could trip over: committed before a later statement runs.
  'prefer-robust-stmts': ['prefer-robust-statements'],
  'prefer-text-field': ['prefer-text'],
  'prefer-timestamp-tz': ['prefer-timestamptz'],
  'renaming-column': ['no-rename-column'],
  'renaming-table': ['no-rename-table'],
  'require-concurrent-index-creation': ['require-concurrent-index'],
  'require-concurrent-index-deletion': ['require-concurrent-index-drop'],
  'require-concurrent-partition-detach': ['require-concurrent-partition-detach'],
  'require-concurrent-reindex': ['require-concurrent-reindex'],
  // Not a hazard: ADD VALUE without BEFORE/AFTER appends the value, and appending is the cheap
  // case for enum comparisons (docs/peer-parity.md). Deliberately unmapped.
  'require-enum-value-ordering': [],
  'require-lock-timeout': ['require-lock-timeout'],
  // pgwarden asks for statement_timeout only before statements that can run long while blocking
  // traffic (rewrites, scans, index builds, UPDATE/DELETE), not before instant DDL.
  'require-statement-timeout': ['require-statement-timeout'],
  // pgwarden's rule covers CREATE TABLE only: where a new table lands depends on search_path.
  'require-table-schema': ['require-table-schema'],
  // squawk's older rule, reported as require-lock-timeout / require-statement-timeout by 2.66.0.
  'require-timeout-settings': ['require-lock-timeout', 'require-statement-timeout'],
  'transaction-nesting': ['transaction-nesting'],
};

/** squawk rule names under which squawk 2.66.0 reports a case's rule (for the "squawk" note). */
const SQUAWK_REPORTED_AS = {
  'require-timeout-settings': ['require-lock-timeout', 'require-statement-timeout'],
};

const manifest = JSON.parse(readFileSync(join(casesDir, 'manifest.json'), 'utf8'));
const expectedPath = join(casesDir, 'expected.json');
const squawkActual = existsSync(expectedPath) ? JSON.parse(readFileSync(expectedPath, 'utf8')) : {};

await loadParser();
/** Opt-in rules are off by default; those the mapping compares are turned on. */
const mappedIds = new Set(Object.values(MAPPING).flat());
const optInMapped = allRules.filter((rule) => rule.meta.optIn && mappedIds.has(rule.meta.id)).map((rule) => rule.meta.id);
const base = settingsFromConfig(
  {
    ...DEFAULT_CONFIG,
    migrations: { ...DEFAULT_CONFIG.migrations, layout: 'plain', rollback: 'off' },
    rules: Object.fromEntries(optInMapped.map((id) => [id, 'warning'])),
  },
  casesDir,
);

function caseSettings(entry) {
  const flags = entry.settings ?? {};
  const cli = entry.cli_args ?? [];
  const versionArg = cli.find((a) => a.startsWith('--pg-version='));
  const version = flags.pg_version ?? versionArg?.slice('--pg-version='.length);
  const inTransaction = flags.assume_in_transaction === true || cli.includes('--assume-in-transaction');
  return {
    ...base,
    postgresVersion: version !== undefined ? Math.trunc(Number(version)) : base.postgresVersion,
    transaction: inTransaction ? 'per-file' : defaultTransaction,
  };
}

/** rule → { bad: {agree, disagree[]}, ok: {agree, disagree[]} } */
const perRule = new Map();
const parseFailures = [];
const crashes = [];
for (const [file, entry] of Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b))) {
  const stats =
    perRule.get(entry.rule) ??
    perRule.set(entry.rule, { cases: 0, bad: { agree: 0, disagree: [] }, ok: { agree: 0, disagree: [] } }).get(entry.rule);
  stats.cases++;
  const settings = caseSettings(entry);
  let reports;
  try {
    reports = lintText(readFileSync(join(casesDir, file), 'utf8'), file, settings, join(casesDir, file));
  } catch (error) {
    crashes.push(`${file}: ${error.message}`);
    continue;
  }
  const fired = new Set();
  for (const report of reports) {
    for (const f of [...report.findings, ...report.suppressed]) fired.add(f.ruleId);
    if (report.parseErrors.length) parseFailures.push(`${file}: ${report.parseErrors[0].message}`);
  }
  const mapped = MAPPING[entry.rule] ?? [];
  if (!mapped.length) continue;
  const firedMapped = mapped.filter((id) => fired.has(id));
  const squawkNames = SQUAWK_REPORTED_AS[entry.rule] ?? [entry.rule];
  const squawkFires = (squawkActual[file] ?? []).some((r) => squawkNames.includes(r));
  const bucket = stats[entry.expect];
  const agrees = entry.expect === 'bad' ? firedMapped.length > 0 : firedMapped.length === 0;
  if (agrees) bucket.agree++;
  else
    bucket.disagree.push({
      file,
      pgVersion: settings.postgresVersion,
      transaction: settings.transaction,
      pgwardenFired: firedMapped,
      otherPgwardenRules: [...fired].filter((id) => !mapped.includes(id)).sort(),
      squawk266Fires: squawkFires,
    });
}

const rules = [...perRule.keys()].sort();
const covered = rules.filter((r) => (MAPPING[r] ?? []).length);
const notCovered = rules.filter((r) => !(MAPPING[r] ?? []).length);

if (asJson) {
  const out = {};
  for (const r of rules) out[r] = { pgwarden: MAPPING[r] ?? [], ...perRule.get(r) };
  console.log(JSON.stringify({ defaultTransaction, rules: out, parseFailures, crashes }, null, 1));
  process.exit(0);
}

const rows = [['squawk rule', 'pgwarden rule(s)', 'bad agree', 'bad disagree', 'ok agree', 'ok disagree', 'agreement']];
let agreeTotal = 0;
let casesTotal = 0;
for (const r of covered) {
  const s = perRule.get(r);
  const agree = s.bad.agree + s.ok.agree;
  const total = agree + s.bad.disagree.length + s.ok.disagree.length;
  agreeTotal += agree;
  casesTotal += total;
  rows.push([
    r,
    MAPPING[r].join(', '),
    String(s.bad.agree),
    String(s.bad.disagree.length),
    String(s.ok.agree),
    String(s.ok.disagree.length),
    `${((100 * agree) / total).toFixed(0)}%`,
  ]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
const line = (row) => `| ${row.map((cell, i) => (i >= 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join(' | ')} |`;
console.log(`squawk cases: ${casesDir}`);
console.log(`settings: postgres version from the case (default ${base.postgresVersion}); transaction per-file when squawk assumed one, else ${defaultTransaction}`);
console.log('');
console.log(line(rows[0]));
console.log(`|${widths.map((w, i) => (i >= 2 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
for (const row of rows.slice(1)) console.log(line(row));
console.log('');
console.log(`not covered (${notCovered.length}): ${notCovered.map((r) => `${r} (${casesIn(r)})`).join(', ')}`);

console.log('');
console.log('disagreements (case file [pg version, transaction]: what pgwarden did; squawk 2.66.0 = what squawk itself reports):');
for (const r of covered) {
  const s = perRule.get(r);
  const list = [
    ...s.bad.disagree.map((d) => ({ ...d, kind: 'bad, pgwarden quiet' })),
    ...s.ok.disagree.map((d) => ({ ...d, kind: 'ok, pgwarden fires' })),
  ];
  if (!list.length) continue;
  console.log(`  ${r}:`);
  for (const d of list) {
    const fired = d.pgwardenFired.length ? ` (${d.pgwardenFired.join(', ')})` : '';
    const others = d.otherPgwardenRules.length ? `; other pgwarden rules: ${d.otherPgwardenRules.join(', ')}` : '';
    console.log(
      `    ${d.file} [pg ${d.pgVersion}, ${d.transaction}]: ${d.kind}${fired}; squawk 2.66.0 ${d.squawk266Fires ? 'fires' : 'quiet'}${others}`,
    );
  }
}
if (parseFailures.length) {
  console.log('');
  console.log(`cases pgwarden could not parse (${parseFailures.length}):`);
  for (const p of parseFailures) console.log(`  ${p}`);
}
if (crashes.length) {
  console.log('');
  console.log(`cases whose analysis crashed (${crashes.length}, pgwarden bugs):`);
  for (const c of crashes) console.log(`  ${c}`);
}
console.log('');
const coveredCases = covered.reduce((n, r) => n + casesIn(r), 0);
const allCases = rules.reduce((n, r) => n + casesIn(r), 0);
console.log(
  `summary: ${covered.length} of ${rules.length} squawk rules covered (${coveredCases} of ${allCases} cases); ` +
    `agreement ${agreeTotal}/${casesTotal} = ${casesTotal ? ((100 * agreeTotal) / casesTotal).toFixed(1) : '0.0'}% on covered cases`,
);

function casesIn(rule) {
  return perRule.get(rule).cases;
}
