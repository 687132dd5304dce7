#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// A lint run is short. By default V8 spends more CPU optimising code that runs a few thousand
// times, and tiering the large Postgres parser (WebAssembly) up to its optimising compiler, than
// it ever saves: only small, very hot functions are worth optimising. These flags roughly halve the
// CPU of a 3,700-file lint (see bench/ and docs/design-notes.md); the last one scavenges on the
// allocating thread, as helper threads cost more CPU than they save when lint threads use every core.
setFlagsFromString('--interrupt-budget=1000000');
setFlagsFromString('--max-optimized-bytecode-size=1500');
setFlagsFromString('--liftoff-only');
setFlagsFromString('--no-parallel-scavenge');

const args = process.argv.slice(2);
if (args[0] === 'lint') {
  // Worker threads load while this thread loads the CLI, reads the config and finds the files.
  const { prestartLintWorkers } = await import('../dist/src/worker-pool.js');
  prestartLintWorkers();
}
const { main } = await import('../dist/src/cli/main.js');
process.exitCode = await main(args);
