import type { CallStmt, DoStmt } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { stringList } from '../src/sql/ast.js';

export default defineRule({
  meta: {
    id: 'unanalyzable-statement',
    risk: 'medium',
    tags: ['process'],
    summary: 'Code pgwarden cannot see into: dynamic SQL and unparsable or non-PL/pgSQL DO bodies, and CALL of a procedure.',
    rationale: [
      'pgwarden analyses the statements a migration runs, including the ones written out in a PL/pgSQL `DO` block. ',
      'Some code only exists at run time or is out of reach:',
      '',
      '- `EXECUTE` of a string built at run time (`format(…)`, concatenation, a variable),',
      '- a `DO` block in another language (plv8, plpython) or one whose body does not parse,',
      '- `CALL` of a procedure, whose body lives in the database.',
      '',
      'That code can drop tables, rewrite them under ACCESS EXCLUSIVE or grant access, and no rule would notice. ',
      'Rather than report such a migration as low risk, pgwarden fails closed: each region it cannot see is a ',
      'medium-risk finding for a reviewer to read, and the file cannot be gated as safe without that review.',
    ].join('\n'),
    help: 'Write the statements out as plain SQL where possible; otherwise review what the code does and suppress this finding with a pgwarden-disable-next-statement directive giving the reason.',
    badExample: [
      'DO $$',
      'BEGIN',
      "  EXECUTE format('ALTER TABLE %I ADD COLUMN archived_at timestamptz', 'orders');",
      'END $$;',
    ].join('\n'),
    safeRewrite: [
      '-- The same change written out, so every rule can check it:',
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN archived_at timestamptz;',
      '',
      '-- When dynamic SQL is unavoidable (one statement per partition, say), review it and say why:',
      '-- pgwarden-disable-next-statement unanalyzable-statement -- adds a nullable column to each monthly partition',
      'DO $$ … $$;',
    ].join('\n'),
  },
  create(context) {
    return {
      DoStmt(_node: DoStmt, statement) {
        for (const region of statement.opaque ?? []) {
          context.report({
            statement,
            start: region.start,
            end: region.end,
            message: `${region.reason.charAt(0).toUpperCase()}${region.reason.slice(1)}: pgwarden cannot see which objects this code changes or which locks it takes; review it by hand.`,
          });
        }
      },
      CallStmt(node: CallStmt, statement) {
        const name = stringList(node.funccall?.funcname).join('.');
        context.report({
          statement,
          message: `CALL ${name} runs a procedure whose body pgwarden cannot see: review the objects it changes and the locks it takes by hand.`,
        });
      },
    };
  },
});
