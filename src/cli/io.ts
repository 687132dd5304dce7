/** What a command may touch of the outside world; tests pass their own. */
export interface CliIO {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  /** Standard output is a terminal (colours allowed). */
  stdoutIsTTY: boolean;
  /** Standard error is a terminal (a live progress line is allowed). */
  stderrIsTTY?: boolean;
}

export function processIO(): CliIO {
  // A reader that stops early (`pgwarden rules | head`) closes the pipe: stop writing, as Unix
  // tools do, instead of crashing on EPIPE; the exit code still says how the run went.
  let stdoutClosed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutClosed = true;
  });
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => {
      if (!stdoutClosed) process.stdout.write(text);
    },
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    stdoutIsTTY: !!process.stdout.isTTY,
    stderrIsTTY: !!process.stderr.isTTY,
  };
}

/** ESLint's exit codes: 0 clean, 1 lint failures, 2 usage, configuration or internal errors. */
export const EXIT = { ok: 0, failed: 1, error: 2 } as const;

/** A usage or configuration problem to print (without a stack) before exiting 2. */
export class UsageError extends Error {}

/** picocolors' rules plus the CLI's: NO_COLOR or --no-color turn colour off, so does a pipe. */
export function useColor(io: CliIO, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '') return false;
  if (flag === true || io.env['FORCE_COLOR']) return true;
  return io.stdoutIsTTY;
}
