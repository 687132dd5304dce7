import { z } from 'zod';

/** Kinds of relation a snapshot lists (pg_class.relkind r, p and m). */
export const STATS_RELATION_KINDS = ['table', 'partitioned table', 'materialized view'] as const;

export const RelationStatsSchema = z
  .object({
    schema: z.string().min(1),
    name: z.string().min(1),
    kind: z.enum(STATS_RELATION_KINDS),
    rows: z
      .number()
      .min(0)
      .nullable()
      .describe('pg_class.reltuples, the planner estimate; null when the table was never analysed'),
    totalBytes: z.number().int().min(0).describe('pg_total_relation_size: table, indexes and TOAST'),
  })
  .strict();

/** `pgwarden stats` output, read back by `pgwarden lint --stats` (and the config's `stats`). */
export const StatsSnapshotSchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1),
    capturedAt: z.iso.datetime({ offset: true }).describe('when the snapshot was taken (server clock, ISO 8601)'),
    serverVersion: z.string().describe("the server's server_version setting"),
    relations: z.array(RelationStatsSchema),
  })
  .strict();

export type RelationStats = z.output<typeof RelationStatsSchema>;
export type StatsSnapshot = z.output<typeof StatsSnapshotSchema>;
