import { LAYOUTS } from '../migrations/types.js';
import { DEFAULT_SQL_OPTIONS, type ResolvedSqlOptions, type SqlLanguageOptions } from './analysis.js';

const CHOICES = {
  transaction: ['auto', 'per-file', 'none'],
  layout: ['auto', ...LAYOUTS],
  rollback: ['auto', 'required', 'off'],
} as const;

/** The Postgres majors pgwarden's config accepts. */
const POSTGRES_VERSIONS = { min: 10, max: 18 } as const;

/** Throws on an unknown key or a value `pgwarden lint`'s config would refuse. */
export function validateSqlLanguageOptions(options: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (key === 'postgresVersion') {
      if (!Number.isInteger(value) || (value as number) < POSTGRES_VERSIONS.min || (value as number) > POSTGRES_VERSIONS.max) {
        throw new TypeError(
          `pgwarden/sql: languageOptions.postgresVersion must be an integer from ${POSTGRES_VERSIONS.min} to ${POSTGRES_VERSIONS.max}, not ${JSON.stringify(value)}.`,
        );
      }
    } else if (key === 'transaction' || key === 'layout' || key === 'rollback') {
      const allowed: readonly string[] = CHOICES[key];
      if (typeof value !== 'string' || !allowed.includes(value)) {
        throw new TypeError(`pgwarden/sql: languageOptions.${key} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}.`);
      }
    } else {
      throw new TypeError(`pgwarden/sql: unknown languageOptions key "${key}" (known: postgresVersion, transaction, layout, rollback).`);
    }
  }
}

export function resolveSqlLanguageOptions(options: SqlLanguageOptions | undefined): ResolvedSqlOptions {
  return {
    postgresVersion: options?.postgresVersion ?? DEFAULT_SQL_OPTIONS.postgresVersion,
    transaction: options?.transaction ?? DEFAULT_SQL_OPTIONS.transaction,
    layout: options?.layout ?? DEFAULT_SQL_OPTIONS.layout,
    rollback: options?.rollback ?? DEFAULT_SQL_OPTIONS.rollback,
  };
}
