import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { allRules } from '../rules/index.js';
import type { RuleOptions } from './analysis/rule-options.js';
import { displayPath, lintFile, type FileOutcome, type LintSettings } from './lint-file.js';
import { historyUnits, HistoryReplay } from './migrations/replay.js';

/** Below this many files a worker's start-up costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 200;

export interface WorkerJob {
  files: readonly string[];
  /** Indexes into `files`: one migration history each, in the order its migrations run. */
  units: ReadonlyArray<readonly number[]>;
  /** One Int32 shared by all threads: the index of the next unit to take. */
  next: SharedArrayBuffer;
  settings: Omit<LintSettings, 'rules' | 'severities' | 'ruleOptions'> & {
    severities: Array<[string, string]>;
    ruleOptions: Array<[string, RuleOptions]>;
  };
}

export type WorkerOutput = Array<[index: number, outcome: FileOutcome]>;

const workerUrl = new URL('./lint-worker.js', import.meta.url);

function threadCount(): number {
  return Math.max(1, Math.min(Number(process.env['PGWARDEN_THREADS']) || availableParallelism(), 8));
}

/** Workers started ahead of time, so their start-up overlaps config loading and file discovery. */
let pool: Worker[] = [];

/**
 * Starts the worker threads a large lint will use. Idle workers do not keep the process alive;
 * workers a lint does not use are stopped when it ends.
 */
export function prestartLintWorkers(): void {
  if (pool.length || threadCount() < 2 || !existsSync(fileURLToPath(workerUrl))) return;
  pool = Array.from({ length: threadCount() - 1 }, () => {
    const worker = new Worker(workerUrl);
    worker.unref();
    // A worker that fails to start is simply not used; its error must not crash the CLI.
    worker.on('error', () => undefined);
    return worker;
  });
}

function takeWorkers(): Worker[] {
  prestartLintWorkers();
  const workers = pool;
  pool = [];
  return workers;
}

/** Takes histories from the shared counter until none are left. */
export function drainFiles(job: Pick<WorkerJob, 'files' | 'units'>, next: Int32Array, settings: LintSettings, out: WorkerOutput): void {
  const replay = new HistoryReplay(settings.layout);
  for (let u = Atomics.add(next, 0, 1); u < job.units.length; u = Atomics.add(next, 0, 1)) {
    for (const i of job.units[u]!) {
      const file = job.files[i]!;
      out.push([i, lintFile(() => readFileSync(file, 'utf8'), displayPath(file, settings.cwd), settings, file, replay)]);
    }
  }
}

/**
 * Lints files on every core. The main thread starts at once and worker threads join as soon as
 * they are ready; all take the next migration history from a shared counter, so a slow start
 * never leaves a core idle. Results come back in input order. Runs on one thread for small
 * inputs, with PGWARDEN_THREADS=1, with custom rule sets (functions cannot cross threads), and
 * from TypeScript sources (no built worker).
 */
export async function lintInParallel(files: readonly string[], settings: LintSettings): Promise<FileOutcome[]> {
  const parallel = files.length >= MIN_FILES_FOR_WORKERS && settings.rules === allRules;
  const workers = parallel ? takeWorkers() : [];
  if (!parallel) stopPrestartedWorkers();

  const next = new SharedArrayBuffer(4);
  const { rules: _rules, severities, ruleOptions, ...plain } = settings;
  const job: WorkerJob = {
    files,
    units: historyUnits(files, settings.layout),
    next,
    settings: { ...plain, severities: [...severities], ruleOptions: [...(ruleOptions ?? [])] },
  };
  const results = workers.map((worker) => runJob(worker, job));

  const mine: WorkerOutput = [];
  drainFiles(job, new Int32Array(next), settings, mine);
  const outcomes = new Array<FileOutcome>(files.length);
  for (const share of [mine, ...(await Promise.all(results))]) {
    for (const [index, outcome] of share) outcomes[index] = outcome;
  }
  return outcomes;
}

export function stopPrestartedWorkers(): void {
  for (const worker of pool) void worker.terminate();
  pool = [];
}

function runJob(worker: Worker, job: WorkerJob): Promise<WorkerOutput> {
  return new Promise((resolve, reject) => {
    worker.ref();
    const finish = () => void worker.terminate();
    worker.once('message', (output: WorkerOutput) => {
      finish();
      resolve(output);
    });
    worker.once('error', (error) => {
      finish();
      reject(error);
    });
    worker.once('exit', (code) => reject(new Error(`lint worker exited with code ${code}`)));
    worker.postMessage(job);
  });
}
