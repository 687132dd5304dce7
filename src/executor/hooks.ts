import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { redactText } from './db/redact.js';

export type HookStream = 'stdout' | 'stderr';

export interface HookOptions {
  cwd: string;
  /** Set on top of pgwarden's own environment; an undefined value removes the variable. */
  env: Record<string, string | undefined>;
  /** Values masked, with their URL-encoded forms, in every line and message the hook produces. */
  secrets: readonly string[];
  /** Each output line (without its line break, secrets masked) as it arrives. */
  onOutput?: (line: string, stream: HookStream) => void;
}

export interface HookResult {
  /** The command ran and exited with code 0. */
  ok: boolean;
  exitCode: number | null;
  /** The signal that ended the command, if one did. */
  signal: string | null;
  durationMs: number;
  /** Standard output and error lines in the order they arrived, secrets masked. */
  output: string;
  /** How the command ended, in words: "exited with code 0", "killed by SIGTERM", "could not start: …". */
  reason: string;
}

/** The output kept for the result; the start of a longer output is dropped (onOutput still sees it all). */
const MAX_OUTPUT_CHARS = 1_000_000;

/**
 * Runs a shell command (`beforeApply`, `afterApply`) through the platform shell. It never throws:
 * a command that fails, cannot start or is killed resolves with `ok: false` and the reason.
 */
export function runHook(command: string, options: HookOptions): Promise<HookResult> {
  const redact = (text: string) => redactText(text, options.secrets);
  const started = performance.now();
  const output = new OutputTail(MAX_OUTPUT_CHARS);
  const emit = (line: string, stream: HookStream) => {
    const clean = redact(line);
    output.push(clean);
    options.onOutput?.(clean, stream);
  };

  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<HookResult, 'durationMs' | 'output'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...result, reason: redact(result.reason), durationMs: Math.round(performance.now() - started), output: output.text() });
    };

    let child: ChildProcessByStdio<null, Readable, Readable>;
    // spawn itself throws for an invalid command (a NUL byte); everything else arrives as events.
    try {
      child = spawn(command, { cwd: options.cwd, env: hookEnv(options.env), shell: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (error) {
      finish({ ok: false, exitCode: null, signal: null, reason: `could not start: ${(error as Error).message}` });
      return;
    }
    const stdout = new LineSplitter((line) => emit(line, 'stdout'));
    const stderr = new LineSplitter((line) => emit(line, 'stderr'));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));

    // A shell that cannot start (missing cwd, no /bin/sh) reports 'error'; 'close' may not follow.
    child.on('error', (error) => {
      finish({ ok: false, exitCode: null, signal: null, reason: `could not start in ${options.cwd}: ${error.message}` });
    });
    // 'close' comes after both pipes have drained, so every line has been emitted by then.
    child.on('close', (code, signal) => {
      stdout.end();
      stderr.end();
      finish({ ok: code === 0, exitCode: code, signal, reason: describeExit(code, signal) });
    });
  });
}

function hookEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  // POSIX shells exit 127 for a command they cannot find, 126 for one they cannot execute.
  if (code === 127) return 'exited with code 127 (command not found)';
  if (code === 126) return 'exited with code 126 (command not executable)';
  return `exited with code ${code}`;
}

/** Cuts a decoded stream into lines; a secret split across chunks is whole again before masking. */
class LineSplitter {
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const lines = (this.pending + chunk).split(/\r?\n/);
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }

  end(): void {
    if (this.pending) this.onLine(this.pending);
    this.pending = '';
  }
}

/** The last `limit` characters' worth of lines, noting how many were dropped before them. */
class OutputTail {
  private readonly lines: string[] = [];
  private first = 0;
  private dropped = 0;
  private chars = 0;

  constructor(private readonly limit: number) {}

  push(line: string): void {
    this.lines.push(line);
    this.chars += line.length + 1;
    while (this.chars > this.limit && this.first < this.lines.length - 1) {
      this.chars -= this.lines[this.first]!.length + 1;
      this.first++;
      this.dropped++;
    }
    // Drops the skipped lines in batches rather than shifting the array once per line.
    if (this.first > 1024 && this.first * 2 > this.lines.length) {
      this.lines.splice(0, this.first);
      this.first = 0;
    }
  }

  text(): string {
    const kept = this.lines.slice(this.first).join('\n');
    return this.dropped ? `[${this.dropped} earlier lines omitted]\n${kept}` : kept;
  }
}
