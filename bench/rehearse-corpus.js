// Rehearses a long migration history from ../shared/corpus/real on a scratch database (PGlite by
// default) through the CLI, and prints the wall time (process start to exit, PGlite's start
// included), per-migration timings (slowest first, and the distribution), how far it got (a
// failing migration stops the run: which one, and why), and the findings per trace rule.
// Usage: npm run build && node bench/rehearse-corpus.js [--dir DIR] [--database URL] [--seed FILE] [--top N]
// (--seed bench/seeds/diesel-history.sql gives Lemmy's migrations the table Diesel itself creates.)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const corpus = resolve(process.env.PGWARDEN_CORPUS ?? join(root, '../shared/corpus/real'));
const dir = resolve(option('--dir', join(corpus, 'LemmyNet__lemmy/migrations')));
const database = option('--database', 'pglite:memory');
const top = Number(option('--top', '10'));
const seed = option('--seed', undefined);

if (!existsSync(dir)) {
  console.log(`migrations not found at ${dir}: nothing to rehearse (set --dir or PGWARDEN_CORPUS)`);
  process.exit(0);
}
if (!existsSync(join(root, 'dist/src/cli/main.js'))) {
  console.error('run `npm run build` first');
  process.exit(2);
}

const started = process.hrtime.bigint();
const seedArgs = seed === undefined ? [] : ['--seed', resolve(seed)];
const run = spawnSync(process.execPath, [join(root, 'bin/pgwarden.js'), 'rehearse', dir, '--database', database, ...seedArgs, '--format', 'json'], {
  cwd: dirname(dir),
  maxBuffer: 1 << 30,
});
const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
if (run.error) throw run.error;
if (run.status === 2) {
  console.error(run.stderr.toString('utf8'));
  process.exit(2);
}
const report = JSON.parse(run.stdout.toString('utf8'));
const rehearsal = report.rehearsal;
const migrations = rehearsal.migrations;
const byStatus = (status) => migrations.filter((m) => m.status === status);
const rehearsed = [...byStatus('rehearsed'), ...byStatus('failed')];

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const ms = (value) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
console.log(`${relative(root, dir) || dir}: ${migrations.length} migrations on ${rehearsal.database} (PostgreSQL ${rehearsal.serverVersion})`);
console.log(`wall time ${seconds(wallMs)} (rehearsal ${seconds(rehearsal.durationMs)}, the rest is Node, PGlite's start and the static analysis)`);
console.log(
  `rehearsed ${rehearsed.length}, failed ${byStatus('failed').length}, not rehearsed ${byStatus('not-rehearsed').length}; ` +
    `rollbacks verified ${migrations.filter((m) => m.rollback === 'verified').length}, ` +
    `not restoring the schema ${migrations.filter((m) => m.rollback === 'mismatch').length}, failing ${migrations.filter((m) => m.rollback === 'failed').length}`,
);

const times = rehearsed.map((m) => m.durationMs).sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
console.log(`per migration (up traced, down, schema comparisons, up again): median ${ms(at(0.5))}, p90 ${ms(at(0.9))}, max ${ms(at(1))}`);
console.log(`\nslowest ${top}:`);
for (const m of [...rehearsed].sort((a, b) => b.durationMs - a.durationMs).slice(0, top)) {
  const parts = [m.up && `up ${ms(m.up.durationMs)} (${m.up.statements} statements)`, m.down && `down ${ms(m.down.durationMs)}`].filter(Boolean);
  console.log(`  ${ms(m.durationMs).padStart(8)}  ${m.id}  ${parts.join(', ')}`);
}

const failed = byStatus('failed')[0];
if (failed) {
  const finding = report.files.flatMap((f) => f.findings.map((x) => ({ ...x, path: f.path }))).find((x) => x.ruleId === 'migration-failed');
  console.log(`\nstopped at ${failed.id}: ${finding ? `${finding.path}:${finding.line}:${finding.column} ${finding.message}` : failed.note}`);
}

const perRule = new Map();
for (const file of report.files) for (const f of file.findings) perRule.set(f.ruleId, (perRule.get(f.ruleId) ?? 0) + 1);
console.log('\nfindings per rule:');
for (const [rule, count] of [...perRule].sort((a, b) => b[1] - a[1])) console.log(`  ${String(count).padStart(5)}  ${rule}`);
