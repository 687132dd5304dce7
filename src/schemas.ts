import { z } from 'zod';
import { ConfigSchema } from './config/schema.js';
import { ReportSchema } from './report/schema.js';
import { StatsSnapshotSchema } from './stats/schema.js';

/** The JSON Schemas published in schemas/, generated from the zod schemas they describe. */
export function jsonSchemas(): Record<'config.schema.json' | 'report.schema.json' | 'stats.schema.json', object> {
  return {
    'config.schema.json': {
      ...z.toJSONSchema(ConfigSchema, { io: 'input' }),
      title: 'pgwarden configuration',
    },
    'report.schema.json': {
      ...z.toJSONSchema(ReportSchema),
      title: 'pgwarden report (version 1)',
    },
    'stats.schema.json': {
      ...z.toJSONSchema(StatsSnapshotSchema),
      title: 'pgwarden stats snapshot (version 1)',
    },
  };
}
