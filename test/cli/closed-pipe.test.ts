import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../../bin/pgwarden.js');
const ruleFixtures = join(import.meta.dirname, '../../fixtures/rules');

/** Runs the CLI, reads its first output and closes the pipe, as `| head -1` does. */
function readFirstChunk(args: string[]): Promise<{ code: number | null; stderr: string; first: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let first = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', (chunk: Buffer) => {
      first = chunk.toString();
      child.stdout.destroy();
    });
    child.on('close', (code) => resolve({ code, stderr, first }));
  });
}

it('stops writing when the reader closes the pipe, without a crash, and keeps its exit code', async () => {
  const rules = await readFirstChunk(['rules']);
  expect(rules.first).toMatch(/^no-drop-table /);
  expect(rules).toMatchObject({ code: 0, stderr: '' });
  // Every bad fixture has an error finding: the run still fails after the reader went away.
  const lint = await readFirstChunk(['lint', ruleFixtures, '--no-color']);
  expect(lint.first.length).toBeGreaterThan(0);
  expect(lint).toMatchObject({ code: 1, stderr: '' });
}, 60_000);
