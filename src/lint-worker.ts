import { parentPort, workerData } from 'node:worker_threads';
import { allRules } from '../rules/index.js';
import type { SeveritySetting } from './analysis/finding.js';
import type { LintSettings } from './lint-file.js';
import { drainFiles, type WorkerInput, type WorkerOutput } from './lint-parallel.js';
import { loadParser } from './sql/parser.js';

const input = workerData as WorkerInput;
const settings: LintSettings = {
  ...input.settings,
  rules: allRules,
  severities: new Map(input.settings.severities as Array<[string, SeveritySetting]>),
};
await loadParser();
const output: WorkerOutput = [];
drainFiles(input.files, new Int32Array(input.next), settings, output);
parentPort!.postMessage(output);
