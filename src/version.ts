import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function readVersion(): string {
  // Works from src/ (tests) and from dist/src/ (the built CLI).
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === 'pgwarden' && pkg.version) return pkg.version;
    } catch {
      // Try the next location.
    }
  }
  return '0.0.0';
}

export const TOOL_VERSION = readVersion();
