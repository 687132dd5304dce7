import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { allRules } from '../rules/index.js';
import { displayPath, lintFile, type FileOutcome, type LintSettings } from './lint-file.js';

/** Below this many files a worker's start-up costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 200;

export interface WorkerInput {
  files: readonly string[];
  /** One Int32 shared by all threads: the index of the next file to take. */
  next: SharedArrayBuffer;
  settings: Omit<LintSettings, 'rules' | 'severities'> & { severities: Array<[string, string]> };
}

export type WorkerOutput = Array<[index: number, outcome: FileOutcome]>;

const workerUrl = new URL('./lint-worker.js', import.meta.url);

/** Takes files from the shared counter until none are left. */
export function drainFiles(
  files: readonly string[],
  next: Int32Array,
  settings: LintSettings,
  out: WorkerOutput,
): void {
  for (let i = Atomics.add(next, 0, 1); i < files.length; i = Atomics.add(next, 0, 1)) {
    const file = files[i]!;
    out.push([i, lintFile(() => readFileSync(file, 'utf8'), displayPath(file, settings.cwd), settings, file)]);
  }
}

/**
 * Lints files on every core. The main thread starts at once and worker threads join as soon as
 * they have loaded; all take the next file from a shared counter, so a slow start or a large
 * file never leaves a core idle. Results come back in input order. Runs on one thread for small
 * inputs, with PGWARDEN_THREADS=1, with custom rule sets (functions cannot cross threads), and
 * from TypeScript sources (no built worker).
 */
export async function lintInParallel(files: readonly string[], settings: LintSettings): Promise<FileOutcome[]> {
  const threads = Math.min(Number(process.env['PGWARDEN_THREADS']) || availableParallelism(), 8);
  const parallel =
    threads > 1 && files.length >= MIN_FILES_FOR_WORKERS && settings.rules === allRules && existsSync(fileURLToPath(workerUrl));
  const next = new SharedArrayBuffer(4);
  const { rules: _rules, severities, ...plain } = settings;
  const input: WorkerInput = { files, next, settings: { ...plain, severities: [...severities] } };
  const workers = parallel ? Array.from({ length: threads - 1 }, () => runWorker(input)) : [];

  const mine: WorkerOutput = [];
  drainFiles(files, new Int32Array(next), settings, mine);
  const outcomes = new Array<FileOutcome>(files.length);
  for (const share of [mine, ...(await Promise.all(workers))]) {
    for (const [index, outcome] of share) outcomes[index] = outcome;
  }
  return outcomes;
}

function runWorker(input: WorkerInput): Promise<WorkerOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl, { workerData: input });
    worker.once('message', (output: WorkerOutput) => resolve(output));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`lint worker exited with code ${code}`));
    });
  });
}
