import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/*
 * The lint worker threads, in a module of their own with no rule or analysis imports: the binary
 * starts the workers before it loads the CLI, so their start-up overlaps all of the main thread's.
 */

const workerUrl = new URL('./lint-worker.js', import.meta.url);

export function threadCount(): number {
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

/** The started workers (starting them if needed), now owned by the caller. */
export function takeWorkers(): Worker[] {
  prestartLintWorkers();
  const workers = pool;
  pool = [];
  return workers;
}

export function stopPrestartedWorkers(): void {
  for (const worker of pool) void worker.terminate();
  pool = [];
}
