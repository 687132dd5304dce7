import { parentPort, workerData } from 'node:worker_threads';
import { loadParser } from '../sql/parser.js';
import { analyseForEslint } from './analysis.js';
import { lintEmbeddedForEslint } from './embedded-analysis.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './worker-client.js';

/** The worker behind worker-client.ts: analyses files while the main thread's parser loads. */
const { signal, port } = workerData as WorkerData;

/** Resolves to null once the parser is loaded, or to why it could not be. */
const loading = loadParser().then(
  () => null,
  (error: unknown) => `the SQL parser could not be loaded: ${(error as Error).message}`,
);

parentPort!.on('message', (message: WorkerRequest) => {
  void loading.then((failure) => {
    let reply: WorkerReply;
    try {
      if (failure) reply = { error: failure };
      else if (message.kind === 'embedded') reply = { reports: lintEmbeddedForEslint(message.request) };
      else reply = { analysis: analyseForEslint(message.request) };
    } catch (error) {
      reply = { error: (error as Error).message };
    }
    port.postMessage(reply);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  });
});
