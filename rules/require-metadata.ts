import { defineRule } from '../src/analysis/rule.js';
import type { Zod } from '../src/analysis/rule-options.js';
import type { MigrationHeader } from '../src/analysis/headers.js';

/** Field names compare without case, spaces or punctuation: `Risk Level`, `risk-level` and `riskLevel` are one. */
function fieldKey(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Header spellings that satisfy a field, beyond its own name. */
const ALIASES: Record<string, string[]> = {
  risk: ['risklevel'],
  rollback: ['rollbackavailable'],
};

/** How the header lines pgwarden already reads spell the fields they state. */
const HEADER_LINE: Record<string, string> = { risk: 'Risk Level', rollback: 'Rollback Available' };

/** `Field: value` on a comment line (`-- Ticket: PAY-142`, or a line of a block comment). */
const FIELD_LINE = /^\s*(?:--+|\/\*+|\*+)?\s*([\p{L}][\p{L}\p{N} _.-]*?)\s*:\s*(.*?)\s*(?:\*\/)?\s*$/u;

/** The fields the migration states, with a non-empty value: comment lines above its first statement and `@metadata`. */
function statedFields(leadingText: string, header: MigrationHeader): Set<string> {
  const stated = new Set<string>();
  for (const line of leadingText.split(/\r\n|[\n\r\u2028\u2029]/u)) {
    const match = FIELD_LINE.exec(line);
    if (match && match[2]) stated.add(fieldKey(match[1]!));
  }
  for (const [key, value] of Object.entries(header.metadata ?? {})) {
    const empty = value === null || value === '' || (Array.isArray(value) && !value.length);
    if (!empty) stated.add(fieldKey(key));
  }
  if (header.declaredRisk) stated.add('risk');
  if (header.rollbackAvailable !== null) stated.add('rollback');
  return stated;
}

function optionsSchema(zod: Zod) {
  return zod.object({
    fields: zod
      .array(zod.string().min(1))
      .describe(
        'Header fields every up migration must state, as `-- Field: value` comment lines above its first statement or keys of `-- @metadata {…}`. `risk` is also satisfied by `-- Risk Level:`, `rollback` by `-- Rollback Available:`.',
      ),
  });
}

export default defineRule({
  meta: {
    id: 'require-metadata',
    risk: 'low',
    tags: ['style', 'process'],
    optIn: true,
    summary: 'An up migration whose header lacks a field the project requires (by default its risk and whether it can be rolled back).',
    rationale: [
      'A migration is reviewed, deployed and sometimes reverted by people who did not write it. A header that ',
      'states the expected risk, whether a rollback exists, and whatever the team tracks (a ticket, an owner) ',
      'answers their first questions without reading the SQL, and pgwarden checks the declared risk against its ',
      'own analysis (`declared-risk-mismatch`).',
      '',
      'The fields are the rule\'s options. A field is stated by a `-- Field: value` comment line above the first ',
      'statement, or by a key of the `-- @metadata {…}` JSON header, with a non-empty value; names compare without ',
      'case or punctuation (`Risk Level` and `risk-level` are the same field). Down migrations are not checked: the ',
      'header belongs to the up migration.',
    ].join('\n'),
    help: 'Add the missing fields to the comment header above the first statement, e.g. -- Ticket: PAY-142.',
    badExample: ['-- Adds a note to orders.', 'ALTER TABLE orders ADD COLUMN note text;'].join('\n'),
    safeRewrite: [
      '-- At the top of the up migration, above its first statement:',
      '-- Risk Level: LOW',
      '-- Rollback Available: YES',
      '-- Ticket: PAY-142',
      '-- (or in one line: -- @metadata { "risk": "low", "rollback": true, "ticket": "PAY-142" })',
      'ALTER TABLE orders ADD COLUMN note text;',
    ].join('\n'),
    options: { schema: optionsSchema, defaults: { fields: ['risk', 'rollback'] } },
  },
  create(context) {
    return {
      end() {
        if (context.migration?.direction === 'down' || !context.options.fields.length) return;
        const first = context.statements.find((statement) => !statement.parent);
        if (!first) return;
        const stated = statedFields(context.source.text.slice(0, first.start), context.header);
        const missing = context.options.fields.filter((field) => {
          const key = fieldKey(field);
          return !stated.has(key) && !(ALIASES[key] ?? []).some((alias) => stated.has(alias));
        });
        if (!missing.length) return;
        const quoted = missing.map((field) => `"${field}"`);
        const list = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}` : quoted[0]!;
        context.report({
          statement: first,
          message: `The migration header does not state ${list}, which this project requires of every migration.`,
          help: `Add ${missing.map((field) => `-- ${HEADER_LINE[fieldKey(field)] ?? field}: …`).join(', ')} above the first statement, or the key${missing.length > 1 ? 's' : ''} to its @metadata JSON.`,
        });
      },
    };
  },
});
