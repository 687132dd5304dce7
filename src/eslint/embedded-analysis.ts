import { lintEmbedded } from '../embedded/lint-embedded.js';
import type { FileReport } from '../report/schema.js';
import { requestTarget, type ResolvedSqlOptions, type RuleWithOptions } from './analysis.js';

/** What the JS/TS rules need to lint one migration's embedded SQL; plain data (a worker may receive it). */
export interface EmbeddedRequest {
  text: string;
  /** The path ESLint lints the file under; absolute for files on disk. */
  path: string;
  /** Report paths (a rollback named in a message) are relative to this directory. */
  cwd: string;
  options: ResolvedSqlOptions;
  /** Run only this rule, with these (validated) options: an ESLint rule configured with options. */
  rule?: RuleWithOptions;
}

/**
 * Runs `pgwarden lint`'s analysis of a TS/JS migration (lintEmbedded: extraction, up and down
 * parts, JS-comment directives, dynamic parts as `unanalyzable-statement`) with every rule at
 * `error`, as the SQL language does: ESLint's severities decide what is shown. Positions are
 * the JS/TS file's 1-based lines and 1-based UTF-16 columns. Requires the SQL parser to be loaded.
 */
export function lintEmbeddedForEslint(request: EmbeddedRequest): FileReport[] {
  const { settings, path, absolutePath } = requestTarget(request);
  return lintEmbedded(request.text, path, settings, absolutePath);
}
