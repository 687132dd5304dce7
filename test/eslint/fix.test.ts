import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { project as cliProject, runCli } from '../support/cli.js';
import { eslintCli, eslintFor, project, removeProjects } from './support.js';

/** The fixes of pgwarden's findings through the real ESLint: `--fix` and editor suggestions. */
afterAll(removeProjects);

const INDEXES = [
  '-- pgwarden:no-transaction',
  "SET lock_timeout = '2s';",
  'CREATE EXTENSION pg_trgm;',
  'CREATE INDEX orders_note_idx ON orders USING gin (note gin_trgm_ops);',
  'DROP INDEX orders_old_note_idx;',
  '',
].join('\n');
const FOREIGN_KEY = "SET lock_timeout = '2s';\nALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\n";

describe('ESLint --fix on SQL migrations', () => {
  it('applies the edits pgwarden lint --fix applies, over as many passes', async () => {
    const dir = project({ files: { 'migrations/0001_indexes.sql': INDEXES } });
    const run = eslintCli(dir, ['--fix', 'migrations']);
    expect(run.status).toBe(0);
    const eslintFixed = readFileSync(join(dir, 'migrations/0001_indexes.sql'), 'utf8');
    expect(eslintFixed).toBe(
      [
        '-- pgwarden:no-transaction',
        "SET lock_timeout = '2s';",
        'CREATE EXTENSION IF NOT EXISTS pg_trgm;',
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON orders USING gin (note gin_trgm_ops);',
        'DROP INDEX CONCURRENTLY orders_old_note_idx;',
        '',
      ].join('\n'),
    );

    const cwd = cliProject({ 'migrations/0001_indexes.sql': INDEXES });
    await runCli(cwd, ['lint', '--fix', 'migrations']);
    expect(readFileSync(join(cwd, 'migrations/0001_indexes.sql'), 'utf8')).toBe(eslintFixed);
  });

  it('only suggests NOT VALID: ESLint cannot write the migration that validates the key', async () => {
    const dir = project({ files: { 'migrations/0001_fk.sql': FOREIGN_KEY } });
    expect(eslintCli(dir, ['--fix', 'migrations']).status).toBe(1);
    expect(readFileSync(join(dir, 'migrations/0001_fk.sql'), 'utf8')).toBe(FOREIGN_KEY);

    const [result] = await eslintFor(dir).lintFiles(['migrations/0001_fk.sql']);
    const message = result!.messages.find((m) => m.ruleId === 'pgwarden/require-not-valid-foreign-key')!;
    expect(message.fix).toBeUndefined();
    expect(message.suggestions).toHaveLength(1);
    const [suggestion] = message.suggestions!;
    expect(suggestion!.desc).toMatch(/NOT VALID.*Then run in a later migration .*: ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;$/);
    expect(suggestion!.fix.text).toBe(' NOT VALID');
    expect(FOREIGN_KEY.slice(0, suggestion!.fix.range[0]).endsWith('REFERENCES customers (id)')).toBe(true);
  });
});
