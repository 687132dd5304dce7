import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseYaml } from '../support/yaml.js';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/pgwarden.js');
const packageBin = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin;

interface HookDefinition {
  id: string;
  entry: string;
  args?: string[];
  language: string;
  types: string[];
  pass_filenames: boolean;
  require_serial: boolean;
}

const hooks = parseYaml(readFileSync(join(root, '.pre-commit-hooks.yaml'), 'utf8'), '.pre-commit-hooks.yaml') as HookDefinition[];

/** POSIX shell single quoting. */
const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * A `.git/hooks/pre-commit` that runs what pre-commit runs for `hook`: its entry and args, then
 * the staged SQL files, all in one process. `pgwarden` in the entry is the package's bin, here
 * the built CLI of this checkout.
 */
function hookScript(hook: HookDefinition): string {
  const [command, ...entryArgs] = hook.entry.split(/\s+/);
  expect(packageBin[command!]).toBe('bin/pgwarden.js');
  const argv = [process.execPath, bin, ...entryArgs, ...(hook.args ?? [])].map(quote).join(' ');
  return [
    '#!/bin/sh',
    `# pre-commit hook "${hook.id}" from .pre-commit-hooks.yaml: one pgwarden process for every staged SQL file.`,
    '# File names are split on newlines only, and never globbed.',
    "IFS='",
    "'",
    'set -f',
    "files=$(git -c core.quotePath=false diff --cached --name-only --diff-filter=ACM -- '*.sql')",
    '[ -n "$files" ] || exit 0',
    `exec ${argv} $files`,
    '',
  ].join('\n');
}

/** The environment without the caller's git settings (GIT_DIR and the like when run from a hook). */
function gitEnv(home: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_')));
  return { ...env, HOME: home, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', NO_COLOR: '1' };
}

describe('.pre-commit-hooks.yaml', () => {
  it('defines pgwarden-lint and pgwarden-lint-max-risk for SQL files, one serial process each', () => {
    const common = { entry: 'pgwarden lint', language: 'node', types: ['sql'], pass_filenames: true, require_serial: true };
    expect(hooks.find((h) => h.id === 'pgwarden-lint')).toMatchObject(common);
    expect(hooks.find((h) => h.id === 'pgwarden-lint-max-risk')).toMatchObject({ ...common, args: ['--max-risk', 'medium'] });
  });
});

describe('a git pre-commit hook running pgwarden-lint-max-risk', () => {
  let repo: string;
  const git = (...args: string[]) => {
    const result = spawnSync('git', args, { cwd: repo, env: gitEnv(repo), encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  };
  const commits = () => git('log', '--format=%s').output.trim().split('\n');

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'pgwarden-precommit-'));
    expect(git('init', '-q', '-b', 'main').status).toBe(0);
    git('config', 'user.name', 'pgwarden test');
    git('config', 'user.email', 'test@example.com');
    git('config', 'commit.gpgsign', 'false');
    // DROP TABLE only warns here, so refusing it is the hook's --max-risk medium at work.
    write('package.json', JSON.stringify({ private: true, pgwarden: { rules: { 'no-drop-table': 'warning' } } }));
    const hook = join(repo, '.git/hooks/pre-commit');
    writeFileSync(hook, hookScript(hooks.find((h) => h.id === 'pgwarden-lint-max-risk')!));
    chmodSync(hook, 0o755);
  });

  it('accepts a low-risk migration', () => {
    write('migrations/0001_create_users.sql', 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n');
    git('add', '.');
    const commit = git('commit', '-q', '-m', 'create users');
    expect(commit.status, commit.output).toBe(0);
    expect(commit.output).toContain('0 findings (0 errors, 0 warnings) in 1 file');
    expect(commits()).toEqual(['create users']);
  });

  it('refuses a high-risk migration, printing the finding, and commits nothing', () => {
    write('migrations/0002_drop_legacy.sql', 'DROP TABLE legacy_events;\n');
    git('add', 'migrations/0002_drop_legacy.sql');
    const commit = git('commit', '-q', '-m', 'drop legacy events');
    expect(commit.status).not.toBe(0);
    expect(commit.output).toContain('migrations/0002_drop_legacy.sql  risk high — above --max-risk medium');
    expect(commit.output).toContain('no-drop-table');
    expect(commit.output).toContain('DROP TABLE legacy_events deletes the table and all rows.');
    expect(commits()).toEqual(['create users']);
    expect(git('diff', '--cached', '--name-only').output.trim()).toBe('migrations/0002_drop_legacy.sql');

    // The same file passes `pgwarden lint` without --max-risk (the pgwarden-lint hook): the args matter.
    const plain = spawnSync(process.execPath, [bin, 'lint', 'migrations/0002_drop_legacy.sql'], { cwd: repo, encoding: 'utf8' });
    expect(plain.status).toBe(0);
    git('reset', '-q');
    git('stash', '-q', '--include-untracked');
  });

  it('lints all staged SQL files in one pgwarden process', () => {
    for (let i = 0; i < 49; i++) write(`migrations/batch/${String(100 + i)}_t${i}.sql`, `CREATE TABLE t${i} (id bigint PRIMARY KEY);\n`);
    write('migrations/batch/150 name with spaces.sql', 'CREATE TABLE t_spaces (id bigint PRIMARY KEY);\n');
    write('README.md', 'not SQL: not passed to the hook\n');
    git('add', '.');
    const commit = git('commit', '-q', '-m', 'fifty tables');
    expect(commit.status, commit.output).toBe(0);
    // One summary covering all 50 files: a single process received every staged SQL file.
    expect(commit.output.match(/in \d+ files?/g)).toEqual(['in 50 files']);
    expect(commits()[0]).toBe('fifty tables');
  });

  it('runs nothing when no SQL file is added or changed (a deletion only)', () => {
    git('rm', '-q', 'migrations/batch/100_t0.sql');
    const commit = git('commit', '-q', '-m', 'remove t0');
    expect(commit.status, commit.output).toBe(0);
    expect(commit.output).not.toContain('findings');
    expect(commits()[0]).toBe('remove t0');
  });
});
