import type { AlterTableStmt, RangeVar } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { relationKey } from '../src/analysis/schema.js';
import type { AnalysisState } from '../src/analysis/state.js';
import type { Statement } from '../src/sql/parser.js';
import { alterCommands, relationName } from '../src/sql/ast.js';
import { transactionLocks } from './support/held-locks.js';
import { longWork } from './support/long-work.js';

/** Subcommands ALTER TABLE cannot combine with others (PostgreSQL's ALTER TABLE reference). */
const ALONE = new Set(['AT_AttachPartition', 'AT_DetachPartition', 'AT_DetachPartitionFinalize']);

interface Member {
  statement: Statement;
  transactionId: number;
  /** Scans or rewrites the table: combined statements do it in one pass. */
  passes: boolean;
}

/** Consecutive ALTER TABLE statements on one table, with nothing else touching it in between. */
interface Run {
  relation: RangeVar;
  only: boolean;
  members: Member[];
}

export default defineRule({
  meta: {
    id: 'no-repeated-alter-table',
    risk: 'low',
    tags: ['hygiene', 'locking'],
    lock: 'ACCESS EXCLUSIVE',
    summary:
      'Consecutive ALTER TABLE statements on the same existing table that one ALTER TABLE could do: each takes the lock again, or scans or rewrites the table again.',
    rationale: [
      'One `ALTER TABLE` can carry many subcommands (`ADD COLUMN a …, ALTER COLUMN b TYPE …, ADD CONSTRAINT …`),',
      'and PostgreSQL then takes the lock once and makes one pass over the table for all of them: a single rewrite',
      'when several subcommands rewrite, a single scan to check every new constraint and `SET NOT NULL`.',
      '',
      'Written as separate statements, the same change costs more:',
      '',
      '- in one transaction, each statement that rewrites or scans the table does its own pass, and the',
      '  `ACCESS EXCLUSIVE` lock (no reads, no writes) is held through all of them;',
      '- in separate transactions (a no-transaction migration, or a COMMIT in between), each statement queues for',
      '  `ACCESS EXCLUSIVE` again behind every query using the table, and blocks every query that arrives while it waits.',
      '',
      'Statements that are instant in one transaction are not reported (the second one finds the lock already held),',
      'and neither are statements with something in between that touches the table (a backfill, an index build),',
      'whose order matters. `ATTACH`/`DETACH PARTITION`, `RENAME` and `SET SCHEMA` cannot be combined and are left out,',
      'as are statements taking a weaker lock (`VALIDATE CONSTRAINT`, `SET STATISTICS`), which combining would strengthen,',
      'and a `DROP CONSTRAINT` after `SET NOT NULL`: ALTER TABLE drops constraints before anything else, so the CHECK',
      'that lets `SET NOT NULL` skip its scan would be gone.',
    ].join('\n'),
    help: 'Merge the statements into one ALTER TABLE with comma-separated subcommands.',
    badExample: [
      'ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;',
      'ALTER TABLE orders ALTER COLUMN total_cents TYPE bigint;',
    ].join('\n'),
    safeRewrite: [
      '-- One statement, one lock, one rewrite of orders (still a rewrite: see no-column-type-change).',
      "SET LOCAL lock_timeout = '2s';",
      'ALTER TABLE orders',
      '  ALTER COLUMN quantity TYPE bigint,',
      '  ALTER COLUMN total_cents TYPE bigint;',
    ].join('\n'),
  },
  create(context) {
    const locks = transactionLocks(context.state);
    const runs = new Map<string, Run>();

    const close = (key: string) => {
      const run = runs.get(key);
      runs.delete(key);
      if (!run || run.members.length < 2) return;
      const table = relationName(run.relation);
      const line = (member: Member) => context.source.positionAt(member.statement.start).line;
      const first = run.members[0]!;
      const requeued = run.members.find((member) => member.transactionId !== first.transactionId);
      if (requeued) {
        const count = new Set(run.members.map((member) => member.transactionId)).size;
        context.report({
          statement: requeued.statement,
          message:
            `The ALTER TABLE ${table} at line ${line(first)} and this one run in ${count} separate transactions, so each queues ` +
            `for ACCESS EXCLUSIVE on ${table} again; one ALTER TABLE with the subcommands of ${run.members.length > 2 ? `all ${run.members.length}` : 'both'} takes it once.`,
        });
        return;
      }
      const passes = run.members.filter((member) => member.passes);
      if (passes.length < 2) return;
      context.report({
        statement: passes[1]!.statement,
        message:
          `The ALTER TABLE ${table} at line ${line(passes[0]!)} and this one each scan or rewrite ${table} while it is locked ` +
          `ACCESS EXCLUSIVE (${passes.length} passes in all); one ALTER TABLE with their subcommands makes a single pass.`,
      });
    };

    return {
      statement(statement) {
        const candidate = combinable(statement);
        const own = candidate && locks.locksOf(statement).some((l) => l.mode === 'ACCESS EXCLUSIVE' && !l.index && relationKey(l.relation) === relationKey(candidate.relation!));
        const key = own ? relationKey(candidate.relation!) : undefined;
        // Only an open run can be closed by what this statement touches.
        if (runs.size > (key && runs.has(key) ? 1 : 0)) {
          for (const other of referencedRelations(statement, context.state)) if (other !== key) close(other);
        }
        if (candidate && key) {
          const only = !candidate.relation!.inh;
          const run = runs.get(key);
          if (run && (run.only !== only || dropsProofOf(candidate, run))) close(key);
          const member: Member = {
            statement,
            transactionId: context.state.transactionId,
            passes: longWork(statement, context).some((w) => (w.kind === 'rewrite' || w.kind === 'scan') && relationKey(w.relation) === key),
          };
          const current = runs.get(key) ?? { relation: candidate.relation!, only, members: [] };
          current.members.push(member);
          runs.set(key, current);
        }
      },
      end() {
        for (const key of [...runs.keys()]) close(key);
      },
    };
  },
});

