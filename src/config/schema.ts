import { z } from 'zod';
import { allRules } from '../../rules/index.js';
import { RISK_LEVELS } from '../analysis/risk.js';
import { LAYOUTS } from '../migrations/types.js';
import { rulesSchema } from './rule-options-schema.js';
const duration = z.union([
  z.number().int().min(0).describe('milliseconds'),
  z.string().regex(/^\d+\s*(ms|s|min|h)?$/, 'expected a duration such as 500ms, 2s or 1min'),
]);

const database = z.union([
  z.string().describe('a postgres:// URL, pglite:memory or pglite:<dir>'),
  z.object({ env: z.string().describe('name of the environment variable that holds the URL') }).strict(),
]);

export const EnvironmentSchema = z
  .object({
    maxRisk: z.enum(RISK_LEVELS),
    database: database.optional(),
    lockTimeout: duration.optional(),
    statementTimeout: duration.optional(),
    requireRehearsal: z
      .boolean()
      .optional()
      .describe('rehearse the migrations on a scratch database first (see rehearsal) and refuse if that fails or finds more risk than maxRisk'),
    allowOverride: z.boolean().optional(),
    beforeApply: z.string().optional().describe('shell command run before the first migration; if it fails nothing is applied'),
    afterApply: z.string().optional().describe('shell command run after every migration applied'),
    lockRetries: z.number().int().min(0).max(20).optional().describe('retries of a transactional migration after a lock timeout (default 3)'),
    retryDelay: duration.optional().describe('wait before the first retry, doubled for each next one (default 1s)'),
    advisoryLockTimeout: duration
      .optional()
      .describe('how long to wait for another pgwarden run on the same database to finish (default 5min)'),
  })
  .strict();

export const HistorySchema = z
  .object({
    schema: z.string().default('public'),
    table: z.string().default('pgwarden_migrations'),
    auditTable: z.string().default('pgwarden_audit'),
    auditFile: z.string().optional().describe('write the audit trail as JSON lines to this file instead of auditTable'),
  })
  .strict();

/** Where and how `pgwarden rehearse`, `lint --rehearse` and `requireRehearsal` replay migrations. */
export const RehearsalConfigSchema = z
  .object({
    database: database
      .optional()
      .describe('pglite:memory (the default, PostgreSQL 18 in process) or a server URL: a scratch database is created next to the one it names, and dropped'),
    seed: z
      .string()
      .optional()
      .describe('SQL file run after the migrations before the rehearsed ones, so that rewrites and validations touch rows'),
  })
  .strict();

const postgresVersion = z.number().int().min(10).max(18);
const layout = z.enum(['auto', ...LAYOUTS]);
const transaction = z.enum(['auto', 'per-file', 'implicit', 'none']);
const rollback = z.enum(['auto', 'required', 'off']);
const rules = rulesSchema(allRules).describe('rule id → off | warning | error, or [severity, options] for a rule that takes options');

export const MigrationsSchema = z
  .object({
    dir: z.string().default('migrations'),
    layout: layout.default('auto'),
    transaction: transaction.default('auto'),
    rollback: rollback.default('auto'),
  })
  .strict();

/** Settings for the files that match `files`; later overrides win over earlier ones. */
export const OverrideSchema = z
  .object({
    files: z
      .array(z.string().min(1))
      .min(1)
      .describe("glob patterns (picomatch), relative to the config file's directory, e.g. db/legacy/**/*.sql"),
    postgresVersion: postgresVersion.optional(),
    migrations: z
      .object({ layout: layout.optional(), transaction: transaction.optional(), rollback: rollback.optional() })
      .strict()
      .optional(),
    rules: rules.optional().describe('added to the top-level rules for these files'),
  })
  .strict();

export const ConfigSchema = z
  .object({
    $schema: z.string().optional(),
    postgresVersion: postgresVersion.default(16),
    migrations: MigrationsSchema.prefault({}),
    rules: rules.default({}),
    stats: z.string().optional(),
    history: HistorySchema.prefault({}),
    environments: z.record(z.string(), EnvironmentSchema).optional(),
    rehearsal: RehearsalConfigSchema.optional(),
    overrides: z
      .array(OverrideSchema)
      .optional()
      .describe('per-path settings, applied in order to each file they match (command-line flags still win)'),
  })
  .strict();

export type ConfigInput = z.input<typeof ConfigSchema>;
export type Config = z.output<typeof ConfigSchema>;
export type EnvironmentConfig = z.output<typeof EnvironmentSchema>;
export type HistoryConfig = z.output<typeof HistorySchema>;
export type OverrideConfig = z.output<typeof OverrideSchema>;
export type RehearsalConfig = z.output<typeof RehearsalConfigSchema>;
