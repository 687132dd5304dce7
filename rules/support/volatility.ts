import type { Node } from 'libpg-query';
import { stringList, walkNodes } from '../../src/sql/ast.js';

/**
 * Function volatility as far as a migration linter can know it without a catalog: built-in and
 * common extension functions by name. Anything else is `unknown`, and callers fail closed.
 */
export type Volatility = 'volatile' | 'non-volatile' | 'unknown';

/** VOLATILE in pg_proc (core, pgcrypto, uuid-ossp, pg_uuidv7): a new value per call, so per row. */
const VOLATILE = new Set([
  'random',
  'random_normal',
  'setseed',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'uuid_generate_v7',
  'gen_random_bytes',
  'gen_salt',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'currval',
  'lastval',
  'setval',
  'pg_sleep',
]);

/** STABLE or IMMUTABLE built-ins: evaluated once when a column is added on PostgreSQL 11+. */
const NON_VOLATILE = new Set([
  // date and time (now() and friends are STABLE: the transaction's start time)
  'now',
  'transaction_timestamp',
  'statement_timestamp',
  'date_trunc',
  'date_part',
  'extract',
  'timezone',
  'age',
  'make_date',
  'make_time',
  'make_timestamp',
  'make_timestamptz',
  'make_interval',
  'to_char',
  'to_date',
  'to_timestamp',
  'to_number',
  // text
  'lower',
  'upper',
  'initcap',
  'btrim',
  'ltrim',
  'rtrim',
  'substring',
  'substr',
  'overlay',
  'position',
  'strpos',
  'replace',
  'left',
  'right',
  'lpad',
  'rpad',
  'repeat',
  'concat',
  'concat_ws',
  'format',
  'length',
  'char_length',
  'octet_length',
  'md5',
  'sha256',
  'encode',
  'decode',
  'normalize',
  'pg_collation_for',
  // numbers
  'abs',
  'round',
  'floor',
  'ceil',
  'ceiling',
  'trunc',
  'mod',
  'power',
  'sqrt',
  'pi',
  // json and arrays
  'json_build_object',
  'json_build_array',
  'jsonb_build_object',
  'jsonb_build_array',
  'to_json',
  'to_jsonb',
  'jsonb_object',
  'array_fill',
  // session information
  'current_setting',
  'current_database',
  'current_schema',
  'current_user',
  'session_user',
  // uuid-ossp's name-based and constant uuids are IMMUTABLE
  'uuid_nil',
  'uuid_generate_v3',
  'uuid_generate_v5',
]);

/** Built-ins in NON_VOLATILE that take no argument: called with some, they are someone else's overload. */
const NO_ARGUMENTS = new Set(['now', 'transaction_timestamp', 'statement_timestamp']);

export function functionVolatility(qualifiedName: string[], argumentCount = 0): Volatility {
  const name = qualifiedName[qualifiedName.length - 1]?.toLowerCase() ?? '';
  const schema = qualifiedName.length > 1 ? qualifiedName[qualifiedName.length - 2]!.toLowerCase() : undefined;
  // Extension functions live in whatever schema the extension went to, so match volatile ones by name.
  if (VOLATILE.has(name)) return 'volatile';
  if (NO_ARGUMENTS.has(name) && argumentCount > 0) return 'unknown';
  // A built-in name in a user schema is a user function we know nothing about.
  if (NON_VOLATILE.has(name) && (schema === undefined || schema === 'pg_catalog')) return 'non-volatile';
  return 'unknown';
}

export interface ExpressionVolatility {
  volatility: Volatility;
  /** The function that decided it (`gen_random_uuid`), when one did. */
  functionName?: string;
}

/**
 * The worst volatility among the functions an expression calls. Operators, casts of constants
 * and SQL value functions (CURRENT_TIMESTAMP, CURRENT_USER) are never volatile.
 */
export function expressionVolatility(expression: Node | undefined): ExpressionVolatility {
  let result: ExpressionVolatility = { volatility: 'non-volatile' };
  walkNodes({ root: expression }, (type, payload) => {
    if (type !== 'FuncCall') return;
    const qualifiedName = stringList(payload['funcname'] as Node[] | undefined);
    const volatility = functionVolatility(qualifiedName, ((payload['args'] as Node[] | undefined) ?? []).length);
    const functionName = qualifiedName.join('.');
    if (volatility === 'volatile' && result.volatility !== 'volatile') result = { volatility, functionName };
    else if (volatility === 'unknown' && result.volatility === 'non-volatile') result = { volatility, functionName };
  });
  return result;
}
