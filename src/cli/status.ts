import { migrationStates } from '../executor/executor.js';
import { EXIT, type CliIO } from './io.js';
import { headerLine, statusJson, statusText } from './executor-output.js';
import { prepare, withDatabase, type ExecutorFlags } from './executor-setup.js';

/** `pgwarden status`: applied, pending, failed, drifted and missing migrations. Exits 1 when any needs attention. */
export async function runStatus(flags: ExecutorFlags, io: CliIO): Promise<number> {
  const setup = await prepare(flags, io);
  const states = await withDatabase(setup, io, async ({ store }) => migrationStates(setup.migrations, await store.current()));
  if (setup.json) io.stdout(JSON.stringify(statusJson(states, setup.environment, setup.database)) + '\n');
  else io.stdout(headerLine('status', setup.environment, setup.database, setup.colors) + '\n' + statusText(states, setup.colors));
  return states.some((s) => s.state === 'failed' || s.state === 'drifted' || s.state === 'missing') ? EXIT.failed : EXIT.ok;
}