/** A top-level ALTER TABLE whose subcommands could be merged with another's. */
function combinable(statement: Statement): AlterTableStmt | undefined {
  if (statement.type !== 'AlterTableStmt' || statement.parent) return undefined;
  const stmt = statement.ast as AlterTableStmt;
  if (stmt.objtype !== 'OBJECT_TABLE' || !stmt.relation) return undefined;
  const commands = alterCommands(stmt.cmds);
  return commands.length && !commands.some((cmd) => ALONE.has(cmd.subtype ?? '')) ? stmt : undefined;
}

/**
 * ALTER TABLE runs DROP CONSTRAINT before SET NOT NULL whatever their order in the statement, so
 * `SET NOT NULL` followed by dropping the CHECK that proved it (set-not-null's safe rewrite) would
 * scan the table if combined.
 */
function dropsProofOf(stmt: AlterTableStmt, run: Run): boolean {
  if (!alterCommands(stmt.cmds).some((cmd) => cmd.subtype === 'AT_DropConstraint')) return false;
  return run.members.some((member) =>
    alterCommands((member.statement.ast as AlterTableStmt).cmds).some((cmd) => cmd.subtype === 'AT_SetNotNull'),
  );
}

/** Every relation a statement names or locks, by relationKey. */
function referencedRelations(statement: Statement, state: AnalysisState): Set<string> {
  const keys = new Set<string>();
  addNamedRelations(statement.ast, keys);
  for (const lock of state.locksOf(statement)) keys.add(relationKey(lock.relation));
  return keys;
}

/** RangeVars appear wrapped ({ RangeVar: … }) in lists and bare in fields such as relation and pktable. */
function addNamedRelations(value: unknown, keys: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) addNamedRelations(item, keys);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (typeof record['relname'] === 'string') keys.add(relationKey(record as RangeVar));
  for (const key in record) {
    const child = record[key];
    if (child && typeof child === 'object') addNamedRelations(child, keys);
  }
}
