import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { lintEmbedded } from '../../src/embedded/lint-embedded.js';
import { lintText, loadEmbeddedSupport } from '../../src/lint-file.js';
import { settingsFromConfig, type LintSettings } from '../../src/lint-settings.js';
import type { FileReport } from '../../src/report/schema.js';
import { loadParser } from '../../src/sql/parser.js';

await loadParser();

function settings(config: object = {}): LintSettings {
  return settingsFromConfig(ConfigSchema.parse(config), '/project');
}

function lint(text: string, path = 'migrations/001_test.ts', config: object = {}): FileReport[] {
  return lintEmbedded(text, path, settings(config));
}

/** Line and column of the n-th occurrence of `needle`, as a report gives them. */
function at(text: string, needle: string, occurrence = 1): string {
  let index = -1;
  for (let n = 0; n < occurrence; n++) index = text.indexOf(needle, index + 1);
  if (index < 0) throw new Error(`${needle} not found`);
  const before = text.slice(0, index).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

const ruleAt = (file: FileReport) => file.findings.map((f) => `${f.ruleId} ${f.line}:${f.column}`);

describe('lintEmbedded', () => {
  it('reads pgm.noTransaction() as -- pgwarden:no-transaction', () => {
    const body = "  pgm.sql('CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON orders (x)');\n};\nexports.down = false;\n";
    const wrapped = lint(`exports.up = (pgm) => {\n${body}`, 'm.js');
    expect(ruleAt(wrapped[0]!)).toEqual(['transaction-incompatible-statement 2:12']);
    const outside = lint(`exports.up = (pgm) => {\n  pgm.noTransaction();\n${body}`, 'm.js');
    expect(ruleAt(outside[0]!)).toEqual([]);
  });

  it('skips SQL expressions passed into builder calls, but not statements or wholly dynamic SQL', () => {
    const text = [
      'exports.up = async (knex) => {',
      "  await knex.schema.createTable('t', (table) => table.timestamp('at').defaultTo(knex.raw('now()')));",
      "  await Promise.all([knex.raw('DROP TABLE a'), knex.raw(statement)]);",
      '};',
      'exports.down = false;',
    ].join('\n');
    const [up] = lint(text, 'm.js', { rules: { 'require-lock-timeout': 'off' } });
    expect(ruleAt(up!)).toEqual([`no-drop-table ${at(text, 'DROP TABLE a')}`, `unanalyzable-statement ${at(text, 'statement)')}`]);
  });

  it('maps a parse error inside a template to the TS line and column', () => {
    const text = 'export async function up(db) {\n  await sql`\n    SELECT 1;\n    ALTR TABLE t;\n  `.execute(db);\n}\n';
    const [up] = lint(text);
    expect(up!.parseErrors).toEqual([{ message: 'syntax error at or near "ALTR"', line: 4, column: 5 }]);
    expect(up!.risk).toBe('high');
  });

  it('lets a dynamic part that breaks parsing say so instead of a parse error', () => {
    const text = 'export async function up(db) {\n  await sql`CREATE ${unique} INDEX i ON t (x)`.execute(db);\n}\n';
    const [up] = lint(text);
    expect(up!.parseErrors).toEqual([]);
    expect(ruleAt(up!)).toEqual([`unanalyzable-statement ${at(text, '${unique}')}`]);
    expect(up!.findings[0]!.message).toMatch(/does not parse with a placeholder in its place, so none of it was analysed\.$/);
    expect(up!.risk).toBe('medium');
  });

  it('reports a Knex identifier binding at its ?? in the SQL string', () => {
    const text = "exports.up = (knex) => knex.raw('ALTER TABLE ?? ADD COLUMN x int', [tableName]);\nexports.down = false;\n";
    const [up] = lint(text, 'm.js', { rules: { 'require-lock-timeout': 'off' } });
    expect(ruleAt(up!)).toEqual([`unanalyzable-statement ${at(text, '??')}`]);
    expect(up!.findings[0]!.message).toMatch(/^Knex binding `\?\?` bound to `tableName`: /);
  });

  it('honours directives written in the SQL and in JS comments, and risk headers in JS comments', () => {
    const text = [
      '// Risk Level: LOW',
      'export async function up(q) {',
      "  await q.query('-- pgwarden-disable-next-statement no-drop-table -- archived\\nDROP TABLE a');",
      '  // pgwarden-disable-next-statement no-drop-table -- archived too',
      "  await q.query('DROP TABLE b');",
      '}',
      "export const down = false;",
    ].join('\n');
    const [up] = lint(text, 'm.ts', { rules: { 'require-lock-timeout': 'off' } });
    expect(up!.suppressed.map((f) => `${f.ruleId} ${f.line}:${f.column} by ${f.suppression.line}:${f.suppression.column}`)).toEqual([
      `no-drop-table ${at(text, 'DROP TABLE a')} by ${at(text, '-- pgwarden')}`,
      `no-drop-table ${at(text, 'DROP TABLE b')} by ${at(text, '// pgwarden')}`,
    ]);
    expect(up!.declaredRisk).toBe('low');
    expect(up!.findings).toEqual([]);
  });

  it('compares a declared risk in a JS comment with the SQL it finds', () => {
    const text = "// Risk Level: LOW\nexports.up = (pgm) => pgm.sql('DROP TABLE a');\nexports.down = false;\n";
    const [up] = lint(text, 'm.js', { rules: { 'require-lock-timeout': 'off' } });
    expect(ruleAt(up!)).toEqual(['declared-risk-mismatch 1:1', 'no-drop-table 2:32']);
  });

  it('reports a missing or empty down like the sections layout, and a plain script as plain', () => {
    const missing = lint("exports.up = (pgm) => pgm.sql('SELECT 1');\n", 'm.js');
    expect(ruleAt(missing[0]!)).toEqual(['require-rollback 1:32']);
    const empty = lint("exports.up = (pgm) => pgm.sql('SELECT 1');\nexports.down = () => {};\n", 'm.js');
    expect(empty.map((f) => f.migration?.direction)).toEqual(['up', 'down']);
    expect(empty[0]!.findings[0]!.message).toMatch(/has an empty down migration \(m\.js\)/);
    const script = lint("await sql`SELECT 1`.execute(db);\n", 'script.ts');
    expect(script).toEqual([expect.objectContaining({ migration: { id: 'script', direction: 'up', rollback: null }, findings: [] })]);
  });

  it('turns TypeScript syntax errors into parse errors of the up part', () => {
    const [up, down] = lint("exports.up = (pgm) => { pgm.sql('SELECT 1') \nexports.down = () => {};", 'm.js');
    expect(up!.parseErrors).toEqual([expect.objectContaining({ message: expect.stringMatching(/^TypeScript\/JavaScript syntax error/) })]);
    expect(up!.risk).toBe('high');
    expect(down?.parseErrors ?? []).toEqual([]);
  });

  it('counts positions after a byte-order mark like .sql files do', () => {
    const [up] = lint("\uFEFFexports.up = (pgm) => pgm.sql('DROP TABLE a');\nexports.down = false;\n", 'm.js');
    expect(ruleAt(up!)).toContain('no-drop-table 1:32');
  });

  it('uses the configured severity of unanalyzable-statement', () => {
    const text = 'exports.up = (pgm) => pgm.sql(statement);\nexports.down = false;\n';
    expect(lint(text, 'm.js', { rules: { 'unanalyzable-statement': 'warning' } })[0]!.findings[0]!.severity).toBe('warning');
    expect(lint(text, 'm.js', { rules: { 'unanalyzable-statement': 'off' } })[0]!.findings).toEqual([]);
  });

  it('is what lintText runs for TS/JS paths once loaded', async () => {
    const text = "exports.up = (pgm) => pgm.sql('DROP TABLE a');\nexports.down = false;\n";
    await loadEmbeddedSupport();
    expect(lintText(text, 'm.cjs', settings())).toEqual(lint(text, 'm.cjs'));
  });
});
