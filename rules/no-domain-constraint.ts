import type { Constraint } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { stringList, unwrap } from '../src/sql/ast.js';

export default defineRule({
  meta: {
    id: 'no-domain-constraint',
    risk: 'low',
    tags: ['constraint', 'hygiene'],
    summary: 'CREATE DOMAIN with a CHECK or NOT NULL constraint, which can later only be changed under locks on every table using the domain.',
    rationale: [
      'Creating the domain is harmless: it is a new object nobody uses yet. The cost comes the day its rule has to ',
      'change. A domain constraint cannot be altered in place; it is replaced by adding a new one, and ',
      '`ALTER DOMAIN … ADD CONSTRAINT` checks every column of that domain **in every table** while holding a `SHARE` ',
      'lock (no writes) on each of them until commit. Even the two-step way, `ADD CONSTRAINT … NOT VALID` and then ',
      '`VALIDATE CONSTRAINT`, holds `SHARE` on every table for the validation scan up to PostgreSQL 18, where a ',
      'table `CHECK` validates under `SHARE UPDATE EXCLUSIVE` and lets writes through. One domain change can block ',
      'writes to several large tables at once.',
      '',
      '`NOT NULL` on a domain has its own trap, which the PostgreSQL manual (CREATE DOMAIN) warns about: it is ',
      'checked when a value is converted to the domain, yet a column of the domain can still read as NULL (outer ',
      'joins, a scalar subquery that finds no row, `INSERT … SELECT` of such a result), and the manual recommends ',
      'putting `NOT NULL` on the columns instead.',
      '',
      'Hygiene: the statement itself is safe, so the finding never raises a migration\'s risk.',
    ].join('\n'),
    help: 'Keep the domain plain (or use the base type) and put the CHECK and NOT NULL on the table columns, where they can be changed one table at a time without blocking writes.',
    badExample: 'CREATE DOMAIN price AS numeric(15,5) CHECK (VALUE > 0) NOT NULL;',
    safeRewrite: [
      '-- Migration (any transaction): a plain domain, the rules on the column.',
      'CREATE DOMAIN price AS numeric(15,5);',
      'CREATE TABLE products (',
      '  id bigint PRIMARY KEY,',
      '  price price NOT NULL,',
      '  CONSTRAINT products_price_positive CHECK (price > 0)',
      ');',
      '-- Changing the rule later touches one table at a time, without blocking writes:',
      '-- Migration 1 (a transaction): the new rule for new rows only.',
      '--   ALTER TABLE products ADD CONSTRAINT products_price_range CHECK (price > 0 AND price < 1000000) NOT VALID;',
      '-- Migration 2 (a separate transaction): scans under SHARE UPDATE EXCLUSIVE, then drops the old rule.',
      '--   ALTER TABLE products VALIDATE CONSTRAINT products_price_range;',
      '--   ALTER TABLE products DROP CONSTRAINT products_price_positive;',
    ].join('\n'),
    versionNotes:
      'PostgreSQL 19 lowers the lock of `ALTER DOMAIN … VALIDATE CONSTRAINT` to `SHARE UPDATE EXCLUSIVE` (commit ' +
      '16a0039, August 2025), so from 19 a domain constraint added `NOT VALID` can be validated without blocking ' +
      'writes. `ALTER DOMAIN … ADD CONSTRAINT` without `NOT VALID` still validates under `SHARE`, and the NOT NULL ' +
      'caveat holds on every version.',
  },
  create(context) {
    return {
      CreateDomainStmt(node, statement) {
        const kinds = new Set((node.constraints ?? []).map((c) => unwrap<Constraint>(c, 'Constraint')?.contype));
        const check = kinds.has('CONSTR_CHECK');
        const notNull = kinds.has('CONSTR_NOTNULL');
        if (!check && !notNull) return;
        const domain = stringList(node.domainname).join('.');
        const validation =
          context.postgresVersion >= 19
            ? 'adding a replacement constraint validates every column of the domain in every table under SHARE locks that block writes unless it is added NOT VALID'
            : 'adding a replacement constraint validates every column of the domain in every table under SHARE locks that block writes, even when added NOT VALID and validated separately';
        context.report({
          statement,
          message: check
            ? `Domain ${domain} carries a CHECK constraint: it cannot be changed in place, and ${validation}.${notNull ? ' Its NOT NULL does not keep NULL out of every column of the domain either.' : ''}`
            : `Domain ${domain} is NOT NULL, which PostgreSQL checks only on conversion to the domain: a column of the domain can still read as NULL (outer joins, scalar subqueries that find no row).`,
        });
      },
    };
  },
});
