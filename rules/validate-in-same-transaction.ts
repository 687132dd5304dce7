import type { AlterTableStmt, Constraint, RangeVar } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { relationKey } from '../src/analysis/schema.js';
import type { Statement } from '../src/sql/parser.js';
import { alterCommands, relationName, unwrap } from '../src/sql/ast.js';

interface PendingConstraint {
  transactionId: number;
  kind: 'check' | 'foreign';
  referenced: RangeVar | undefined;
  added: Statement;
}

export default defineRule({
  meta: {
    id: 'validate-in-same-transaction',
    risk: 'medium',
    tags: ['locking', 'constraint', 'transaction'],
    lock: 'SHARE ROW EXCLUSIVE',
    summary: 'VALIDATE CONSTRAINT in the same transaction as the ADD … NOT VALID that created the constraint.',
    rationale: [
      'The point of `NOT VALID` is to split adding a constraint into two short-locked steps: the ADD takes a strong ',
      'lock for milliseconds (ACCESS EXCLUSIVE for a CHECK, SHARE ROW EXCLUSIVE on both tables for a foreign key), ',
      'and `VALIDATE CONSTRAINT` later scans the rows under SHARE UPDATE EXCLUSIVE, which blocks neither reads nor ',
      'writes.',
      '',
      'Locks are released only at commit. When the VALIDATE runs in the same transaction as the ADD, the ADD’s ',
      'strong lock is still held during the whole validation scan, so the table is blocked exactly as long as with a ',
      'plain ADD CONSTRAINT: reads and writes for a CHECK, writes on both tables for a foreign key. This happens when ',
      'both statements sit in one migration file that the runner wraps in a transaction, or inside one BEGIN … COMMIT.',
    ].join('\n'),
    help: 'Commit in between: run VALIDATE CONSTRAINT in a later migration, or end the transaction after the ADD … NOT VALID.',
    badExample: [
      '-- one migration, run in one transaction',
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;',
    ].join('\n'),
    safeRewrite: [
      '-- Migration 1 (its own transaction): the ADD holds its locks for milliseconds.',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk',
      '  FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;',
      '',
      '-- Migration 2 (a later transaction): the scan runs under SHARE UPDATE EXCLUSIVE only.',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;',
    ].join('\n'),
    versionNotes: [
      '- **PostgreSQL 18+** also adds NOT NULL constraints `NOT VALID` (`ADD CONSTRAINT … NOT NULL col NOT VALID`); ',
      'validating one in the same transaction keeps the ADD’s ACCESS EXCLUSIVE lock through the scan in the same way. ',
      'pgwarden reports CHECK constraints and foreign keys only.\n',
      '- **Before PostgreSQL 18** a foreign key on a partitioned table cannot be added `NOT VALID` at all, so the ',
      'split is done per partition.',
    ].join(''),
  },
  create(context) {
    const pending = new Map<string, PendingConstraint>();
    const keyOf = (table: RangeVar | undefined, name: string) => `${table ? relationKey(table) : '?'}\u0000${name}`;
    return {
      AlterTableStmt(node: AlterTableStmt, statement) {
        if (context.state.schema.isCreatedHere(node.relation)) return;
        for (const cmd of alterCommands(node.cmds)) {
          const constraint = unwrap<Constraint>(cmd.def, 'Constraint');
          if (cmd.subtype === 'AT_AddConstraint' && constraint?.conname && constraint.skip_validation && constraint.is_enforced) {
            const kind = constraint.contype === 'CONSTR_CHECK' ? 'check' : constraint.contype === 'CONSTR_FOREIGN' ? 'foreign' : undefined;
            if (kind) {
              pending.set(keyOf(node.relation, constraint.conname), {
                transactionId: context.state.transactionId,
                kind,
                referenced: constraint.pktable,
                added: statement,
              });
            }
          }
          if (cmd.subtype !== 'AT_ValidateConstraint' || !cmd.name) continue;
          const added = pending.get(keyOf(node.relation, cmd.name));
          if (!added || added.transactionId !== context.state.transactionId) continue;
          pending.delete(keyOf(node.relation, cmd.name));
          const table = relationName(node.relation);
          const line = context.source.positionAt(added.added.start).line;
          const held =
            added.kind === 'check'
              ? `the ACCESS EXCLUSIVE lock it took on ${table} is held through the whole validation scan, blocking reads and writes`
              : `the SHARE ROW EXCLUSIVE locks it took on ${table} and ${relationName(added.referenced)} are held through the whole validation scan, blocking writes`;
          context.report({
            statement,
            lock: added.kind === 'check' ? 'ACCESS EXCLUSIVE' : 'SHARE ROW EXCLUSIVE',
            message: `VALIDATE CONSTRAINT ${cmd.name} runs in the same transaction as its ADD … NOT VALID on line ${line}, so ${held}.`,
          });
        }
      },
    };
  },
});
