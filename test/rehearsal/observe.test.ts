import { describe, expect, it } from 'vitest';
import { LOCK_MODES, type LockMode } from '../../src/analysis/locks.js';
import { describePostgres, ADMIN_URL } from '../support/postgres.js';
import { rehearseFiles, type RehearsedProject } from '../support/rehearsal.js';
import pg from 'pg';

/**
 * What a rehearsal observes for the statements migrations are made of, against the lock modes
 * PostgreSQL documents (explicit-locking.html, the ALTER TABLE page) and whether the table gets
 * new files, on PGlite and on the server. Each case alters its own table, created (with a row)
 * by the first migration, so the cases do not see each other's locks.
 */
const SETUP = `
CREATE TABLE parent (id int PRIMARY KEY);
INSERT INTO parent VALUES (1);
${['add_nullable', 'add_volatile', 'add_constant', 'not_null', 'int_bigint', 'varchar_text', 'indexed', 'fk_valid', 'fk_not_valid', 'validated']
  .map((name) => `CREATE TABLE ${name} (id int PRIMARY KEY, n int, label varchar(20), parent_id int);\nINSERT INTO ${name} VALUES (1, 1, 'one', 1);`)
  .join('\n')}
ALTER TABLE validated ADD CONSTRAINT validated_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id) NOT VALID;
`;

interface Case {
  name: string;
  sql: string;
  /** The strongest lock the statement takes on each table that existed before it. */
  locks: Record<string, LockMode>;
  rewrite: boolean;
  /** It reads the whole table (its time grows with the table). */
  scans: boolean;
}

const CASES: Case[] = [
  { name: 'add_nullable', sql: 'ALTER TABLE add_nullable ADD COLUMN note text', locks: { add_nullable: 'ACCESS EXCLUSIVE' }, rewrite: false, scans: false },
  {
    name: 'add_volatile',
    sql: 'ALTER TABLE add_volatile ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp()',
    locks: { add_volatile: 'ACCESS EXCLUSIVE' },
    rewrite: true,
    scans: true,
  },
  { name: 'add_constant', sql: "ALTER TABLE add_constant ADD COLUMN status text NOT NULL DEFAULT 'new'", locks: { add_constant: 'ACCESS EXCLUSIVE' }, rewrite: false, scans: false },
  { name: 'not_null', sql: 'ALTER TABLE not_null ALTER COLUMN n SET NOT NULL', locks: { not_null: 'ACCESS EXCLUSIVE' }, rewrite: false, scans: true },
  { name: 'int_bigint', sql: 'ALTER TABLE int_bigint ALTER COLUMN n TYPE bigint', locks: { int_bigint: 'ACCESS EXCLUSIVE' }, rewrite: true, scans: true },
  { name: 'varchar_text', sql: 'ALTER TABLE varchar_text ALTER COLUMN label TYPE text', locks: { varchar_text: 'ACCESS EXCLUSIVE' }, rewrite: false, scans: false },
  { name: 'indexed', sql: 'CREATE INDEX indexed_n_idx ON indexed (n)', locks: { indexed: 'SHARE' }, rewrite: false, scans: true },
  {
    name: 'fk_valid',
    sql: 'ALTER TABLE fk_valid ADD CONSTRAINT fk_valid_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id)',
    locks: { fk_valid: 'SHARE ROW EXCLUSIVE', parent: 'SHARE ROW EXCLUSIVE' },
    rewrite: false,
    scans: true,
  },
  {
    name: 'fk_not_valid',
    sql: 'ALTER TABLE fk_not_valid ADD CONSTRAINT fk_not_valid_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id) NOT VALID',
    locks: { fk_not_valid: 'SHARE ROW EXCLUSIVE', parent: 'SHARE ROW EXCLUSIVE' },
    rewrite: false,
    scans: false,
  },
  {
    name: 'validated',
    sql: 'ALTER TABLE validated VALIDATE CONSTRAINT validated_parent_fk',
    locks: { validated: 'SHARE UPDATE EXCLUSIVE', parent: 'ROW SHARE' },
    rewrite: false,
    scans: true,
  },
];

const FILES: Record<string, string> = { '0001_setup.up.sql': SETUP };
CASES.forEach((c, i) => (FILES[`${String(i + 2).padStart(4, '0')}_${c.name}.up.sql`] = `${c.sql};\n`));
const idOf = (c: Case) => `${String(CASES.indexOf(c) + 2).padStart(4, '0')}_${c.name}`;

function observed(project: RehearsedProject, c: Case) {
  const trace = project.migration(idOf(c)).up!;
  const statement = trace.statements[0]!;
  const strongest: Record<string, LockMode> = {};
  for (const lock of statement.locks) {
    if (lock.relation.kind !== 'table') continue;
    const known = strongest[lock.relation.name];
    if (!known || LOCK_MODES.indexOf(lock.mode) > LOCK_MODES.indexOf(known)) strongest[lock.relation.name] = lock.mode;
  }
  return {
    locks: strongest,
    rewrite: statement.rewritten.some((r) => r.kind === 'table'),
    scans: statement.scanned.some((r) => r.name === c.name),
  };
}

function lockSuite(backend: string, test: typeof it, database: () => string): void {
  describe(`locks and rewrites observed on ${backend}`, () => {
    let project: RehearsedProject;
    test('rehearses the table of statements', async () => {
      project = await rehearseFiles(FILES, { database: database() });
      expect(project.outcome.rehearsal.migrations.map((m) => m.status)).toEqual(['rehearsed', ...CASES.map(() => 'rehearsed')]);
    }, 60_000);
    for (const c of CASES) {
      test(`${c.sql}: ${Object.entries(c.locks).map(([t, m]) => `${m} on ${t}`).join(', ')}${c.rewrite ? ', rewrite' : ''}`, () => {
        expect(observed(project, c)).toEqual({ locks: c.locks, rewrite: c.rewrite, scans: c.scans });
      });
    }
  });
}

lockSuite('PGlite', it, () => 'pglite:memory');

describePostgres('rehearsal on the server', ({ it: pgIt }) => {
  lockSuite('the PostgreSQL server', pgIt, () => ADMIN_URL);

  pgIt('drops its scratch database and never touches the database it was given', async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      const before = await client.query<{ n: string }>("SELECT count(*) AS n FROM pg_class WHERE relname = 'parent'");
      await rehearseFiles({ '0001_setup.up.sql': 'CREATE TABLE parent (id int);\n' }, { database: ADMIN_URL });
      const left = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'pgwarden\\_rehearsal\\_%'");
      const after = await client.query<{ n: string }>("SELECT count(*) AS n FROM pg_class WHERE relname = 'parent'");
      expect(left.rows).toEqual([]);
      expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    } finally {
      await client.end();
    }
  });
});
