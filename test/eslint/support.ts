import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ESLint } from 'eslint';

/**
 * Projects for the real ESLint: a temporary directory (outside the repository, so `eslint .` of
 * this project never sees their configs) with `node_modules/pgwarden` linking to this package,
 * whose `pgwarden/eslint` export is the built plugin (`npm run build` first; `npm test` does).
 */
export const ROOT = join(import.meta.dirname, '../..');
export const ESLINT_BIN = join(ROOT, 'node_modules/eslint/bin/eslint.js');

if (!existsSync(join(ROOT, 'dist/src/eslint/index.js')) || !existsSync(join(ROOT, 'dist/src/eslint/index.cjs'))) {
  throw new Error('The ESLint plugin tests use the built package: run `npm run build` first.');
}

export type ConfigKind = 'esm' | 'cjs';

export interface ProjectOptions {
  kind?: ConfigKind;
  /** Config entries after `pgwarden.configs.recommended`, as JavaScript source (an array's items). */
  extraConfig?: string;
  files?: Record<string, string>;
  /** Copies this repository's SQL fixtures (`fixtures/rules`, `fixtures/layouts`) into the project. */
  fixtures?: boolean;
}

const projects: string[] = [];

export function project(options: ProjectOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-eslint-'));
  projects.push(dir);
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules/pgwarden'), 'dir');
  const extra = options.extraConfig ?? '';
  if (options.kind === 'cjs') {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cjs-project', private: true }));
    writeFileSync(
      join(dir, 'eslint.config.cjs'),
      `const pgwarden = require('pgwarden/eslint');\n\nmodule.exports = [\n  pgwarden.configs.recommended,\n${extra}\n];\n`,
    );
  } else {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'esm-project', private: true, type: 'module' }));
    writeFileSync(
      join(dir, 'eslint.config.js'),
      `import pgwarden from 'pgwarden/eslint';\n\nexport default [\n  pgwarden.configs.recommended,\n${extra}\n];\n`,
    );
  }
  if (options.fixtures) {
    for (const kind of ['rules', 'layouts']) cpSync(join(ROOT, 'fixtures', kind), join(dir, 'fixtures', kind), { recursive: true });
  }
  for (const [path, text] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export function removeProjects(): void {
  for (const dir of projects.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function configFile(dir: string): string {
  return existsSync(join(dir, 'eslint.config.cjs')) ? join(dir, 'eslint.config.cjs') : join(dir, 'eslint.config.js');
}

/** The ESLint Node API on a project, with its config file. */
export function eslintFor(dir: string, options: ESLint.Options = {}): ESLint {
  return new ESLint({ cwd: dir, overrideConfigFile: configFile(dir), ...options });
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The real ESLint CLI, as a child process, in a project. */
export function eslintCli(dir: string, args: readonly string[]): CliRun {
  const result = spawnSync(process.execPath, [ESLINT_BIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A message of an ESLint result, as the tests compare them. */
export function messageKey(message: { ruleId: string | null; line: number; column: number }): string {
  return `${message.ruleId ?? '(none)'} ${message.line}:${message.column}`;
}
