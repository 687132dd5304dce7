import { LAYOUTS } from '../migrations/types.js';
import { DEFAULT_SQL_OPTIONS, type ResolvedSqlOptions, type SqlLanguageOptions } from './analysis.js';

const CHOICES = {
  transaction: ['auto', 'per-file', 'implicit', 'none'],
  layout: ['auto', ...LAYOUTS],
  rollback: ['auto', 'required', 'off'],
} as const;

/** The Postgres majors pgwarden's config accepts. */
const POSTGRES_VERSIONS = { min: 10, max: 18 } as const;

/**
 * Throws on an unknown key or a value `pgwarden lint`'s config would refuse. `where` names the
 * options in messages: `languageOptions` of `pgwarden/sql` for SQL files, `settings.pgwarden` for
 * the rules on JS/TS migrations.
 */
export function validateSqlLanguageOptions(
  options: Readonly<Record<string, unknown>>,
  { owner, where }: { owner: string; where: string } = { owner: 'pgwarden/sql', where: 'languageOptions' },
): void {
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (key === 'postgresVersion') {
      if (!Number.isInteger(value) || (value as number) < POSTGRES_VERSIONS.min || (value as number) > POSTGRES_VERSIONS.max) {
        throw new TypeError(
          `${owner}: ${where}.postgresVersion must be an integer from ${POSTGRES_VERSIONS.min} to ${POSTGRES_VERSIONS.max}, not ${JSON.stringify(value)}.`,
        );
      }
    } else if (key === 'transaction' || key === 'layout' || key === 'rollback') {
      const allowed: readonly string[] = CHOICES[key];
      if (typeof value !== 'string' || !allowed.includes(value)) {
        throw new TypeError(`${owner}: ${where}.${key} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}.`);
      }
    } else {
      throw new TypeError(`${owner}: unknown ${where} key "${key}" (known: postgresVersion, transaction, layout, rollback).`);
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
