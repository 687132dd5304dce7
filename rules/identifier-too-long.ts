import { defineRule } from '../src/analysis/rule.js';
import { quoteName } from '../src/sql/ast.js';
import { createdNames } from './support/created-names.js';
import { MAX_IDENTIFIER_BYTES, truncateIdentifier, utf8Length, writtenIdentifiers } from './support/identifiers.js';

/** A name the parser cut is at most 63 bytes and, cut at a character boundary, at least 60. */
const SHORTEST_CUT = MAX_IDENTIFIER_BYTES - 3;

const IDENTIFIER_CHARACTER = /^[A-Za-z0-9_$\u0080-\uffff]$/;

/**
 * Whether the statement's text can hold a longer spelling of `name`, a name the parser may have
 * cut: the name followed by one more character of a bare identifier (whose ASCII letters the
 * parser folded), or after a double quote followed by one more character of a quoted one. Almost
 * every long name is written as stored, and this test costs far less than the statement's tokens.
 */
function mayBeCut(text: string, name: string): boolean {
  const folded = text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  for (let at = folded.indexOf(name); at >= 0; at = folded.indexOf(name, at + 1)) {
    if (IDENTIFIER_CHARACTER.test(folded.charAt(at + name.length))) return true;
  }
  const quoted = `"${name.replaceAll('"', '""')}`;
  for (let at = text.indexOf(quoted); at >= 0; at = text.indexOf(quoted, at + 1)) {
    const next = at + quoted.length;
    if (next < text.length && (text[next] !== '"' || text[next + 1] === '"')) return true;
  }
  return false;
}

export default defineRule({
  meta: {
    id: 'identifier-too-long',
    risk: 'low',
    tags: ['hygiene'],
    summary: 'A created or renamed object whose name is longer than 63 bytes, which PostgreSQL silently truncates.',
    rationale: [
      'PostgreSQL keeps the first 63 bytes of every identifier (NAMEDATALEN - 1) and drops the rest with only a ',
      '`NOTICE`. The length is counted in bytes of UTF-8: a name of 32 accented or non-Latin characters can already ',
      'exceed it.',
      '',
      'Statements that repeat the full name keep working, because they are truncated the same way, which hides ',
      'the problem until it bites: two long names that share their first 63 bytes are the same name, so the second ',
      '`CREATE INDEX` fails with "already exists", or is silently skipped with `IF NOT EXISTS`, and ',
      'tools that compare the name in the migration with the catalog (schema diffs, ORMs checking whether an ',
      'index exists, monitoring) never find it and try to create it again.',
      '',
      'Down migrations are not checked: the names they restore were reported where they were first given.',
    ].join('\n'),
    help: 'Shorten the name to 63 bytes or fewer (abbreviate, or drop words the table name already says).',
    badExample:
      'CREATE INDEX customer_subscription_renewal_reminders_customer_id_scheduled_for_idx\n  ON customer_subscription_renewal_reminders (customer_id, scheduled_for);',
    safeRewrite: [
      '-- In the migration that creates the index: a name Postgres stores as written (63 bytes at most).',
      'CREATE INDEX subscription_reminders_customer_scheduled_idx',
      '  ON customer_subscription_renewal_reminders (customer_id, scheduled_for);',
    ].join('\n'),
  },
  create(context) {
    return {
      statement(statement) {
        // A down migration restores names an earlier migration gave; they were reported there.
        if (context.migration?.direction === 'down') return;
        // The tree holds names already cut to 63 bytes; only those that long can have been cut.
        const names = createdNames(statement).filter((created) => utf8Length(created.name) >= SHORTEST_CUT);
        if (!names.length) return;
        const text = context.source.text.slice(statement.start, statement.end);
        if (!names.some((created) => mayBeCut(text, created.name))) return;
        const reported = new Set<string>();
        for (const written of writtenIdentifiers(context.source, statement)) {
          const bytes = utf8Length(written.name);
          if (bytes <= MAX_IDENTIFIER_BYTES) continue;
          const kept = truncateIdentifier(written.name);
          const created = names.find((name) => name.name === kept);
          if (!created || reported.has(`${created.kind}\u0000${kept}`)) continue;
          reported.add(`${created.kind}\u0000${kept}`);
          context.report({
            statement,
            start: written.start,
            end: written.end,
            message: `The ${created.kind} name ${quoteName(written.name)} is ${bytes} bytes: PostgreSQL keeps only its first ${MAX_IDENTIFIER_BYTES}, "${kept}", so a longer name sharing them is the same object.`,
          });
        }
      },
    };
  },
});
