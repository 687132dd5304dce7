// Runs pgwarden and squawk on ../shared/corpus/real in one run and checks that every squawk finding
// of the kinds pgwarden also covers (drop table/column, truncate, column type change, index
// creation/deletion without CONCURRENTLY) is reported by pgwarden on the same file and statement.
// A squawk finding counts as covered when pgwarden reports the mapped rule (active or suppressed)
// on a finding whose line range overlaps squawk's. squawk's JSON lines are 0-based (a DROP TABLE on
// the first line of a file is reported at line 0), pgwarden's are 1-based: squawk's are shifted by 1.
// Usage: npm run build && node bench/squawk-coverage.js [--corpus DIR]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const corpus = resolve(option('--corpus', process.env.PGWARDEN_CORPUS ?? join(root, '../shared/corpus/real')));
const pgwarden = join(root, 'bin/pgwarden.js');
const squawk = join(root, 'node_modules/.bin/squawk');

if (!existsSync(corpus)) {
  console.log(`corpus not found at ${corpus}: nothing to compare (set --corpus or PGWARDEN_CORPUS)`);
  process.exit(0);
}
if (!existsSync(join(root, 'dist/src/cli/main.js'))) {
  console.log('pgwarden is not built: run `npm run build` first (or `npm run bench:coverage`)');
  process.exit(0);
}
if (!existsSync(squawk)) {
  console.log(`squawk not found at ${squawk}: run \`npm install\` first`);
  process.exit(0);
}

/** squawk rule → pgwarden rule. Any squawk rule whose name contains "truncate" maps to no-truncate. */
const MAPPING = {
  'ban-drop-table': 'no-drop-table',
  'ban-drop-column': 'no-drop-column',
  'ban-truncate-cascade': 'no-truncate',
  'changing-column-type': 'no-column-type-change',
  'require-concurrent-index-creation': 'require-concurrent-index',
  'require-concurrent-index-deletion': 'require-concurrent-index-drop',
};
const mapped = (rule) => MAPPING[rule] ?? (rule.includes('truncate') ? 'no-truncate' : undefined);

function run(command, commandArgs) {
  // Both tools exit 1 when they report findings; only a crash or unparsable output is an error.
  const result = spawnSync(command, commandArgs, { cwd: corpus, maxBuffer: 1 << 30 });
  if (result.error) throw result.error;
  const stdout = result.stdout.toString('utf8');
  try {
    return JSON.parse(stdout);
  } catch {
    console.error(`${command} ${commandArgs.join(' ')} exited ${result.status} without JSON output:`);
    console.error(result.stderr.toString('utf8').slice(0, 2000));
    process.exit(2);
  }
}

const pgReport = run(process.execPath, [pgwarden, 'lint', '.', '--format', 'json']);
const sqFindings = run(squawk, ['--reporter', 'json', '**/*.sql']);

const norm = (path) => path.replace(/\\/g, '/').replace(/^\.\//, '');

// pgwarden: file → findings (active and suppressed) as { rule, start, end }.
const pgByFile = new Map();
const pgActiveCount = new Map();
for (const file of pgReport.files) {
  const all = [...file.findings, ...file.suppressed].map((f) => ({ rule: f.ruleId, start: f.line, end: f.endLine ?? f.line }));
  pgByFile.set(norm(file.path), all);
  if (file.findings.length) pgActiveCount.set(norm(file.path), file.findings.length);
}

// squawk: its parse failures are reported as `syntax-error` findings; pgwarden reports parse
// errors apart from findings, so they are left out of the counts on both sides.
const sqCount = new Map();
let sqSyntaxErrors = 0;
for (const f of sqFindings) {
  if (f.rule_name === 'syntax-error') {
    sqSyntaxErrors++;
    continue;
  }
  sqCount.set(norm(f.file), (sqCount.get(norm(f.file)) ?? 0) + 1);
}

const sum = (map, keys = [...map.keys()]) => keys.reduce((total, key) => total + (map.get(key) ?? 0), 0);
const ratio = (a, b) => (b ? (a / b).toFixed(2) : '-');
const both = [...sqCount.keys()].filter((file) => pgActiveCount.has(file));
const linted = pgReport.summary.files;

console.log(`corpus: ${corpus}`);
console.log(`files linted by pgwarden: ${linted}; squawk syntax-error findings (not counted): ${sqSyntaxErrors}; pgwarden parse errors: ${pgReport.summary.parseErrors}`);
console.log('\nfindings per file (active pgwarden findings; squawk findings without syntax-error):');
console.log(`  ${'scope'.padEnd(34)} ${'files'.padStart(6)} ${'pgwarden'.padStart(9)} ${'per file'.padStart(9)} ${'squawk'.padStart(9)} ${'per file'.padStart(9)}`);
const row = (label, files, pg, sq) =>
  console.log(`  ${label.padEnd(34)} ${String(files).padStart(6)} ${String(pg).padStart(9)} ${ratio(pg, files).padStart(9)} ${String(sq).padStart(9)} ${ratio(sq, files).padStart(9)}`);
row('all linted files', linted, sum(pgActiveCount), sum(sqCount));
row('files both tools report on', both.length, sum(pgActiveCount, both), sum(sqCount, both));
console.log(`  (files with findings: pgwarden ${pgActiveCount.size}, squawk ${sqCount.size})`);

// Coverage of the mapped kinds.
const kinds = new Map();
for (const f of sqFindings) {
  const target = mapped(f.rule_name);
  if (!target) continue;
  const file = norm(f.file);
  const start = f.line + 1;
  const end = (f.line_end ?? f.line) + 1;
  const covered = (pgByFile.get(file) ?? []).some((p) => p.rule === target && p.start <= end && p.end >= start);
  const kind = kinds.get(f.rule_name) ?? { target, count: 0, covered: 0, missed: [] };
  kind.count++;
  if (covered) kind.covered++;
  else kind.missed.push(`${file}:${start}`);
  kinds.set(f.rule_name, kind);
}

console.log('\ncoverage of squawk findings by pgwarden (same file, overlapping lines, mapped rule, suppressed or not):');
console.log(`  ${'squawk rule'.padEnd(36)} ${'pgwarden rule'.padEnd(31)} ${'squawk'.padStart(7)} ${'covered'.padStart(8)} ${'missed'.padStart(7)}`);
const totals = { count: 0, covered: 0 };
for (const squawkRule of [...Object.keys(MAPPING), ...[...kinds.keys()].filter((k) => !(k in MAPPING))]) {
  const kind = kinds.get(squawkRule) ?? { target: mapped(squawkRule), count: 0, covered: 0, missed: [] };
  totals.count += kind.count;
  totals.covered += kind.covered;
  console.log(`  ${squawkRule.padEnd(36)} ${kind.target.padEnd(31)} ${String(kind.count).padStart(7)} ${String(kind.covered).padStart(8)} ${String(kind.missed.length).padStart(7)}`);
}
console.log(`  ${'total'.padEnd(36)} ${''.padEnd(31)} ${String(totals.count).padStart(7)} ${String(totals.covered).padStart(8)} ${String(totals.count - totals.covered).padStart(7)}`);

for (const [squawkRule, kind] of kinds) {
  if (!kind.missed.length) continue;
  console.log(`\nmissed ${squawkRule} (${kind.missed.length}):`);
  for (const where of kind.missed) console.log(`  ${where}`);
}
