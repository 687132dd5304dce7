import { createRequire } from 'node:module';
import { join } from 'node:path';
import type TS from 'typescript';
import { MissingTypeScriptError } from './types.js';

export type TypeScript = typeof TS;

let loaded: TypeScript | undefined;

/**
 * The TypeScript compiler API, loaded on first use (synchronously, so ESLint rules can call the
 * extractor). It is looked up from pgwarden's own location, then from the working directory's
 * project, which covers a global or `npx` pgwarden linting a project that has TypeScript.
 */
export function loadTypeScript(): TypeScript {
  if (loaded) return loaded;
  for (const from of [import.meta.url, join(process.cwd(), 'package.json')]) {
    try {
      loaded = createRequire(from)('typescript') as TypeScript;
      return loaded;
    } catch (error) {
      if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  throw new MissingTypeScriptError();
}
