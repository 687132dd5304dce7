// Lints ../shared/corpus/real with pgwarden and with squawk in the same run and prints wall times
// and their ratio (median of several runs each, interleaved so both see the same machine load).
// Usage: npm run build && node bench/lint-corpus.js [--runs N] [--corpus DIR]
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
const runs = Number(option('--runs', '7'));
const corpus = resolve(option('--corpus', process.env.PGWARDEN_CORPUS ?? join(root, '../shared/corpus/real')));
const pgwarden = join(root, 'bin/pgwarden.js');
const squawk = join(root, 'node_modules/.bin/squawk');

if (!existsSync(corpus)) {
  console.log(`corpus not found at ${corpus}: nothing to benchmark (set --corpus or PGWARDEN_CORPUS)`);
  process.exit(0);
}
if (!existsSync(join(root, 'dist/src/cli/main.js'))) {
  console.error('run `npm run build` first');
  process.exit(2);
}

const tools = {
  pgwarden: () => spawnSync(process.execPath, [pgwarden, 'lint', '.', '--format', 'json'], { cwd: corpus, maxBuffer: 1 << 30 }),
  squawk: () => spawnSync(squawk, ['--reporter', 'json', '**/*.sql'], { cwd: corpus, maxBuffer: 1 << 30 }),
};

function timed(run) {
  const start = process.hrtime.bigint();
  const result = run();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error) throw result.error;
  return { ms, stdout: result.stdout.toString('utf8') };
}

const times = { pgwarden: [], squawk: [] };
let last = {};
for (let i = 0; i < runs + 1; i++) {
  for (const [name, run] of Object.entries(tools)) {
    const { ms, stdout } = timed(run);
    if (i > 0) times[name].push(ms); // the first round warms the file cache
    last[name] = stdout;
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const pg = median(times.pgwarden);
const sq = median(times.squawk);
const report = JSON.parse(last.pgwarden);
const squawkFindings = JSON.parse(last.squawk);

const perRule = new Map();
for (const file of report.files) for (const f of file.findings) perRule.set(f.ruleId, (perRule.get(f.ruleId) ?? 0) + 1);

console.log(`corpus: ${corpus}`);
console.log(`files: ${report.summary.files}, parse errors: ${report.summary.parseErrors} (in ${report.files.filter((f) => f.parseErrors.length).length} files)`);
console.log(`pgwarden: median ${pg.toFixed(0)} ms over ${runs} runs, ${report.summary.findings} findings`);
console.log(`squawk:   median ${sq.toFixed(0)} ms over ${runs} runs, ${squawkFindings.length} findings`);
console.log(`ratio pgwarden/squawk: ${(pg / sq).toFixed(2)}x (target <= 2x)`);
console.log('\npgwarden findings per rule:');
for (const [rule, count] of [...perRule].sort((a, b) => b[1] - a[1])) console.log(`  ${String(count).padStart(6)}  ${rule}`);
