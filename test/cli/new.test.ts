import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError, type CliIO } from '../../src/cli/io.js';
import { runNew } from '../../src/cli/new.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-cli-new-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function run(cwd: string, name: string, format = 'text') {
  let stdout = '';
  const io: CliIO = {
    cwd,
    env: {},
    stdout: (text) => (stdout += text),
    stderr: () => undefined,
    readStdin: async () => '',
    stdoutIsTTY: false,
  };
  const code = await runNew(name, { format }, io);
  return { code, stdout };
}

describe('pgwarden new (CLI)', () => {
  it('writes into the configured directory and layout and prints the paths relative to the working directory', async () => {
    const cwd = project({
      '.pgwardenrc.json': JSON.stringify({ migrations: { dir: 'db/migrations', layout: 'flyway' } }),
      'db/migrations/V7__create_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
    });
    expect(await run(cwd, 'Add email')).toEqual({
      code: 0,
      stdout: 'db/migrations/V8__add_email.sql\ndb/migrations/U8__add_email.sql\n',
    });
    expect(existsSync(join(cwd, 'db/migrations/U8__add_email.sql'))).toBe(true);
  });

  it('--format json prints the id and the files', async () => {
    const cwd = project({ 'migrations/0001_init.up.sql': 'SELECT 1;\n' });
    const { code, stdout } = await run(cwd, 'add email', 'json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      id: '0002_add_email',
      files: ['migrations/0002_add_email.up.sql', 'migrations/0002_add_email.down.sql'],
    });
  });

  it('an unusable name, an unknown format or an existing file is a usage error', async () => {
    const cwd = project({ 'migrations/0001_init.up.sql': 'SELECT 1;\n' });
    await expect(run(cwd, '!!!')).rejects.toThrow(UsageError);
    await expect(run(cwd, 'x', 'yaml')).rejects.toThrow(/--format must be one of text, json/);
    writeFileSync(join(cwd, 'migrations/0002_again.down.sql'), '');
    await expect(run(cwd, 'again')).rejects.toThrow(UsageError);
  });
});
