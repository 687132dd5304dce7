import type { AlterEnumStmt, AlterTableStmt, DropStmt, IndexStmt, PartitionCmd, ReindexStmt, TransactionStmt, VacuumStmt } from 'libpg-query';
import type { Statement } from '../sql/parser.js';
import { alterCommands, defElems, unwrap } from '../sql/ast.js';

/**
 * How the migration runner wraps a file: `auto` is pgwarden's executor (one transaction per
 * migration unless the file cannot run in one or manages its own; Flyway behaves the same),
 * `per-file` always wraps (dbmate, goose, Diesel), `implicit` sends the whole file as one
 * simple-protocol query (golang-migrate without x-multi-statement, Prisma Migrate,
 * `psql -c "$(cat file)"`), `none` never wraps (psql -f).
 */
export type TransactionMode = 'auto' | 'per-file' | 'implicit' | 'none';

/** Every transaction mode, in the order the config schema, CLI and ESLint options list them. */
export const TRANSACTION_MODES: readonly TransactionMode[] = ['auto', 'per-file', 'implicit', 'none'];

/** Why Postgres refuses to run this statement inside a transaction block, if it does. */
export function transactionIncompatibility(statement: Statement, postgresVersion: number): string | undefined {
  switch (statement.type) {
    case 'IndexStmt':
      return (statement.ast as IndexStmt).concurrent ? 'CREATE INDEX CONCURRENTLY' : undefined;
    case 'DropStmt':
      return (statement.ast as DropStmt).concurrent ? 'DROP INDEX CONCURRENTLY' : undefined;
    case 'ReindexStmt': {
      const stmt = statement.ast as ReindexStmt;
      if (defElems(stmt.params).some((d) => d.defname === 'concurrently')) return 'REINDEX CONCURRENTLY';
      if (stmt.kind === 'REINDEX_OBJECT_SYSTEM' || stmt.kind === 'REINDEX_OBJECT_DATABASE') return 'REINDEX SYSTEM/DATABASE';
      return undefined;
    }
    case 'AlterTableStmt':
      return alterCommands((statement.ast as AlterTableStmt).cmds).some(
        (cmd) => cmd.subtype === 'AT_DetachPartition' && unwrap<PartitionCmd>(cmd.def, 'PartitionCmd')?.concurrent,
      )
        ? 'DETACH PARTITION CONCURRENTLY'
        : undefined;
    case 'VacuumStmt':
      return (statement.ast as VacuumStmt).is_vacuumcmd ? 'VACUUM' : undefined;
    case 'AlterEnumStmt': {
      const stmt = statement.ast as AlterEnumStmt;
      return stmt.newVal && !stmt.oldVal && postgresVersion < 12 ? 'ALTER TYPE … ADD VALUE (before PostgreSQL 12)' : undefined;
    }
    case 'CreatedbStmt':
      return 'CREATE DATABASE';
    case 'DropdbStmt':
      return 'DROP DATABASE';
    case 'CreateTableSpaceStmt':
      return 'CREATE TABLESPACE';
    case 'DropTableSpaceStmt':
      return 'DROP TABLESPACE';
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM';
    default:
      return undefined;
  }
}

export type TransactionControl = 'begin' | 'commit' | 'rollback' | 'other';

export function transactionControl(statement: Statement): TransactionControl | undefined {
  if (statement.type !== 'TransactionStmt') return undefined;
  switch ((statement.ast as TransactionStmt).kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return 'begin';
    case 'TRANS_STMT_COMMIT':
    case 'TRANS_STMT_COMMIT_PREPARED':
    case 'TRANS_STMT_PREPARE':
      return 'commit';
    case 'TRANS_STMT_ROLLBACK':
    case 'TRANS_STMT_ROLLBACK_PREPARED':
      return 'rollback';
    default:
      return 'other';
  }
}

/**
 * Whether a file under `implicit` runs as a multi-statement simple query, where PostgreSQL puts
 * every statement outside an explicit BEGIN … COMMIT into an implicit transaction block. The
 * PostgreSQL manual, "Multiple Statements in a Simple Query" (protocol-flow.html, 53.2.2.1 in
 * PostgreSQL 16): "When a simple Query message contains more than one SQL statement (separated by
 * semicolons), those statements are executed as a single transaction, unless explicit transaction
 * control commands are included to force a different behavior." A BEGIN turns the implicit block
 * into a regular one (the statements before it belong to the same transaction); "A COMMIT or
 * ROLLBACK appearing in an implicit transaction block is executed as normal, closing the implicit
 * block [...] If more statements follow, a new implicit transaction block will be started for
 * them." A query of ONE statement gets no implicit block (exec_simple_query only uses one when the
 * query has more than one statement), so a lone CREATE INDEX CONCURRENTLY works.
 */
export function implicitBlocks(statements: readonly Statement[], mode: TransactionMode, noTransactionDirective: boolean): boolean {
  return mode === 'implicit' && !noTransactionDirective && statements.filter((s) => !s.parent).length > 1;
}

/**
 * Whether the runner wraps this file in a transaction of its own. Under `implicit` that is a file
 * of several statements without BEGIN/COMMIT/ROLLBACK; with transaction control the file is not
 * wrapped as a whole, and the analysis models the implicit blocks around the statements outside
 * the explicit one (see implicitBlocks).
 */
export function runnerWrapsFile(
  statements: readonly Statement[],
  mode: TransactionMode,
  noTransactionDirective: boolean,
  postgresVersion: number,
): boolean {
  if (noTransactionDirective || mode === 'none') return false;
  if (mode === 'per-file') return true;
  if (mode === 'implicit') {
    const topLevelControl = statements.some((s) => {
      const control = s.parent ? undefined : transactionControl(s);
      return control !== undefined && control !== 'other';
    });
    return implicitBlocks(statements, mode, noTransactionDirective) && !topLevelControl;
  }
  return !statements.some(
    (s) => (!s.parent && transactionControl(s) !== undefined) || transactionIncompatibility(s, postgresVersion) !== undefined,
  );
}
