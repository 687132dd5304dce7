import type { Rule } from '../src/analysis/rule.js';
import noDropTable from './no-drop-table.js';
import requireConcurrentIndex from './require-concurrent-index.js';
// batch A imports
import noDropColumn from './no-drop-column.js';
import noDropSchema from './no-drop-schema.js';
import noDropDatabase from './no-drop-database.js';
import noTruncate from './no-truncate.js';
import requireWhereClause from './require-where-clause.js';
import setNotNull from './set-not-null.js';
import requireDefaultForNotNullColumn from './require-default-for-not-null-column.js';
import noColumnTypeChange from './no-column-type-change.js';
import dependentObjects from './dependent-objects.js';
import requireForeignKeyIndex from './require-foreign-key-index.js';
import noAddColumnRewrite from './no-add-column-rewrite.js';
import noTableRewrite from './no-table-rewrite.js';
import requireConcurrentRefresh from './require-concurrent-refresh.js';
// batch B imports
import requireConcurrentIndexDrop from './require-concurrent-index-drop.js';
import requireConcurrentReindex from './require-concurrent-reindex.js';
import transactionIncompatibleStatement from './transaction-incompatible-statement.js';
import requireNotValidForeignKey from './require-not-valid-foreign-key.js';
import requireNotValidCheck from './require-not-valid-check.js';
import validateInSameTransaction from './validate-in-same-transaction.js';
import requireUniqueUsingIndex from './require-unique-using-index.js';
import noRenameColumn from './no-rename-column.js';
import noRenameTable from './no-rename-table.js';
import requireLockTimeout from './require-lock-timeout.js';
import noGrantToPublic from './no-grant-to-public.js';
import noPrivilegedRole from './no-privileged-role.js';
import noPasswordLiteral from './no-password-literal.js';
import unanalyzableStatement from './unanalyzable-statement.js';
import requireRollback from './require-rollback.js';
import declaredRiskMismatch from './declared-risk-mismatch.js';
import invalidDirective from './invalid-directive.js';
import unusedDirective from './unused-directive.js';
// <work-a> rules
import noDropNotNull from './no-drop-not-null.js';
import noDomainConstraint from './no-domain-constraint.js';
import noDuplicateColumn from './no-duplicate-column.js';
import noUncommittedTransaction from './no-uncommitted-transaction.js';
import transactionNesting from './transaction-nesting.js';
import requireConcurrentPartitionDetach from './require-concurrent-partition-detach.js';
import setDefaultExistingRows from './set-default-existing-rows.js';
import preferJsonb from './prefer-jsonb.js';
import lockTimeoutTooLong from './lock-timeout-too-long.js';
// <work-d> rules
import preferRobustStatements from './prefer-robust-statements.js';
// <work-b> rules
import noSlowStatementAfterAccessExclusive from './no-slow-statement-after-access-exclusive.js';
import noLockAfterAccessExclusive from './no-lock-after-access-exclusive.js';
import noRepeatedAlterTable from './no-repeated-alter-table.js';
import noAddExclusionConstraint from './no-add-exclusion-constraint.js';
import requireStatementTimeout from './require-statement-timeout.js';
import noDisabledIdleTransactionTimeout from './no-disabled-idle-transaction-timeout.js';
import noUnbatchedDml from './no-unbatched-dml.js';
import requireSecurityDefinerSearchPath from './require-security-definer-search-path.js';
import noDisableRowLevelSecurity from './no-disable-row-level-security.js';
import noUnrestrictedPolicy from './no-unrestricted-policy.js';
// <work-c> rules
import identifierTooLong from './identifier-too-long.js';
import preferBigint from './prefer-bigint.js';
import preferIdentity from './prefer-identity.js';
import preferText from './prefer-text.js';
import preferTimestamptz from './prefer-timestamptz.js';
import requireTableSchema from './require-table-schema.js';
import namingConvention from './naming-convention.js';
import requireMetadata from './require-metadata.js';
// <work-e> rules
import migrationFailed from './migration-failed.js';
import rollbackFailed from './rollback-failed.js';
import rollbackMismatch from './rollback-mismatch.js';
import observedRewrite from './observed-rewrite.js';
import observedBlockingLock from './observed-blocking-lock.js';
import traceContradictsPrediction from './trace-contradicts-prediction.js';

/** Every rule pgwarden ships, in documentation order. */
export const allRules: readonly Rule[] = [
  noDropTable,
  requireConcurrentIndex,
  // batch A rules
  noDropColumn,
  noDropSchema,
  noDropDatabase,
  noTruncate,
  requireWhereClause,
  setNotNull,
  requireDefaultForNotNullColumn,
  noColumnTypeChange,
  dependentObjects,
  requireForeignKeyIndex,
  noAddColumnRewrite,
  noTableRewrite,
  requireConcurrentRefresh,
  // batch B rules
  requireConcurrentIndexDrop,
  requireConcurrentReindex,
  transactionIncompatibleStatement,
  requireNotValidForeignKey,
  requireNotValidCheck,
  validateInSameTransaction,
  requireUniqueUsingIndex,
  noRenameColumn,
  noRenameTable,
  requireLockTimeout,
  noGrantToPublic,
  noPrivilegedRole,
  noPasswordLiteral,
  unanalyzableStatement,
  requireRollback,
  declaredRiskMismatch,
  invalidDirective,
  unusedDirective,
  // <work-a> rules
  noDropNotNull,
  noDomainConstraint,
  noDuplicateColumn,
  noUncommittedTransaction,
  transactionNesting,
  requireConcurrentPartitionDetach,
  setDefaultExistingRows,
  preferJsonb,
  lockTimeoutTooLong,
  // <work-d> rules
  preferRobustStatements,
  // <work-b> rules
  noSlowStatementAfterAccessExclusive,
  noLockAfterAccessExclusive,
  noRepeatedAlterTable,
  noAddExclusionConstraint,
  requireStatementTimeout,
  noDisabledIdleTransactionTimeout,
  noUnbatchedDml,
  requireSecurityDefinerSearchPath,
  noDisableRowLevelSecurity,
  noUnrestrictedPolicy,
  // <work-c> rules
  identifierTooLong,
  preferBigint,
  preferIdentity,
  preferText,
  preferTimestamptz,
  requireTableSchema,
  namingConvention,
  requireMetadata,
  // <work-e> rules
  migrationFailed,
  rollbackFailed,
  rollbackMismatch,
  observedRewrite,
  observedBlockingLock,
  traceContradictsPrediction,
];

export function findRule(id: string): Rule | undefined {
  return allRules.find((rule) => rule.meta.id === id);
}
