import type { AlterDomainStmt, AlterTableStmt, Constraint, RangeVar } from 'libpg-query';
import type { Fix } from '../../src/analysis/finding.js';
import type { RuleContext } from '../../src/analysis/rule.js';
import { alterCommands, quoteName, stringList, unwrap } from '../../src/sql/ast.js';
import type { Statement } from '../../src/sql/parser.js';
import { checkedFix, insertAfter, statementTokens, topLevelItems } from './fixes.js';

/**
 * The NOT VALID fix of require-not-valid-check and require-not-valid-foreign-key: ` NOT VALID` at
 * the end of each named constraint the statement adds, and a follow-up migration that validates
 * them. Existing rows are still checked, by the VALIDATE, so the migrations together enforce what
 * the statement enforced; only the lock changes. No fix when a constraint has no name (the
 * follow-up would have to guess the one Postgres generates), in a down part (no later migration
 * follows a rollback), in a DO body, or when the file validates the constraint itself.
 */

function qualifiedTable(relation: RangeVar): string {
  const name = [relation.schemaname, relation.relname].filter((part): part is string => !!part).map(quoteName).join('.');
  return relation.inh ? name : `ONLY ${name}`;
}

function validateStatements(kind: 'TABLE' | 'DOMAIN', target: string, names: readonly string[]): string {
  return names.map((name) => `ALTER ${kind} ${target} VALIDATE CONSTRAINT ${quoteName(name)};`).join('\n');
}

function fixable(context: RuleContext, statement: Statement, names: ReadonlyArray<string | undefined>): names is string[] {
  if (statement.parent || context.migration?.direction === 'down') return false;
  if (!names.length || names.some((name) => !name)) return false;
  return !context.statements.some(
    (later) =>
      later.index > statement.index &&
      (later.type === 'AlterTableStmt' || later.type === 'AlterDomainStmt') &&
      validatedNames(later).some((name) => names.includes(name)),
  );
}

function validatedNames(statement: Statement): string[] {
  if (statement.type === 'AlterDomainStmt') {
    const node = statement.ast as AlterDomainStmt;
    return node.subtype === 'V' && node.name ? [node.name] : [];
  }
  return alterCommands((statement.ast as AlterTableStmt).cmds).flatMap((cmd) =>
    cmd.subtype === 'AT_ValidateConstraint' && cmd.name ? [cmd.name] : [],
  );
}

function describe(names: readonly string[]): string {
  return names.length > 1 ? `constraints ${names.join(', ')}` : `constraint ${names[0]}`;
}

/** The fix for `ALTER TABLE … ADD CONSTRAINT` of the `constraints` (table constraints of this statement). */
export function notValidTableFix(
  context: RuleContext,
  statement: Statement,
  node: AlterTableStmt,
  constraints: readonly Constraint[],
): Fix | undefined {
  const names = constraints.map((c) => c.conname);
  if (!node.relation || !fixable(context, statement, names)) return undefined;
  const partitioned = context.postgresVersion < 18 && context.state.schema.isPartitioned({ relation: node.relation });
  if (partitioned && constraints.some((c) => c.contype === 'CONSTR_FOREIGN')) return undefined;
  const commands = alterCommands(node.cmds);
  const items = topLevelItems(statementTokens(context.source, statement));
  if (items.length !== commands.length) return undefined;
  const edits = commands.flatMap((cmd, i) => {
    const constraint = unwrap<Constraint>(cmd.def, 'Constraint');
    const last = items[i]!.at(-1);
    return cmd.subtype === 'AT_AddConstraint' && constraint && constraints.includes(constraint) && last ? [insertAfter(last, ' NOT VALID')] : [];
  });
  if (edits.length !== constraints.length) return undefined;
  const table = `${node.missing_ok ? 'IF EXISTS ' : ''}${qualifiedTable(node.relation)}`;
  return checkedFix<'AlterTableStmt'>(
    context.source,
    statement,
    {
      description: `Add ${describe(names)} NOT VALID, and validate existing rows in a new migration.`,
      edits,
      followUp: {
        sql: validateStatements('TABLE', table, names),
        description: `Check the rows that existed before ${describe(names)} under SHARE UPDATE EXCLUSIVE, which lets reads and writes continue.`,
      },
    },
    (altered) =>
      alterCommands(altered.cmds).every((cmd) => {
        const constraint = unwrap<Constraint>(cmd.def, 'Constraint');
        return !constraint?.conname || !names.includes(constraint.conname) || constraint.skip_validation === true;
      }),
  );
}

/** The fix for `ALTER DOMAIN … ADD CONSTRAINT name CHECK (…)`. */
export function notValidDomainFix(context: RuleContext, statement: Statement, node: AlterDomainStmt, constraint: Constraint): Fix | undefined {
  const names = [constraint.conname];
  if (!fixable(context, statement, names)) return undefined;
  const last = statementTokens(context.source, statement).at(-1);
  if (!last) return undefined;
  const domain = stringList(node.typeName).map(quoteName).join('.');
  return checkedFix<'AlterDomainStmt'>(
    context.source,
    statement,
    {
      description: `Add ${describe(names)} NOT VALID, and validate existing values in a new migration.`,
      edits: [insertAfter(last, ' NOT VALID')],
      followUp: {
        sql: validateStatements('DOMAIN', domain, names),
        description:
          context.postgresVersion >= 19
            ? `Check the existing values of domain ${domain} against ${names[0]}.`
            : `Check the existing values of domain ${domain} against ${names[0]}; before PostgreSQL 19 this takes SHARE locks on the tables using the domain, so run it at a quiet time.`,
      },
    },
    (altered) => unwrap<Constraint>(altered.def, 'Constraint')?.skip_validation === true,
  );
}
