import { readFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { allRules } from '../rules/index.js';
import type { RuleOptions } from './analysis/rule-options.js';
import { displayPath, lintFile, type FileOutcome, type LintSettings } from './lint-file.js';
import { historyUnits, HistoryReplay } from './migrations/replay.js';
import { stopPrestartedWorkers, takeWorkers } from './worker-pool.js';

export { prestartLintWorkers, stopPrestartedWorkers } from './worker-pool.js';

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
