import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryConfig } from '../../src/config/schema.js';
import { openDatabase } from '../../src/executor/db/open.js';
import type { DatabaseSession } from '../../src/executor/db/types.js';
import {
  ensureHistory,
  finishMigration,
  markResolved,
  migrationState,
  readAudit,
  readHistory,
  readHistoryRows,
  recordApplied,
  recordAttempt,
  recordAudit,
  startMigration,
  type AuditRecord,
  type HistoryRow,
} from '../../src/executor/history.js';
import { TOOL_VERSION } from '../../src/version.js';
import { sha256 } from '../../src/migrations/migration-set.js';
import { describePostgres, type PostgresIt } from '../support/postgres.js';

const options = { cwd: os.tmpdir(), env: {} };

/** A history config of its own for each test, so tests on one database do not see each other. */
function freshConfig(overrides: Partial<HistoryConfig> = {}): HistoryConfig {
  const tag = randomBytes(4).toString('hex');
  return { schema: `pgw_${tag}`, table: 'pgwarden_migrations', auditTable: 'pgwarden_audit', ...overrides };
}

async function columnsOf(session: DatabaseSession, schema: string, table: string): Promise<string[]> {
  const { rows } = await session.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [schema, table],
  );
  return rows.map((r) => r.column_name);
}

const ODD_ID = `0007_ünïcødé_"quoted"_it's_🐘`;
const ODD_ERROR = `syntax error at or near "'; DROP TABLE accounts; --" — ё ‘curly’ \\ $1`;
const ODD_STATEMENT = `INSERT INTO t VALUES ('it''s', E'\\n', $$dollar$$);`;

