import { isParserReady } from '../sql/parser.js';
import { analyseForEslint, type AnalysisRequest, type SqlFileAnalysis } from './analysis.js';
import type { FileReport } from '../report/schema.js';
import { lintEmbeddedForEslint, type EmbeddedRequest } from './embedded-analysis.js';
import { analyseOnWorker, closeAnalysisWorker, lintEmbeddedOnWorker } from './worker-client.js';

/**
 * Analyses a file synchronously, as ESLint's `parse()` must. The ES module entry loads the SQL
 * parser (WebAssembly) with top-level await, so it is always ready there. A CommonJS
 * `require('pgwarden/eslint')` cannot wait for it: until the parser is ready on this thread, the
 * analysis runs on a worker thread that this thread waits for.
 */
export function analyseSync(request: AnalysisRequest): SqlFileAnalysis {
  if (isParserReady()) {
    closeAnalysisWorker();
    return analyseForEslint(request);
  }
  return analyseOnWorker(request);
}

/** lintEmbeddedForEslint, synchronously, as ESLint rules must run (see analyseSync). */
export function lintEmbeddedSync(request: EmbeddedRequest): FileReport[] {
  if (isParserReady()) {
    closeAnalysisWorker();
    return lintEmbeddedForEslint(request);
  }
  return lintEmbeddedOnWorker(request);
}
