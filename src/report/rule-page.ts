import { defaultSeverity, type Rule } from '../analysis/rule.js';
import { describeLockEffect } from '../analysis/locks.js';
import { optionsJsonSchema } from '../config/rule-options-schema.js';

/** A rule's documentation page in Markdown, from its metadata alone. */
export function rulePage(rule: Rule): string {
  const meta = rule.meta;
  const facts = [
    `- **Risk:** ${meta.risk}`,
    `- **Default severity:** ${meta.optIn ? 'off (opt-in)' : defaultSeverity(meta)}`,
    `- **Tags:** ${meta.tags.join(', ')}`,
  ];
  if (meta.source === 'trace') {
    facts.push('- **Reported by:** a rehearsal on a scratch database (`pgwarden rehearse`, `pgwarden lint --rehearse`, `requireRehearsal`), from what PostgreSQL did');
  }
  if (meta.lock) facts.push(`- **Lock:** ${meta.lock} (${describeLockEffect(meta.lock)})`);
  if (meta.postgres) {
    const { min, max } = meta.postgres;
    facts.push(`- **PostgreSQL versions:** ${min ? `${min}` : 'any'}${max ? ` to ${max}` : min ? ' and later' : ''}`);
  }
  return [
    `# ${meta.id}`,
    '',
    meta.summary,
    '',
    facts.join('\n'),
    '',
    '## Why it matters',
    '',
    meta.rationale,
    '',
    '## Example that triggers it',
    '',
    '```sql',
    meta.badExample,
    '```',
    '',
    '## Safe rewrite',
    '',
    '```sql',
    meta.safeRewrite,
    '```',
    '',
    ...(meta.versionNotes ? ['## Version notes', '', meta.versionNotes, ''] : []),
    ...optionsSection(rule),
    ...(meta.fix ? ['## Automatic fix: `pgwarden lint --fix`', '', meta.fix, ''] : []),
    '## Suppressing it',
    '',
    'When the risk is understood and accepted, say so next to the statement, with a reason:',
    '',
    '```sql',
    `-- pgwarden-disable-next-statement ${meta.id} -- reason reviewers can read`,
    '```',
    '',
    `or turn it off for a project in the config: \`rules: { ${meta.id}: off }\`.`,
    '',
  ].join('\n');
}

/** docs/rules/README.md: every rule with its risk, default severity and summary. */
export function rulesIndexPage(rules: readonly Rule[]): string {
  const rows = rules.map(
    (rule) =>
      `| [${rule.meta.id}](${rule.meta.id}.md) | ${rule.meta.risk} | ${rule.meta.optIn ? 'off (opt-in)' : defaultSeverity(rule.meta)} | ${rule.meta.summary.replaceAll('|', '\\|')} |`,
  );
  return [
    '# Rules',
    '',
    'Generated from each rule’s metadata (`npm run docs`); `pgwarden explain RULE` prints the same page.',
    '',
    '| rule | risk | default severity | what it detects |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  default?: unknown;
  description?: string;
}

/** The options table: each option's type, default and description, from the rule's options schema. */
function optionsSection(rule: Rule): string[] {
  const schema = optionsJsonSchema(rule.meta) as JsonSchema | undefined;
  if (!schema?.properties) return [];
  const entries = Object.entries(schema.properties);
  const [firstKey, first] = entries[0]!;
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [
    '## Options',
    '',
    'Give them after the severity; each option left out keeps its default:',
    '',
    '```json',
    `{ "rules": { "${rule.meta.id}": ["warning", { "${firstKey}": ${JSON.stringify(first.default)} }] } }`,
    '```',
    '',
    '| option | type | default | description |',
    '|---|---|---|---|',
    ...entries.map(
      ([key, option]) =>
        `| \`${key}\` | ${cell(typeName(option))} | \`${cell(JSON.stringify(option.default))}\` | ${cell(option.description ?? '')} |`,
    ),
    '',
  ];
}

function typeName(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeName).join(' | ');
  if (schema.type === 'array' && schema.items) return `array of ${typeName(schema.items)}`;
  return schema.type ?? 'any';
}
