import { randomBytes } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DatabaseError } from './types.js';

/**
 * One process at a time on a PGlite directory. PGlite does not stop a second process from
 * opening the same directory (it ignores postmaster.pid), and two instances writing one cluster
 * corrupt it; the advisory migration lock cannot help, as each process has its own PGlite.
 * So `pglite:<dir>` takes `<dir>/.pgwarden.lock` (holding the pid) for as long as it is open.
 * A lock whose process is gone is taken over.
 */
export const DIR_LOCK_FILE = '.pgwarden.lock';

export interface DirLock {
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function holderOf(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export async function lockDataDir(dir: string, description: string): Promise<DirLock> {
  const file = path.join(dir, DIR_LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    // Written under a temporary name, then linked into place: the lock never exists without its pid.
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      await writeFile(temp, `${process.pid}\n`, { flag: 'wx' });
      await link(temp, file);
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          if ((await holderOf(file)) === process.pid) await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DatabaseError(`could not lock ${description} (${file}): ${(error as Error).message}`);
      }
    } finally {
      await rm(temp, { force: true });
    }
    const pid = await holderOf(file);
    if (pid === process.pid) {
      throw new DatabaseError(`${description} is already open in this process: close that session first (PGlite allows one at a time)`);
    }
    if (pid !== undefined && isAlive(pid)) {
      throw new DatabaseError(
        `${description} is in use by another process (pid ${pid}); PGlite opens a directory from one process at a time. ` +
          `Wait for it to finish, or delete ${file} if that process is not pgwarden.`,
      );
    }
    // Left by a process that is gone: take it over.
    await rm(file, { force: true });
  }
  throw new DatabaseError(`could not lock ${description} (${file}): another process keeps taking it`);
}
