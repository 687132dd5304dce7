import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

vi.mock('../../src/embedded/typescript.js', async () => {
  const { MissingTypeScriptError } = await import('../../src/embedded/types.js');
  return {
    loadTypeScript: () => {
      throw new MissingTypeScriptError();
    },
  };
});

it('reports TS/JS files it cannot read without typescript, and still lints .sql files', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'pgwarden-no-ts-'));
  writeFileSync(join(cwd, 'a.sql'), 'CREATE TABLE t (id bigint PRIMARY KEY);\n');
  writeFileSync(join(cwd, '1700000000000_m.js'), "exports.up = (pgm) => pgm.sql('SELECT 1');\n");
  let stdout = '';
  const code = await main(['lint', 'a.sql', '1700000000000_m.js', '--format', 'json'], {
    cwd,
    env: {},
    stdout: (text) => (stdout += text),
    stderr: () => undefined,
    readStdin: async () => '',
    stdoutIsTTY: false,
  });
  expect(code).toBe(1);
  const files = (JSON.parse(stdout) as { files: Array<{ path: string; risk: string; parseErrors: Array<{ message: string }> }> }).files;
  expect(files.map((f) => [f.path, f.risk])).toEqual([
    ['1700000000000_m.js', 'high'],
    ['a.sql', 'low'],
  ]);
  expect(files[0]!.parseErrors[0]!.message).toMatch(/needs the "typescript" package, which is not installed: npm install --save-dev typescript$/);
});
