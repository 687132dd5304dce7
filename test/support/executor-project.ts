/**
 * End-to-end helpers for the executor: a throw-away project directory (config + migrations),
 * the built CLI (`bin/pgwarden.js`, so `npm run build` first) run as a child process with its
 * output captured, a `pg` client for the test's own queries, and polling.
 *
 * The config is written as `.pgwardenrc.json`: the CLI finds it from the project directory
 * without `--config` (cosmiconfig does not search for `pgwarden.config.json`).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { ConfigInput } from '../../src/config/schema.js';

/** The built CLI entry point. */
export const CLI = fileURLToPath(new URL('../../bin/pgwarden.js', import.meta.url));

/** Name of the config file written into a project. */
export const CONFIG_FILE = '.pgwardenrc.json';

export interface Project {
  dir: string;
  /** Writes a file relative to the project directory (creating folders). */
  write(relativePath: string, text: string): void;
  /** `migrations/<id>.up.sql` and, when given, `migrations/<id>.down.sql`. */
  migration(id: string, up: string, down?: string): void;
  /** Replaces the config. */
  configure(config: ConfigInput): void;
  remove(): void;
}

/** A new project directory with `config` and, optionally, files (path relative to the project → text). */
export function createProject(config: ConfigInput, files: Record<string, string> = {}): Project {
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-e2e-'));
  const write = (relativePath: string, text: string): void => {
    const file = join(dir, relativePath);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  const project: Project = {
    dir,
    write,
    migration(id, up, down) {
      write(`migrations/${id}.up.sql`, up);
      if (down !== undefined) write(`migrations/${id}.down.sql`, down);
    },
    configure(next) {
      write(CONFIG_FILE, JSON.stringify(next, null, 2));
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  mkdirSync(join(dir, 'migrations'), { recursive: true });
  project.configure(config);
  for (const [relativePath, text] of Object.entries(files)) write(relativePath, text);
  return project;
}

export interface CliResult {
  /** Exit code; null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Working directory (the project's). */
  cwd: string;
  /** Variables set on top of the test process's environment; undefined removes one. */
  env?: Record<string, string | undefined>;
  /** The process is killed (SIGKILL) after this long and the run rejects (default 20 s). */
  timeoutMs?: number;
}

export interface CliProcess {
  readonly pid: number;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited and its pipes have drained. */
  readonly exited: Promise<CliResult>;
  kill(signal: NodeJS.Signals): void;
}

function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  // Plain output whatever the test runner's terminal; no connection settings leaking in.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const key of ['FORCE_COLOR', 'DATABASE_URL', 'PGPASSWORD', 'PGDATABASE', 'PGHOST', 'PGPORT', 'PGUSER']) delete env[key];
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

const running = new Set<CliProcess>();

/** Starts `pgwarden <args>` and returns at once; output is collected as it arrives. */
export function startCli(args: readonly string[], options: CliOptions): CliProcess {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: childEnv(options.env ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const handle: CliProcess = {
    pid: child.pid ?? -1,
    stdout: () => stdout,
    stderr: () => stderr,
    exited: new Promise<CliResult>((resolve, reject) => {
      child.on('error', (error) => {
        clearTimeout(timer);
        running.delete(handle);
        reject(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        running.delete(handle);
        if (timedOut) {
          reject(new Error(`pgwarden ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        } else {
          resolve({ code, signal, stdout, stderr });
        }
      });
    }),
    kill: (signal) => {
      child.kill(signal);
    },
  };
  running.add(handle);
  return handle;
}

/** Runs `pgwarden <args>` to the end. */
export function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, options).exited;
}

/** Kills (SIGKILL) every CLI process started by this module that is still running: for afterEach. */
export async function killRunningClis(): Promise<void> {
  const left = [...running];
  for (const handle of left) handle.kill('SIGKILL');
  await Promise.allSettled(left.map((handle) => handle.exited));
}

/** A connected `pg` client of the test's own (close it with `end()`). */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, application_name: 'pgwarden-test' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Opens a client, runs `use`, closes it. */
export async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Rows of one query on a short-lived connection. */
export async function query<Row extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<Row[]> {
  return withClient(url, async (client) => (await client.query<Row>(sql, params)).rows);
}

/**
 * Calls `check` every `intervalMs` until it returns something other than undefined, null or false,
 * and resolves to that; rejects after `timeoutMs` with `what` (and `describe()`, for context).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => string } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${options.describe ? `\n${options.describe()}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
