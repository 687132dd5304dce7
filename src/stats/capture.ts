import type { DatabaseSession } from '../executor/db/types.js';
import { STATS_RELATION_KINDS, StatsSnapshotSchema, type StatsSnapshot } from './schema.js';

/**
 * Every ordinary table, partitioned table and materialized view outside the system schemas, with
 * the capture time and server version, as one row: the snapshot needs a single query.
 * reltuples is -1 for a table never analysed (PostgreSQL 14+): reported as null, not 0.
 */
export const STATS_QUERY = `
SELECT
  to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS captured_at,
  current_setting('server_version') AS server_version,
  coalesce((
    SELECT json_agg(json_build_object(
      'schema', n.nspname,
      'name', c.relname,
      'kind', CASE c.relkind WHEN 'r' THEN '${STATS_RELATION_KINDS[0]}' WHEN 'p' THEN '${STATS_RELATION_KINDS[1]}' ELSE '${STATS_RELATION_KINDS[2]}' END,
      'rows', CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::float8 END,
      'totalBytes', pg_total_relation_size(c.oid)
    ) ORDER BY n.nspname, c.relname)
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%'
      AND n.nspname NOT LIKE 'pg\\_temp\\_%'
  ), '[]'::json) AS relations`;

interface StatsRow {
  captured_at: string;
  server_version: string;
  relations: unknown;
}

/** Takes a snapshot in a read-only transaction; the session is left as it was found. */
export async function captureStats(session: DatabaseSession): Promise<StatsSnapshot> {
  await session.query('BEGIN READ ONLY');
  let row: StatsRow | undefined;
  try {
    row = (await session.query<StatsRow>(STATS_QUERY)).rows[0];
  } finally {
    await session.query('COMMIT');
  }
  if (!row) throw new Error('the stats query returned no row');
  // node-postgres parses json columns; parse here when a driver hands back text.
  const relations: unknown = typeof row.relations === 'string' ? JSON.parse(row.relations) : row.relations;
  return StatsSnapshotSchema.parse({ version: 1, capturedAt: row.captured_at, serverVersion: row.server_version, relations });
}