/** What every driver must store and read back the same way. */
function historyContract(test: PostgresIt | typeof it, session: () => DatabaseSession): void {
  test('ensureHistory creates the tables with the documented columns, and is idempotent', async () => {
    const cfg = freshConfig();
    await ensureHistory(session(), cfg);
    await ensureHistory(session(), cfg);
    expect(await columnsOf(session(), cfg.schema, cfg.table)).toEqual([
      'seq',
      'id',
      'direction',
      'checksum',
      'risk',
      'status',
      'started_at',
      'finished_at',
      'duration_ms',
      'db_user',
      'tool_version',
      'override_reason',
      'overridden_by',
      'failed_statement',
      'error',
      'resolved_at',
      'resolved_by',
    ]);
    expect(await columnsOf(session(), cfg.schema, cfg.auditTable)).toEqual([
      'seq',
      'at',
      'environment',
      'action',
      'migration_id',
      'risk',
      'max_risk',
      'os_user',
      'db_user',
      'detail',
    ]);
  });

  test('names from the config are quoted: odd schema and table names work', async () => {
    const cfg = freshConfig({ schema: `odd "schema" ${randomBytes(3).toString('hex')}`, table: 'hist-ory; DROP', auditTable: 'Audit Trail' });
    await ensureHistory(session(), cfg);
    await startMigration(session(), cfg, { id: '0001', direction: 'up', checksum: 'c', risk: 'low' });
    expect([...(await readHistory(session(), cfg)).keys()]).toEqual(['0001']);
    await recordAudit(session(), cfg, { environment: 'dev', action: 'apply' });
    expect(await readAudit(session(), cfg)).toHaveLength(1);
  });

  test('reading a history that does not exist yet gives nothing and creates nothing', async () => {
    const cfg = freshConfig();
    expect(await readHistory(session(), cfg)).toEqual(new Map());
    expect(await readAudit(session(), cfg)).toEqual([]);
    const { rows } = await session().query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [cfg.schema]);
    expect(rows).toEqual([]);
  });

  test('round trip with non-ASCII and quote characters (bind parameters)', async () => {
    const cfg = freshConfig();
    await ensureHistory(session(), cfg);
    const checksum = sha256('CREATE TABLE t ();\n');
    const key = await startMigration(session(), cfg, {
      id: ODD_ID,
      direction: 'up',
      checksum,
      risk: 'high',
      overrideReason: `approved in "OPS-1" — it's fine`,
      overriddenBy: 'zoë',
    });
    expect(key).toMatch(/^\d+$/);

    const running = (await readHistory(session(), cfg)).get(ODD_ID)!;
    expect(running).toMatchObject({ key, id: ODD_ID, direction: 'up', status: 'running', state: 'running', finishedAt: null, durationMs: null });

    await finishMigration(session(), cfg, key, { status: 'failed', error: ODD_ERROR, failedStatement: ODD_STATEMENT });
    const rows = await readHistoryRows(session(), cfg);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({
      key,
      id: ODD_ID,
      direction: 'up',
      checksum,
      risk: 'high',
      status: 'failed',
      toolVersion: TOOL_VERSION,
      overrideReason: `approved in "OPS-1" — it's fine`,
      overriddenBy: 'zoë',
      failedStatement: ODD_STATEMENT,
      error: ODD_ERROR,
      resolvedAt: null,
      resolvedBy: null,
    } satisfies Partial<HistoryRow>);
    expect(row.startedAt).toBeInstanceOf(Date);
    expect(row.finishedAt!.getTime()).toBeGreaterThanOrEqual(row.startedAt.getTime());
    expect(row.durationMs).toBeGreaterThanOrEqual(0);
    expect(typeof row.dbUser).toBe('string');
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  test('recordApplied commits or rolls back with the caller’s transaction', async () => {
    const cfg = freshConfig();
    await ensureHistory(session(), cfg);
    const attempt = { id: '0001_accounts', direction: 'up' as const, checksum: 'aaa', risk: 'low' as const };

    await session().query('BEGIN');
    await session().query(`CREATE TABLE ${cfg.schema}.accounts (id int)`);
    await recordApplied(session(), cfg, { ...attempt, durationMs: 12 });
    await session().query('ROLLBACK');
    expect(await readHistory(session(), cfg)).toEqual(new Map());

    await session().query('BEGIN');
    await session().query(`CREATE TABLE ${cfg.schema}.accounts (id int)`);
    const key = await recordApplied(session(), cfg, { ...attempt, durationMs: 12.4 }); // performance.now() durations are fractional
    await session().query('COMMIT');
    const entry = (await readHistory(session(), cfg)).get('0001_accounts')!;
    expect(entry).toMatchObject({ key, status: 'applied', state: 'applied', appliedChecksum: 'aaa', durationMs: 12 });
    expect(entry.finishedAt!.getTime() - entry.startedAt.getTime()).toBeGreaterThanOrEqual(11);
  });

  test('the latest row per id and the state the rows add up to; markResolved', async () => {
    const cfg = freshConfig();
    await ensureHistory(session(), cfg);
    const s = session();
    const up = { direction: 'up' as const, risk: 'medium' as const };
    // 0001: applied, then rolled back by down.
    await recordApplied(s, cfg, { id: '0001', checksum: 'u1', ...up });
    await recordApplied(s, cfg, { id: '0001', checksum: 'd1', ...up, direction: 'down' });
    // 0002: applied; a later down failed inside its transaction (nothing changed).
    await recordApplied(s, cfg, { id: '0002', checksum: 'u2', ...up });
    await recordAttempt(s, cfg, { id: '0002', checksum: 'd2', ...up, direction: 'down' }, { status: 'rolled-back', error: 'lock timeout' });
    // 0003: failed outside a transaction; the operator resolves it as applied.
    const k3 = await startMigration(s, cfg, { id: '0003', checksum: 'u3', ...up });
    await finishMigration(s, cfg, k3, { status: 'failed', error: 'boom', failedStatement: 'CREATE INDEX CONCURRENTLY …' });
    // 0004: failed, resolved as pending.
    const k4 = await startMigration(s, cfg, { id: '0004', checksum: 'u4', ...up });
    await finishMigration(s, cfg, k4, { status: 'failed', error: 'boom', durationMs: 3.7 });
    // 0005: left running by a process that died.
    await startMigration(s, cfg, { id: '0005', checksum: 'u5', ...up });

    let history = await readHistory(s, cfg);
    expect([...history.keys()]).toEqual(['0001', '0002', '0003', '0004', '0005']);
    const summary = () => [...history.values()].map((e) => [e.id, e.direction, e.status, e.state, e.appliedChecksum]);
    expect(summary()).toEqual([
      ['0001', 'down', 'applied', 'pending', null],
      ['0002', 'down', 'rolled-back', 'applied', 'u2'],
      ['0003', 'up', 'failed', 'failed', null],
      ['0004', 'up', 'failed', 'failed', null],
      ['0005', 'up', 'running', 'running', null],
    ]);

    const resolved = await markResolved(s, cfg, '0003', 'applied', { by: 'ops-zoë' });
    expect(resolved).toMatchObject({ key: k3, status: 'applied', resolvedBy: 'ops-zoë', error: 'boom', failedStatement: 'CREATE INDEX CONCURRENTLY …' });
    expect(resolved.resolvedAt).toBeInstanceOf(Date);
    expect((await readHistory(s, cfg)).get('0004')?.durationMs).toBe(4);
    await markResolved(s, cfg, '0004', 'pending', { by: 'ops' });
    await markResolved(s, cfg, '0005', 'pending', { by: 'ops' });
    await expect(markResolved(s, cfg, '0001', 'applied')).rejects.toThrow('migration 0001 does not need resolving: its last down run is applied');
    await expect(markResolved(s, cfg, '0099', 'applied')).rejects.toThrow(/0099 has no history/);

    history = await readHistory(s, cfg);
    expect(summary()).toEqual([
      ['0001', 'down', 'applied', 'pending', null],
      ['0002', 'down', 'rolled-back', 'applied', 'u2'],
      ['0003', 'up', 'applied', 'applied', 'u3'],
      ['0004', 'up', 'rolled-back', 'pending', null],
      ['0005', 'up', 'rolled-back', 'pending', null],
    ]);
  });

  test('audit rows: created on first use, detail kept as JSON, URL passwords masked', async () => {
    const cfg = freshConfig();
    // No ensureHistory: a refusal may be recorded before anything else.
    const record = await recordAudit(session(), cfg, {
      environment: 'production',
      action: 'refused',
      migrationId: ODD_ID,
      risk: 'high',
      maxRisk: 'low',
      osUser: 'zoë',
      detail: { reason: `risk high > low`, url: 'postgres://app:hunter2@db/prod', nested: { list: [1, 'ü'] } },
    });
    expect(record.detail).toEqual({ reason: 'risk high > low', url: 'postgres://app:***@db/prod', nested: { list: [1, 'ü'] } });
    await recordAudit(session(), cfg, { environment: 'production', action: 'override', dbUser: null });
    const rows = await readAudit(session(), cfg);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({ ...record, dbUser: expect.any(String) } satisfies AuditRecord);
    expect(rows[0]!.dbUser).toBe(record.dbUser);
    expect(rows[1]).toMatchObject({ action: 'override', migrationId: null, risk: null, dbUser: null, detail: null });
  });
}

describe('migrationState', () => {
  const row = (direction: 'up' | 'down', status: HistoryRow['status'], checksum = 'c'): HistoryRow => ({
    key: '1',
    id: 'x',
    direction,
    checksum,
    risk: null,
    status,
    startedAt: new Date(0),
    finishedAt: null,
    durationMs: null,
    dbUser: null,
    toolVersion: null,
    overrideReason: null,
    overriddenBy: null,
    failedStatement: null,
    error: null,
    resolvedAt: null,
    resolvedBy: null,
  });
  it('follows the rows, ignoring rolled-back attempts', () => {
    expect(migrationState([])).toEqual({ state: 'pending', appliedChecksum: null });
    expect(migrationState([row('up', 'rolled-back')])).toEqual({ state: 'pending', appliedChecksum: null });
    expect(migrationState([row('up', 'applied', 'a'), row('up', 'rolled-back', 'b')])).toEqual({ state: 'applied', appliedChecksum: 'a' });
    expect(migrationState([row('up', 'applied'), row('down', 'applied')]).state).toBe('pending');
    expect(migrationState([row('up', 'applied'), row('down', 'failed')]).state).toBe('failed');
    expect(migrationState([row('up', 'applied', 'a'), row('down', 'applied'), row('up', 'applied', 'b')])).toEqual({
      state: 'applied',
      appliedChecksum: 'b',
    });
  });
});

describe('audit trail in a JSON-lines file', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'pgwarden-audit-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('appends one JSON object per line, relative to cwd, without a database', async () => {
    const cfg = { schema: 'public', auditTable: 'pgwarden_audit', auditFile: 'logs/audit/pgwarden.jsonl' };
    const at = new Date('2026-01-02T03:04:05.678Z');
    await recordAudit(null, cfg, { environment: 'production', action: 'refused', migrationId: ODD_ID, risk: 'high', maxRisk: 'low', osUser: 'zoë', at, detail: { why: 'risk' } }, { cwd: root });
    await recordAudit(null, cfg, { environment: 'staging', action: 'apply', migrationId: '0002', at, detail: { dsn: 'postgresql://u:pw@h/db' } }, { cwd: root });
    const lines = (await readFile(path.join(root, 'logs/audit/pgwarden.jsonl'), 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0]!)).toEqual({
      at: '2026-01-02T03:04:05.678Z',
      environment: 'production',
      action: 'refused',
      migrationId: ODD_ID,
      risk: 'high',
      maxRisk: 'low',
      osUser: 'zoë',
      dbUser: null,
      detail: { why: 'risk' },
    });
    const second = JSON.parse(lines[1]!) as AuditRecord;
    expect(second).toMatchObject({ action: 'apply', risk: null, maxRisk: null, detail: { dsn: 'postgresql://u:***@h/db' } });
    expect(second.osUser.length).toBeGreaterThan(0);
  });

  it('without a session or a file there is nowhere to write', async () => {
    await expect(recordAudit(null, { schema: 'public', auditTable: 'a' }, { environment: null, action: 'failed' })).rejects.toThrow(
      'cannot write the audit trail: no database session, and history.auditFile is not set',
    );
  });
});

