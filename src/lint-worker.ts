import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { allRules } from '../rules/index.js';
import type { SeveritySetting } from './analysis/finding.js';
import { displayPath, lintFile, type LintSettings } from './lint-file.js';
import type { WorkerInput } from './lint-parallel.js';
import { loadParser } from './sql/parser.js';

const input = workerData as WorkerInput;
const settings: LintSettings = {
  ...input.settings,
  rules: allRules,
  severities: new Map(input.settings.severities as Array<[string, SeveritySetting]>),
};
await loadParser();
const outcomes = input.files.map((file) =>
  lintFile(() => readFileSync(file, 'utf8'), displayPath(file, settings.cwd), settings, file),
);
parentPort!.postMessage(outcomes);
