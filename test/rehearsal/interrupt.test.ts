import { afterEach, expect } from 'vitest';
import { ADMIN_URL, describePostgres } from '../support/postgres.js';
import { createProject, killRunningClis, query, startCli, waitFor } from '../support/executor-project.js';

/**
 * A rehearsal on a server runs in a scratch database of its own; when the run is interrupted
 * (Ctrl-C, a CI job cancelled) that database is dropped on the way out, even mid-statement.
 * Runs the built CLI (`npm run build` first).
 */
afterEach(killRunningClis);

const scratchDatabases = () =>
  query<{ datname: string }>(ADMIN_URL, "SELECT datname FROM pg_database WHERE datname LIKE 'pgwarden\\_rehearsal\\_%'").then((rows) =>
    rows.map((r) => r.datname),
  );

describePostgres('interrupting a rehearsal on the server', ({ it }) => {
  it('drops the scratch database on SIGINT while a statement runs, and exits 130', async () => {
    const project = createProject({});
    try {
      project.migration('0001_slow', 'CREATE TABLE t (id int);\nSELECT pg_sleep(30);\n');
      const run = startCli(['rehearse', '--database', ADMIN_URL], { cwd: project.dir, timeoutMs: 30_000 });
      await waitFor('the rehearsal to reach pg_sleep', async () => {
        const rows = await query(ADMIN_URL, "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND datname LIKE 'pgwarden\\_rehearsal\\_%'");
        return rows.length > 0;
      });
      expect(await scratchDatabases()).toHaveLength(1);
      run.kill('SIGINT');
      const result = await run.exited;
      expect(result.code).toBe(130);
      expect(result.stderr).toContain("SIGINT: dropping the rehearsal's scratch database");
      expect(await scratchDatabases()).toEqual([]);
    } finally {
      project.remove();
    }
  }, 40_000);
});
