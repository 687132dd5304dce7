import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIR_LOCK_FILE, lockDataDir } from '../../src/executor/db/dir-lock.js';
import { DatabaseError } from '../../src/executor/db/types.js';

/** A child process that lives until killed, or one that has already exited. */
function child(live: boolean): Promise<{ pid: number; kill(): void }> {
  const proc = spawn(process.execPath, ['-e', live ? 'setTimeout(() => {}, 60000)' : ''], { stdio: 'ignore' });
  return new Promise((resolve) => {
    if (live) proc.once('spawn', () => resolve({ pid: proc.pid!, kill: () => proc.kill() }));
    else proc.once('exit', () => resolve({ pid: proc.pid!, kill: () => undefined }));
  });
}

describe('PGlite directory lock', () => {
  let dir: string;
  let lockFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgwarden-dirlock-'));
    lockFile = path.join(dir, DIR_LOCK_FILE);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds the pid while taken, refuses a second taker in this process, and is gone after release', async () => {
    const lock = await lockDataDir(dir, 'pglite:x');
    expect((await readFile(lockFile, 'utf8')).trim()).toBe(String(process.pid));
    const error = await lockDataDir(dir, 'pglite:x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toBe('pglite:x is already open in this process: close that session first (PGlite allows one at a time)');
    await lock.release();
    await lock.release();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('refuses while another live process holds it', async () => {
    const other = await child(true);
    try {
      await writeFile(lockFile, `${other.pid}\n`);
      await expect(lockDataDir(dir, 'pglite:x')).rejects.toThrow(
        `pglite:x is in use by another process (pid ${other.pid}); PGlite opens a directory from one process at a time.`,
      );
    } finally {
      other.kill();
      await rm(lockFile, { force: true });
    }
  });

  it('takes over a lock left by a process that is gone', async () => {
    const gone = await child(false);
    await writeFile(lockFile, `${gone.pid}\n`);
    const lock = await lockDataDir(dir, 'pglite:x');
    expect((await readFile(lockFile, 'utf8')).trim()).toBe(String(process.pid));
    await lock.release();
  });
});
