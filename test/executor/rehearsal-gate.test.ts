import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/executor/db/open.js';
import { runCli as cli } from '../support/cli.js';

/**
 * `requireRehearsal`: the executor rehearses the migrations it is about to run on a scratch
 * database first, and refuses when the rehearsal fails or finds more risk than maxRisk. The
 * target here is an embedded database in the project; rehearsals run on pglite:memory.
 */
const BASE = {
  '0001_orders.up.sql':
    'CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz NOT NULL DEFAULT now());\n' +
    // DDL in a function: reading the SQL of a migration that calls it cannot see it, a rehearsal does.
    'CREATE FUNCTION add_region() RETURNS void LANGUAGE plpgsql AS $$ BEGIN ALTER TABLE orders ADD COLUMN region text; END $$;\n',
  '0001_orders.down.sql': 'DROP FUNCTION add_region();\nDROP TABLE orders;\n',
};

function project(migrations: Record<string, string>, environment: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-rehearsal-gate-'));
  mkdirSync(join(dir, 'migrations'));
  for (const [name, text] of Object.entries({ ...BASE, ...migrations })) writeFileSync(join(dir, 'migrations', name), text);
  const environments = {
    development: { maxRisk: 'high', database: 'pglite:db' },
    production: { database: 'pglite:db', requireRehearsal: true, allowOverride: true, ...environment },
  };
  writeFileSync(join(dir, 'pgwarden.config.json'), JSON.stringify({ environments }));
  return dir;
}

async function applied(cwd: string): Promise<string[]> {
  const session = await openDatabase('pglite:db', { cwd, env: {} });
  try {
    const { rows } = await session.query<{ id: string }>("SELECT id FROM pgwarden_migrations WHERE status = 'applied' ORDER BY seq");
    return rows.map((r) => r.id);
  } finally {
    await session.close();
  }
}

describe('requireRehearsal', () => {
  it('refuses a migration whose rehearsed risk is above maxRisk, though its static risk is within it', async () => {
    const cwd = project(
      {
        '0002_orders_region.up.sql': "SET lock_timeout = '2s';\nSELECT add_region();\nUPDATE orders SET region = 'eu' WHERE region IS NULL;\n",
        '0002_orders_region.down.sql': "SET lock_timeout = '2s';\n-- pgwarden-disable-next-statement no-drop-column -- added by 0002\nALTER TABLE orders DROP COLUMN region;\n",
      },
      { maxRisk: 'low' },
    );
    expect((await cli(cwd, ['apply', '--env', 'development', '--to', '0001_orders'])).code).toBe(0);
    const lint = JSON.parse((await cli(cwd, ['lint', 'migrations/0002_orders_region.up.sql', '--format', 'json'])).stdout);
    expect(lint.files[0].risk).toBe('low');

    const refused = await cli(cwd, ['apply', '--env', 'production', '--no-color']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/0002_orders_region +medium +risk medium is above production's maxRisk low\./);
    expect(refused.stdout).toContain('observed-blocking-lock (rehearsal)');
    expect(await applied(cwd)).toEqual(['0001_orders']);

    const accepted = await cli(cwd, ['apply', '--env', 'production', '--accept-risk', 'medium', '--reason', 'orders is tiny', '--no-color']);
    expect(accepted.code).toBe(0);
    expect(await applied(cwd)).toEqual(['0001_orders', '0002_orders_region']);
  }, 60_000);

  it('refuses a migration that fails in the rehearsal, whatever the override, and applies nothing', async () => {
    const cwd = project({ '0002_typo.up.sql': "SET lock_timeout = '2s';\nUPDATE orders SET placed = now() WHERE id = 1;\n" }, { maxRisk: 'high' });
    const refused = await cli(cwd, ['apply', '--env', 'production', '--accept-risk', 'high', '--reason', 'trust me', '--no-color']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      'production requires a rehearsal, and 0002_typo fails in the rehearsal: column "placed" of relation "orders" does not exist.',
    );
    expect(refused.stdout).toContain('migration-failed (rehearsal)');
    // The migrations before the failing one pass; nothing runs when one is refused.
    expect(refused.stdout).not.toMatch(/0001_orders +low +production requires/);
    const plan = await cli(cwd, ['plan', '--env', 'production', '--no-color']);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/0002_typo +high +transaction +refused/);
  }, 60_000);

  it('applies what rehearses cleanly within maxRisk, and rolls back only with a down part that rehearses', async () => {
    const cwd = project(
      {
        '0002_note.up.sql': "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;\n",
        '0002_note.down.sql': "SET lock_timeout = '2s';\nALTER TABLE orders DROP COLUMN notes;\n",
      },
      { maxRisk: 'high' },
    );
    const done = await cli(cwd, ['apply', '--env', 'production', '--no-color']);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(await applied(cwd)).toEqual(['0001_orders', '0002_note']);

    const down = await cli(cwd, ['down', '--env', 'production', '--no-color']);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('production requires a rehearsal, and the down part of 0002_note fails in the rehearsal: column "notes" of relation "orders" does not exist.');
    expect(await applied(cwd)).toEqual(['0001_orders', '0002_note']);
  }, 60_000);
});
