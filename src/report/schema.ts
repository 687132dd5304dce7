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
});

export type FindingReport = z.infer<typeof FindingSchema>;
export type FixReport = z.infer<typeof FixSchema>;
export type TextEditReport = z.infer<typeof TextEditSchema>;
export type SuppressedFindingReport = z.infer<typeof SuppressedFindingSchema>;
export type FileReport = z.infer<typeof FileReportSchema>;
export type Report = z.infer<typeof ReportSchema>;