describePostgres('history on the server', ({ it: pgIt, createDatabase }) => {
  let url: string;
  let secretUrl: string;
  let session: DatabaseSession;
  let other: DatabaseSession;
  beforeAll(async () => {
    const db = await createDatabase();
    url = db.url;
    secretUrl = db.urlWith({ password: 'supersecret' });
    [session, other] = await Promise.all([openDatabase(url, options), openDatabase(url, options)]);
  });
  afterAll(async () => {
    await Promise.all([session?.close(), other?.close()]);
  });

  historyContract(pgIt, () => session);

  pgIt('ensureHistory from two sessions at once', async () => {
    for (let i = 0; i < 8; i++) {
      const cfg = freshConfig();
      await Promise.all([ensureHistory(session, cfg), ensureHistory(other, cfg)]);
      expect(await columnsOf(session, cfg.schema, cfg.table)).toContain('checksum');
      expect(await columnsOf(session, cfg.schema, cfg.auditTable)).toContain('detail');
    }
  });

  pgIt('ensureHistory needs no CREATE privilege once the tables exist', async () => {
    const cfg = freshConfig();
    await ensureHistory(session, cfg);
    const role = `pgwarden_test_role_${randomBytes(4).toString('hex')}`;
    await session.query(`CREATE ROLE ${role} LOGIN`);
    try {
      const { rows } = await session.query<{ db: string }>('SELECT current_database() AS db');
      await session.query(`REVOKE CREATE ON DATABASE ${rows[0]!.db} FROM PUBLIC`);
      await session.query(`GRANT USAGE ON SCHEMA ${cfg.schema} TO ${role}`);
      await session.query(`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA ${cfg.schema} TO ${role}`);
      const restricted = await openDatabase(url.replace('//postgres@', `//${role}@`), options);
      try {
        await ensureHistory(restricted, cfg);
        await startMigration(restricted, cfg, { id: '0001', direction: 'up', checksum: 'c', risk: 'low' });
        expect((await readHistory(restricted, cfg)).get('0001')?.dbUser).toBe(role);
        const denied = await ensureHistory(restricted, freshConfig()).catch((e: unknown) => e);
        expect((denied as { code?: string }).code).toBe('42501');
      } finally {
        await restricted.close();
      }
    } finally {
      await session.query(`DROP OWNED BY ${role}`);
      await session.query(`DROP ROLE ${role}`);
    }
  });

  pgIt('the session password never reaches a history row or the audit trail', async () => {
    const withPassword = await openDatabase(secretUrl, options);
    try {
      const cfg = freshConfig();
      await ensureHistory(withPassword, cfg);
      const key = await startMigration(withPassword, cfg, { id: '0001', direction: 'up', checksum: 'c', risk: 'low' });
      const error = await withPassword.query("SELECT 'supersecret'::int").catch((e: Error) => e);
      await finishMigration(withPassword, cfg, key, {
        status: 'failed',
        error: `${(error as Error).message} (and supersecret again)`,
        failedStatement: "SELECT 'supersecret'::int",
      });
      await recordAudit(withPassword, cfg, { environment: 'ci', action: 'failed', detail: { error: 'supersecret', url: secretUrl } });
      const { rows } = await withPassword.query<{ dump: string }>(
        `SELECT (SELECT json_agg(h)::text FROM ${cfg.schema}.pgwarden_migrations h) || (SELECT json_agg(a)::text FROM ${cfg.schema}.pgwarden_audit a) AS dump`,
      );
      expect(rows[0]!.dump).not.toContain('supersecret');
      expect(rows[0]!.dump).toContain('invalid input syntax for type integer: \\"***\\" (and *** again)');
    } finally {
      await withPassword.close();
    }
  });
});

