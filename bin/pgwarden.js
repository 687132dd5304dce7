#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// A lint run is short. By default V8 spends more CPU optimising code that runs a few thousand
// times, and tiering the large Postgres parser (WebAssembly) up to its optimising compiler, than
// it ever saves. These two flags roughly halve the CPU of a 3,700-file lint (see bench/).
setFlagsFromString('--interrupt-budget=3000000');
setFlagsFromString('--liftoff-only');

const args = process.argv.slice(2);
if (args[0] === 'lint') {
  // Worker threads load while this thread loads the CLI, reads the config and finds the files.
  const { prestartLintWorkers } = await import('../dist/src/lint-parallel.js');
  prestartLintWorkers();
}
const { main } = await import('../dist/src/cli/main.js');
process.exitCode = await main(args);
