import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { allRules } from '../rules/index.js';
import { displayPath, lintFile, type FileOutcome, type LintSettings } from './lint-file.js';

/** Below this many files a worker's start-up costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 200;

export interface WorkerInput {
  files: string[];
  settings: Omit<LintSettings, 'rules' | 'severities'> & { severities: Array<[string, string]> };
}

const workerUrl = new URL('./lint-worker.js', import.meta.url);

/**
 * Lints files on every core: the main thread takes a share and worker threads the rest. Results
 * come back in input order. Runs single-threaded for small inputs, when PGWARDEN_THREADS=1, with
 * custom rule sets (functions cannot cross threads), or from TypeScript sources (no built worker).
 */
export async function lintInParallel(files: readonly string[], settings: LintSettings): Promise<FileOutcome[]> {
  const lintOne = (file: string) => lintFile(() => readFileSync(file, 'utf8'), displayPath(file, settings.cwd), settings, file);
  const threads = Math.min(Number(process.env['PGWARDEN_THREADS']) || availableParallelism(), 8);
  const canUseWorkers =
    threads > 1 && files.length >= MIN_FILES_FOR_WORKERS && settings.rules === allRules && existsSync(fileURLToPath(workerUrl));
  if (!canUseWorkers) return files.map(lintOne);

  // Interleave so every share gets a mix of small and large files.
  const shares: string[][] = Array.from({ length: threads }, () => []);
  files.forEach((file, i) => shares[i % threads]!.push(file));
  const { rules: _rules, severities, ...plain } = settings;
  const workers = shares.slice(1).map((share) => runWorker({ files: share, settings: { ...plain, severities: [...severities] } }));
  const mine = shares[0]!.map(lintOne);
  const theirs = await Promise.all(workers);
  const results = [mine, ...theirs];
  return files.map((_, i) => results[i % threads]![Math.floor(i / threads)]!);
}

function runWorker(input: WorkerInput): Promise<FileOutcome[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl, { workerData: input });
    worker.once('message', (outcomes: FileOutcome[]) => resolve(outcomes));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`lint worker exited with code ${code}`));
    });
  });
}