describe('history on PGlite (a directory)', () => {
  let root: string;
  let session: DatabaseSession;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'pgwarden-history-'));
    session = await openDatabase('pglite:nested/db', { cwd: root, env: {} });
  });
  afterAll(async () => {
    await session?.close();
    await rm(root, { recursive: true, force: true });
  });

  historyContract(it, () => session);

  it('the directory is created relative to cwd and holds the cluster', () => {
    expect(session.driver).toBe('pglite');
    expect(session.description).toBe('pglite:nested/db');
    expect(existsSync(path.join(root, 'nested/db/PG_VERSION'))).toBe(true);
  });

  it('refuses to open the directory a second time while it is open', async () => {
    await expect(openDatabase('pglite:nested/db', { cwd: root, env: {} })).rejects.toThrow(
      'pglite:nested/db is already open in this process: close that session first (PGlite allows one at a time)',
    );
  });

  it('the audit file mode also fills db_user from the session', async () => {
    const cfg = { ...freshConfig(), auditFile: 'audit.jsonl' };
    await ensureHistory(session, cfg);
    // auditFile set: no audit table.
    expect(await columnsOf(session, cfg.schema, cfg.auditTable)).toEqual([]);
    const record = await recordAudit(session, cfg, { environment: 'development', action: 'apply', migrationId: '0001' }, { cwd: root });
    expect(record.dbUser).toBe('postgres');
    const line = JSON.parse((await readFile(path.join(root, 'audit.jsonl'), 'utf8')).trim()) as AuditRecord;
    expect(line).toEqual(record);
  });
});
