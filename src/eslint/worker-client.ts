import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { FileReport } from '../report/schema.js';
import type { AnalysisRequest, SqlFileAnalysis } from './analysis.js';
import type { EmbeddedRequest } from './embedded-analysis.js';

/** What the analysis worker is asked: a SQL file's analysis, or the reports of a TS/JS migration. */
export type WorkerRequest = { kind: 'sql'; request: AnalysisRequest } | { kind: 'embedded'; request: EmbeddedRequest };

/** What the analysis worker answers: the analysis or reports, or the error it threw. */
export type WorkerReply = { analysis: SqlFileAnalysis } | { reports: FileReport[] } | { error: string };

export interface WorkerData {
  /** Set to 1 by the worker when a reply is waiting on `port`. */
  signal: Int32Array;
  port: MessagePort;
}

const WORKER_URL = new URL('./analysis-worker.js', import.meta.url);
/** Starting the worker and loading the parser there takes well under a second. */
const TIMEOUT_MS = 30_000;

interface Channel {
  worker: Worker;
  port: MessagePort;
  signal: Int32Array;
}

let channel: Channel | undefined;

function open(): Channel {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const data: WorkerData = { signal, port: port2 };
  const worker = new Worker(WORKER_URL, { workerData: data, transferList: [port2] });
  // Neither keeps the process alive; an error surfaces as a timeout of the waiting call.
  worker.unref();
  worker.on('error', () => undefined);
  return { worker, port: port1, signal };
}

/** Runs the analysis on the worker thread and blocks this thread until it answers. */
export function analyseOnWorker(request: AnalysisRequest): SqlFileAnalysis {
  const reply = ask({ kind: 'sql', request });
  if (!('analysis' in reply)) throw new Error('the analysis worker sent an unexpected reply');
  return reply.analysis;
}

/** Lints a TS/JS migration's SQL on the worker thread, blocking this thread until it answers. */
export function lintEmbeddedOnWorker(request: EmbeddedRequest): FileReport[] {
  const reply = ask({ kind: 'embedded', request });
  if (!('reports' in reply)) throw new Error('the analysis worker sent an unexpected reply');
  return reply.reports;
}

function ask(message: WorkerRequest): Exclude<WorkerReply, { error: string }> {
  channel ??= open();
  const { worker, port, signal } = channel;
  Atomics.store(signal, 0, 0);
  worker.postMessage(message);
  if (Atomics.wait(signal, 0, 0, TIMEOUT_MS) === 'timed-out') {
    closeAnalysisWorker();
    throw new Error(`the SQL parser did not answer within ${TIMEOUT_MS / 1000} s`);
  }
  const reply = receiveMessageOnPort(port)?.message as WorkerReply | undefined;
  if (!reply) throw new Error('the analysis worker sent no reply');
  if ('error' in reply) throw new Error(reply.error);
  return reply;
}

/** Stops the worker once the parser is ready on this thread. */
export function closeAnalysisWorker(): void {
  if (!channel) return;
  void channel.worker.terminate();
  channel.port.close();
  channel = undefined;
}
