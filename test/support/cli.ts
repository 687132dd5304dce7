import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

/** A temporary directory holding `files` (paths relative to it, folders created as needed). */
export function project(files: Record<string, string>, prefix = 'pgwarden-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in process, as a user would from `cwd`, capturing both streams. */
export async function runCli(
  cwd: string,
  args: string[],
  options: { stdin?: string; env?: Record<string, string>; tty?: boolean } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    cwd,
    env: options.env ?? {},
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readStdin: async () => options.stdin ?? '',
    stdoutIsTTY: options.tty ?? false,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
