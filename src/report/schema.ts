import { z } from 'zod';
import { RISK_LEVELS } from '../analysis/risk.js';
import { LOCK_MODES } from '../analysis/locks.js';

/** The JSON report, version 1 (DESIGN.md "Report contract"); schemas/report.schema.json is generated from it. */
const risk = z.enum(RISK_LEVELS);

const range = {
  line: z.number().int().min(1),
  column: z.number().int().min(1),
  endLine: z.number().int().min(1),
  endColumn: z.number().int().min(1),
};

export const TextEditSchema = z
  .object({
    ...range,
    start: z.number().int().min(0).describe('UTF-16 offset of the range start in the file text (without a byte order mark).'),
    end: z.number().int().min(0).describe('UTF-16 offset after the range; equal to start for an insertion.'),
    text: z.string().describe('The text that replaces the range.'),
  })
  .describe('Replace the range (line/column or start/end, end exclusive) with text.');

export const FixSchema = z
  .object({
    description: z.string(),
    edits: z.array(TextEditSchema).describe('Non-overlapping edits of this file, in file order.'),
    followUp: z
      .object({
        sql: z.string().describe('The up part of the migration to add after this one.'),
        description: z.string(),
      })
      .optional()
      .describe('A statement that must run in a later migration for the edits to keep the migration’s meaning.'),
  })
  .describe('What `pgwarden lint --fix` changes to resolve the finding without changing what the migration does.');

export const FindingSchema = z.object({
  ruleId: z.string(),
  risk,
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  help: z.string(),
  ...range,
  lock: z.enum(LOCK_MODES).nullable(),
  tags: z.array(z.string()),
  fix: FixSchema.optional(),
  /** `trace`: observed by a rehearsal on a scratch database; absent for findings read from the SQL. */
  source: z.literal('trace').optional(),
});

export const SuppressedFindingSchema = FindingSchema.extend({
  suppression: z.object({
    kind: z.literal('directive'),
    reason: z.string().nullable(),
    line: z.number().int().min(1),
    column: z.number().int().min(1),
  }),
});

export const ParseErrorSchema = z.object({
  message: z.string(),
  line: z.number().int().min(1),
  column: z.number().int().min(1),
});

export const MigrationSchema = z.object({
  id: z.string(),
  direction: z.enum(['up', 'down']),
  rollback: z.string().nullable(),
});

export const FileReportSchema = z.object({
  path: z.string(),
  migration: MigrationSchema.nullable(),
  risk,
  declaredRisk: risk.nullable(),
  parseErrors: z.array(ParseErrorSchema),
  findings: z.array(FindingSchema),
  /** Findings silenced by a directive, with its reason (SARIF shows them as suppressions). */
  suppressed: z.array(SuppressedFindingSchema),
});

const statementNumber = z.number().int().min(1).describe("1-based among the part's top-level statements");

/** One lock a rehearsed statement took on a relation that existed before the migration. */
export const RehearsalLockSchema = z.object({
  statement: statementNumber,
  line: z.number().int().min(1),
  /** The start of the statement, whitespace collapsed. */
  sql: z.string(),
  relation: z.string(),
  relationKind: z.string(),
  mode: z.enum(LOCK_MODES),
  blocks: z.object({ reads: z.boolean(), writes: z.boolean(), ddl: z.boolean() }),
  heldUntil: z
    .enum(['statement', 'transaction-control', 'migration-end'])
    .describe('the end of its own statement, a COMMIT/ROLLBACK statement of the file, or the COMMIT that ends the migration'),
  /** The statement number of the COMMIT/ROLLBACK when heldUntil is transaction-control. */
  releasedBy: statementNumber.nullable(),
  heldMs: z.number().min(0),
});

export const RehearsalPartSchema = z.object({
  path: z.string(),
  direction: z.enum(['up', 'down']),
  transactional: z.boolean(),
  statements: z.number().int().min(0),
  /** Statements run outside any transaction block (CREATE INDEX CONCURRENTLY…): their locks cannot be observed. */
  unobserved: z.number().int().min(0),
  durationMs: z.number().min(0),
  locks: z.array(RehearsalLockSchema),
  rewrites: z.array(z.object({ statement: statementNumber, line: z.number().int().min(1), relation: z.string(), relationKind: z.string() })),
  failed: z.object({ statement: statementNumber, line: z.number().int().min(1), error: z.string() }).nullable(),
});

export const RehearsalMigrationSchema = z.object({
  id: z.string(),
  status: z.enum(['applied', 'rehearsed', 'failed', 'not-rehearsed']),
  rollback: z.enum(['verified', 'mismatch', 'failed', 'not-verified', 'none']),
  note: z.string().nullable(),
  durationMs: z.number().min(0),
  up: RehearsalPartSchema.nullable(),
  down: RehearsalPartSchema.nullable(),
});

/** Present when a rehearsal ran (`pgwarden rehearse`, `lint --rehearse`): what it observed, per migration. */
export const RehearsalSchema = z.object({
  database: z.string(),
  serverVersion: z.string(),
  durationMs: z.number().min(0),
  seed: z.string().nullable(),
  migrations: z.array(RehearsalMigrationSchema),
});

export const ReportSchema = z.object({
  version: z.literal(1),
  tool: z.object({ name: z.literal('pgwarden'), version: z.string() }),
  postgresVersion: z.number().int(),
  files: z.array(FileReportSchema),
  summary: z.object({
    files: z.number().int().min(0),
    findings: z.number().int().min(0),
    parseErrors: z.number().int().min(0),
    risk,
  }),
  rehearsal: RehearsalSchema.optional(),
});

export type FindingReport = z.infer<typeof FindingSchema>;
export type FixReport = z.infer<typeof FixSchema>;
export type TextEditReport = z.infer<typeof TextEditSchema>;
export type SuppressedFindingReport = z.infer<typeof SuppressedFindingSchema>;
export type FileReport = z.infer<typeof FileReportSchema>;
export type Report = z.infer<typeof ReportSchema>;
export type RehearsalSummary = z.infer<typeof RehearsalSchema>;
export type RehearsalMigrationSummary = z.infer<typeof RehearsalMigrationSchema>;
export type RehearsalPartSummary = z.infer<typeof RehearsalPartSchema>;
export type RehearsalLock = z.infer<typeof RehearsalLockSchema>;
