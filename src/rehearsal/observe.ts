import { LOCK_MODES, type LockMode } from '../analysis/locks.js';
import type { DatabaseSession } from '../executor/db/types.js';

/**
 * What one backend can see of its own work: the relation locks it holds (pg_locks, filtered on
 * its pid), which relations got new files (pg_class.relfilenode: a rewrite), and which tables it
 * scanned sequentially (pg_stat_get_xact_numscans, a per-transaction counter on a server and a
 * running one on PGlite, so only differences are read). Objects with an oid below 16384
 * (FirstNormalObjectId) are the system catalogs: the locks the observation queries themselves
 * take are all on those, so they never show up.
 */

export type RelationKind = 'table' | 'partitioned table' | 'index' | 'view' | 'materialized view' | 'sequence' | 'foreign table';

export interface RelationInfo {
  oid: number;
  /** `name`, or `schema.name` outside public. */
  name: string;
  schema: string;
  relname: string;
  kind: RelationKind;
}

const KINDS: Record<string, RelationKind> = {
  r: 'table',
  p: 'partitioned table',
  i: 'index',
  I: 'index',
  v: 'view',
  m: 'materialized view',
  S: 'sequence',
  f: 'foreign table',
};

/** Kinds whose rows a query reads: a lock on them that blocks writes stops traffic. */
export const QUERYABLE: ReadonlySet<RelationKind> = new Set(['table', 'partitioned table', 'view', 'materialized view', 'foreign table']);

/** Relations with storage that can be rewritten under an existing oid. */
export const REWRITABLE: ReadonlySet<RelationKind> = new Set(['table', 'materialized view']);

const FIRST_NORMAL_OID = 16384;

const RELATIONS_SQL = `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
  c.relfilenode::int8 AS filenode,
  CASE WHEN c.relkind IN ('r', 'm') THEN pg_stat_get_xact_numscans(c.oid) END AS scans
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid >= ${FIRST_NORMAL_OID} AND c.relkind IN ('r', 'p', 'i', 'I', 'v', 'm', 'S', 'f')
  AND n.nspname NOT IN ('pg_toast', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%temp\\_%'`;

const LOCKS_SQL = `SELECT l.relation::int8 AS oid, l.mode, c.relfilenode::int8 AS filenode, n.nspname AS schema, c.relname AS name,
  CASE WHEN c.relkind IN ('r', 'm') THEN pg_stat_get_xact_numscans(l.relation) END AS scans
FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.relation >= ${FIRST_NORMAL_OID}`;

interface RelationRow {
  oid: number;
  schema: string;
  name: string;
  kind: string;
  filenode: number;
  scans: number | null;
}

interface LockRow {
  oid: number;
  mode: string;
  filenode: number | null;
  schema: string | null;
  name: string | null;
  scans: number | null;
}

/** `AccessExclusiveLock` → `ACCESS EXCLUSIVE`; undefined for modes outside the table-lock list (SIReadLock). */
export function lockModeOf(pgMode: string): LockMode | undefined {
  const words = pgMode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
  return (LOCK_MODES as readonly string[]).includes(words) ? (words as LockMode) : undefined;
}

/** The relations that exist now, by oid: the "pre-existing" objects of the migration about to run. */
export interface RelationSnapshot {
  relations: Map<number, RelationInfo>;
  filenodes: Map<number, number>;
  scans: Map<number, number>;
}

export async function snapshotRelations(session: DatabaseSession): Promise<RelationSnapshot> {
  const { rows } = await session.query<RelationRow>(RELATIONS_SQL);
  const relations = new Map<number, RelationInfo>();
  const filenodes = new Map<number, number>();
  const scans = new Map<number, number>();
  for (const row of rows) {
    const oid = Number(row.oid);
    relations.set(oid, {
      oid,
      schema: row.schema,
      relname: row.name,
      name: row.schema === 'public' ? row.name : `${row.schema}.${row.name}`,
      kind: KINDS[row.kind] ?? 'table',
    });
    filenodes.set(oid, Number(row.filenode));
    if (row.scans !== null) scans.set(oid, Number(row.scans));
  }
  return { relations, filenodes, scans };
}

export interface ObservedLock {
  relation: RelationInfo;
  mode: LockMode;
}

export interface Observation {
  /** Locks on pre-existing relations this statement added to what the transaction held. */
  locks: ObservedLock[];
  /** Pre-existing relations that got new files during the statement. */
  rewritten: RelationInfo[];
  /** Pre-existing tables the statement read sequentially (its time grows with their size). */
  scanned: RelationInfo[];
  /**
   * The names pre-existing relations locked so far have now, by oid (null once dropped): a
   * statement's SQL names relations as they are when it runs, after any rename before it.
   */
  names: Map<number, { schema: string; relname: string } | null>;
}

/**
 * Follows one transaction: `begin` after BEGIN (or before a statement run on its own), then
 * `observe` after each statement. Only relations in `preexisting` are reported.
 */
export class TransactionObserver {
  private held = new Set<string>();
  private filenodes = new Map<number, number>();
  private scans = new Map<number, number>();

  constructor(
    private readonly session: DatabaseSession,
    private readonly preexisting: ReadonlyMap<number, RelationInfo>,
  ) {}

  /** Starts a transaction's bookkeeping from a snapshot taken inside it (counters start there). */
  begin(snapshot: RelationSnapshot): void {
    this.held = new Set();
    this.filenodes = new Map(snapshot.filenodes);
    this.scans = new Map(snapshot.scans);
  }

  async observe(): Promise<Observation> {
    const { rows } = await this.session.query<LockRow>(LOCKS_SQL);
    const observation: Observation = { locks: [], rewritten: [], scanned: [], names: new Map() };
    const seen = new Set<number>();
    for (const row of rows) {
      const oid = Number(row.oid);
      const relation = this.preexisting.get(oid);
      if (!relation) continue;
      const mode = lockModeOf(row.mode);
      const key = `${oid}:${row.mode}`;
      if (mode && !this.held.has(key)) {
        this.held.add(key);
        observation.locks.push({ relation, mode });
      }
      if (seen.has(oid)) continue;
      seen.add(oid);
      observation.names.set(oid, row.name === null || row.schema === null ? null : { schema: row.schema, relname: row.name });
      if (row.filenode !== null) {
        const filenode = Number(row.filenode);
        const before = this.filenodes.get(oid);
        if (before !== undefined && before !== filenode && filenode !== 0) observation.rewritten.push(relation);
        this.filenodes.set(oid, filenode);
      }
      if (row.scans !== null) {
        const scans = Number(row.scans);
        if (scans > (this.scans.get(oid) ?? 0)) observation.scanned.push(relation);
        this.scans.set(oid, scans);
      }
    }
    return observation;
  }
}
