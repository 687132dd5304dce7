import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHook, type HookOptions, type HookStream } from '../../src/executor/hooks.js';

const cwd = mkdtempSync(join(tmpdir(), 'pgwarden-hooks-'));
const node = JSON.stringify(process.execPath);
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

let scripts = 0;

/** A shell command that runs a Node script (written to the hooks' working directory), the same on every platform. */
function script(source: string): string {
  const file = `hook-${++scripts}.cjs`;
  writeFileSync(join(cwd, file), source);
  return `${node} ${file}`;
}

function run(command: string, options: Partial<HookOptions> = {}) {
  const lines: Array<[HookStream, string]> = [];
  const result = runHook(command, { cwd, env: {}, secrets: [], onOutput: (line, stream) => lines.push([stream, line]), ...options });
  return result.then((r) => ({ ...r, lines }));
}

describe('runHook', () => {
  it('runs a command that succeeds', async () => {
    const result = await run(script('console.log("backup done")'));
    expect(result).toMatchObject({ ok: true, exitCode: 0, signal: null, output: 'backup done', reason: 'exited with code 0' });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a non-zero exit without throwing, with the output so far', async () => {
    const result = await run(script('console.error("disk full"); process.exit(3)'));
    expect(result).toMatchObject({ ok: false, exitCode: 3, signal: null, output: 'disk full', reason: 'exited with code 3' });
  });

  it('reports a command the shell cannot find', async () => {
    const result = await run('pgwarden-no-such-command-4711 --flag');
    expect(result.ok).toBe(false);
    expect(result.exitCode).not.toBe(0);
    if (process.platform !== 'win32') expect(result.reason).toBe('exited with code 127 (command not found)');
    expect(result.output).toMatch(/pgwarden-no-such-command-4711/);
  });

  it('reports a working directory that does not exist', async () => {
    const result = await run(script('1'), { cwd: join(cwd, 'missing') });
    expect(result).toMatchObject({ ok: false, exitCode: null, signal: null });
    expect(result.reason).toMatch(/^could not start in .*missing: /);
  });

  it('reports a command that cannot be passed to a shell', async () => {
    const result = await run('echo \0');
    expect(result).toMatchObject({ ok: false, exitCode: null, signal: null, output: '' });
    expect(result.reason).toMatch(/^could not start: /);
  });

  it('reports a command killed by a signal', async () => {
    if (process.platform === 'win32') return;
    const result = await run('kill -TERM $$');
    expect(result).toMatchObject({ ok: false, exitCode: null, signal: 'SIGTERM', reason: 'killed by SIGTERM' });
  });

  it('streams stdout and stderr lines in the order they are written', async () => {
    const source = [
      'const wait = (ms) => new Promise((r) => setTimeout(r, ms));',
      '(async () => {',
      '  process.stdout.write("one\\ntw"); await wait(50); process.stdout.write("o\\n"); await wait(50);',
      '  process.stderr.write("three\\n"); await wait(50);',
      '  process.stdout.write("four\\r\\nfive");',
      '})();',
    ].join('\n');
    const result = await run(script(source));
    expect(result.lines).toEqual([
      ['stdout', 'one'],
      ['stdout', 'two'],
      ['stderr', 'three'],
      ['stdout', 'four'],
      ['stdout', 'five'],
    ]);
    expect(result.output).toBe('one\ntwo\nthree\nfour\nfive');
  });

  it('masks secrets, and their URL-encoded forms, in streamed lines, output and reason', async () => {
    const secret = 'p@ss/w:rd';
    const source = `console.log("password is ${secret}"); console.log("url postgres://app:${encodeURIComponent(secret)}@db/app"); process.exit(1)`;
    const result = await run(script(source), { secrets: [secret] });
    expect(result.output).not.toContain(secret);
    expect(result.output).not.toContain(encodeURIComponent(secret));
    expect(result.lines.map(([, line]) => line)).toEqual(['password is ***', 'url postgres://app:***@db/app']);
    expect(result.ok).toBe(false);
  });

  it('masks a secret written in two pieces', async () => {
    const source = 'process.stdout.write("token=s3cr"); setTimeout(() => process.stdout.write("et-value\\n"), 50);';
    const result = await run(script(source), { secrets: ['s3cret-value'] });
    expect(result.lines).toEqual([['stdout', 'token=***']]);
  });

  it('passes the environment on top of pgwarden’s own, and can remove a variable', async () => {
    const source = 'console.log([process.env.PGWARDEN_ENV, process.env.PGWARDEN_DATABASE_URL, process.env.PATH ? "path" : "", String(process.env.HOOK_GONE)].join(" "))';
    process.env['HOOK_GONE'] = 'here';
    try {
      const result = await run(script(source), {
        env: { PGWARDEN_ENV: 'staging', PGWARDEN_DATABASE_URL: 'postgres://app@db/app', HOOK_GONE: undefined },
      });
      expect(result.output).toBe('staging postgres://app@db/app path undefined');
    } finally {
      delete process.env['HOOK_GONE'];
    }
  });

  it('runs in the given working directory', async () => {
    const result = await run(script('console.log(process.cwd())'));
    expect(result.output).toBe(realpathSync(cwd));
  });
});
