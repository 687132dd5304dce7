import type { AlterEnumStmt, AlterTableStmt, DropStmt, IndexStmt, PartitionCmd, ReindexStmt, TransactionStmt, VacuumStmt } from 'libpg-query';
import type { Statement } from '../sql/parser.js';
import { alterCommands, defElems, unwrap } from '../sql/ast.js';

/**
 * How the migration runner wraps a file: `auto` is pgwarden's executor (one transaction per
 * migration unless the file cannot run in one or manages its own; Flyway behaves the same),
 * `per-file` always wraps (dbmate, goose, Diesel; golang-migrate and Prisma send a file as one
 * query, which PostgreSQL runs as one implicit transaction), `none` never does (psql -f).
 */
export type TransactionMode = 'auto' | 'per-file' | 'none';

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
      for (const cmd of alterCommands((statement.ast as AlterTableStmt).cmds)) {
        if (cmd.subtype === 'AT_DetachPartition' && unwrap<PartitionCmd>(cmd.def, 'PartitionCmd')?.concurrent) {
          return 'DETACH PARTITION CONCURRENTLY';
        }
      }
      return undefined;
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

/** Whether the runner wraps this file in a transaction of its own. */
export function runnerWrapsFile(
  statements: readonly Statement[],
  mode: TransactionMode,
  noTransactionDirective: boolean,
  postgresVersion: number,
): boolean {
  if (noTransactionDirective || mode === 'none') return false;
  if (mode === 'per-file') return true;
  return !statements.some(
    (s) => (!s.parent && transactionControl(s) !== undefined) || transactionIncompatibility(s, postgresVersion) !== undefined,
  );
}
