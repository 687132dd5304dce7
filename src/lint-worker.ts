import { parentPort } from 'node:worker_threads';
import { allRules } from '../rules/index.js';
import type { SeveritySetting } from './analysis/finding.js';
import { EMBEDDED_FILE, loadEmbeddedSupport, type LintSettings } from './lint-file.js';
import { drainFiles, type WorkerJob, type WorkerOutput } from './lint-parallel.js';
import { loadParser } from './sql/parser.js';

// Loading happens before the job arrives: that is the point of starting workers early.
await loadParser();

parentPort!.once('message', async (job: WorkerJob) => {
  if (job.files.some((file) => EMBEDDED_FILE.test(file))) await loadEmbeddedSupport();
  const settings: LintSettings = {
    ...job.settings,
    rules: allRules,
    severities: new Map(job.settings.severities as Array<[string, SeveritySetting]>),
    ruleOptions: new Map(job.settings.ruleOptions),
  };
  const output: WorkerOutput = [];
  drainFiles(job, new Int32Array(job.next), settings, output);
  parentPort!.postMessage(output);
});
