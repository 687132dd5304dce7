import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../src/fix/edits.js';
import type { Report } from '../../src/report/schema.js';
import { project, runCli as run } from '../support/cli.js';

/** `pgwarden lint --fix` on temporary projects, through the real CLI. */

const read = (cwd: string, path: string) => readFileSync(join(cwd, path), 'utf8');

/** Every file under `dir`, relative, sorted. */
function files(cwd: string, dir = 'migrations'): string[] {
  return (readdirSync(join(cwd, dir), { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; parentPath: string; name: string }>)
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(cwd.length + 1))
    .sort();
}

const LOCK = "SET lock_timeout = '2s';\n";
const FOREIGN_KEY = `${LOCK}ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\n`;
const FOREIGN_KEY_NOT_VALID = FOREIGN_KEY.replace(');\n', ') NOT VALID;\n');
const DOWN = `${LOCK}ALTER TABLE orders DROP CONSTRAINT orders_customer_fk;\n`;

describe('pgwarden lint --fix: CONCURRENTLY', () => {
  it('adds it in a no-transaction migration and leaves the transactional one for the author', async () => {
    const outside = `-- pgwarden:no-transaction\n${LOCK}CREATE INDEX orders_placed_idx ON orders (placed_at);\n`;
    const inside = `${LOCK}CREATE INDEX orders_total_idx ON orders (total);\n`;
    const cwd = project({ 'migrations/0001_outside.sql': outside, 'migrations/0002_inside.sql': inside });
    const { code, stdout } = await run(cwd, ['lint', '--fix', '--rollback', 'off', 'migrations']);

    expect(read(cwd, 'migrations/0001_outside.sql')).toBe(outside.replace('CREATE INDEX', 'CREATE INDEX CONCURRENTLY'));
    expect(read(cwd, 'migrations/0002_inside.sql')).toBe(inside);
    expect(stdout).toMatch(/^Fixed 1 finding in migrations\/0001_outside\.sql\n\n/);
    // What remains decides the exit code: the index built inside the transaction.
    expect(code).toBe(1);
    expect(stdout).toContain('require-concurrent-index');
    expect(stdout).not.toContain('0001_outside.sql  risk');
    expect(stdout).not.toContain('fixable with --fix');
  });

  it('exits 0 once everything is fixed, and a second --fix changes nothing', async () => {
    const sql = `-- pgwarden:no-transaction\n${LOCK}DROP INDEX orders_status_idx;\n`;
    const cwd = project({ 'migrations/0001_drop_index.sql': sql });
    const first = await run(cwd, ['lint', '--fix', 'migrations']);
    expect(first.code).toBe(0);
    const fixed = read(cwd, 'migrations/0001_drop_index.sql');
    expect(fixed).toBe(sql.replace('DROP INDEX', 'DROP INDEX CONCURRENTLY'));
    const second = await run(cwd, ['lint', '--fix', 'migrations']);
    expect(second).toEqual({ code: 0, stdout: '✔ 0 findings (0 errors, 0 warnings) in 1 file · highest risk: low\n', stderr: '' });
    expect(read(cwd, 'migrations/0001_drop_index.sql')).toBe(fixed);
    // Written by rename: no temporary file is left behind.
    expect(files(cwd)).toEqual(['migrations/0001_drop_index.sql']);
  });
});

describe('pgwarden lint --fix: NOT VALID and the follow-up VALIDATE migration', () => {
  it('paired files: the next id, an up and a down part, and both lint clean', async () => {
    const cwd = project({
      'migrations/0001_create_orders.up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\nCREATE INDEX orders_customer_idx ON orders (customer_id);\n',
      'migrations/0001_create_orders.down.sql': `${LOCK}DROP TABLE IF EXISTS orders;\n`,
      'migrations/0002_orders_customer_fk.up.sql': FOREIGN_KEY,
      'migrations/0002_orders_customer_fk.down.sql': DOWN,
    });
    const before = await run(cwd, ['lint', '--rule', 'no-drop-table=off', 'migrations']);
    expect(before.code).toBe(1);

    const { code, stdout } = await run(cwd, ['lint', '--fix', '--rule', 'no-drop-table=off', 'migrations']);
    expect(read(cwd, 'migrations/0002_orders_customer_fk.up.sql')).toBe(FOREIGN_KEY_NOT_VALID);
    expect(files(cwd)).toEqual([
      'migrations/0001_create_orders.down.sql',
      'migrations/0001_create_orders.up.sql',
      'migrations/0002_orders_customer_fk.down.sql',
      'migrations/0002_orders_customer_fk.up.sql',
      'migrations/0003_validate_orders_customer_fk.down.sql',
      'migrations/0003_validate_orders_customer_fk.up.sql',
    ]);
    const up = read(cwd, 'migrations/0003_validate_orders_customer_fk.up.sql');
    expect(up).toContain('for migration 0002_orders_customer_fk');
    expect(up.split('\n').filter((line) => line && !line.startsWith('--'))).toEqual(['ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;']);
    expect(stdout).toContain(
      'Created migrations/0003_validate_orders_customer_fk.up.sql and migrations/0003_validate_orders_customer_fk.down.sql: the follow-up that migrations/0002_orders_customer_fk.up.sql now needs',
    );
    // The fixed migration and the new one: nothing left to report.
    expect(code).toBe(0);
    expect(stdout).toMatch(/✔ 0 findings \(0 errors, 0 warnings\) in 6 files/);
  });

  it('directory pairs: a new directory with the next Diesel-style id', async () => {
    const cwd = project({
      'migrations/2024-01-01-120000_create_orders/up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);\n',
      'migrations/2024-01-01-120000_create_orders/down.sql': `${LOCK}DROP TABLE IF EXISTS orders;\n`,
      'migrations/2024-02-01-120000_total_check/up.sql': `${LOCK}ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);\n`,
      'migrations/2024-02-01-120000_total_check/down.sql': `${LOCK}ALTER TABLE orders DROP CONSTRAINT orders_total_check;\n`,
    });
    const { code } = await run(cwd, ['lint', '--fix', '--rule', 'no-drop-table=off', 'migrations/2024-02-01-120000_total_check/up.sql']);
    expect(code).toBe(0);
    expect(read(cwd, 'migrations/2024-02-01-120000_total_check/up.sql')).toContain('CHECK (total >= 0) NOT VALID;');
    const created = files(cwd).filter((path) => path.includes('validate'));
    expect(created).toHaveLength(2);
    const [down, up] = created as [string, string];
    expect(up).toMatch(/^migrations\/\d{4}-\d\d-\d\d-\d{6}_validate_total_check\/up\.sql$/);
    expect(down).toBe(up.replace('up.sql', 'down.sql'));
    // After every migration there is: the id sorts last.
    expect(up > 'migrations/2024-02-01-120000_total_check').toBe(true);
    expect(read(cwd, up)).toContain('ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;');
    const all = await run(cwd, ['lint', '--rule', 'no-drop-table=off', 'migrations']);
    expect(all.stdout).toMatch(/^✔ 0 findings .* in 6 files/);
  });

  it('sections: one new file with both sections, in the directory’s marker style', async () => {
    const cwd = project({
      'db/migrations/20240101000000_total_check.sql': `-- +goose Up\n${LOCK}ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);\n\n-- +goose Down\n${LOCK}ALTER TABLE orders DROP CONSTRAINT orders_total_check;\n`,
      'pgwarden.config.yaml': 'migrations:\n  dir: db/migrations\n',
    });
    const { code } = await run(cwd, ['lint', '--fix']);
    expect(code).toBe(0);
    const created = files(cwd, 'db/migrations').filter((path) => path.includes('validate'));
    expect(created).toEqual([expect.stringMatching(/^db\/migrations\/\d{14}_validate_total_check\.sql$/)]);
    const text = read(cwd, created[0]!);
    expect(text).toMatch(/^-- \+goose Up\n/);
    expect(text).toMatch(/\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;\n\n-- \+goose Down\n/);
  });

  it('an unnamed constraint is left as it is, and no follow-up is written', async () => {
    const sql = `${LOCK}ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);\n`;
    const cwd = project({ 'migrations/0001_fk.sql': sql });
    const { code } = await run(cwd, ['lint', '--fix', 'migrations']);
    expect(code).toBe(1);
    expect(read(cwd, 'migrations/0001_fk.sql')).toBe(sql);
    expect(files(cwd)).toEqual(['migrations/0001_fk.sql']);
  });
});

describe('pgwarden lint --fix: IF [NOT] EXISTS guards', () => {
  it('guards what a rerun would trip over and prints the report of what remains', async () => {
    const sql = [
      '-- pgwarden:no-transaction',
      LOCK.trim(),
      'CREATE EXTENSION pg_trgm;',
      'CREATE INDEX CONCURRENTLY orders_note_trgm_idx ON orders USING gin (note gin_trgm_ops);',
      'DROP INDEX CONCURRENTLY orders_note_idx;',
      '',
    ].join('\n');
    const cwd = project({ 'migrations/0001_trgm.sql': sql });
    const { code, stdout } = await run(cwd, ['lint', '--fix', 'migrations']);
    expect(read(cwd, 'migrations/0001_trgm.sql')).toBe(
      sql.replace('EXTENSION pg_trgm', 'EXTENSION IF NOT EXISTS pg_trgm').replace('CONCURRENTLY orders_note_trgm_idx', 'CONCURRENTLY IF NOT EXISTS orders_note_trgm_idx'),
    );
    expect(stdout).toMatch(/^Fixed 2 findings in migrations\/0001_trgm\.sql\n/);
    expect(code).toBe(0);
  });
});

describe('pgwarden lint --format json: fixes as text edits', () => {
  it('applying the report’s edits gives the file --fix writes', async () => {
    const sql = [
      '-- pgwarden:no-transaction',
      LOCK.trim(),
      'CREATE TABLE audit (id bigint);',
      'ALTER TABLE orders ADD COLUMN note text;',
      'CREATE UNIQUE INDEX orders_ref_key ON orders (ref);',
      '',
    ].join('\n');
    const cwd = project({ 'migrations/0001_mixed.sql': sql });
    const { stdout } = await run(cwd, ['lint', '--format', 'json', 'migrations']);
    const report = JSON.parse(stdout) as Report;
    const fixes = report.files[0]!.findings.flatMap((f) => (f.fix ? [f.fix] : []));
    expect(fixes.map((fix) => fix.description).sort()).toEqual([
      'Add CONCURRENTLY (the statement runs outside a transaction).',
      'Add IF NOT EXISTS.',
      'Add IF NOT EXISTS.',
    ]);
    for (const edit of fixes.flatMap((fix) => fix.edits)) {
      // line/column and start/end locate the same point.
      const lineStart = sql.split('\n').slice(0, edit.line - 1).join('\n').length + (edit.line > 1 ? 1 : 0);
      expect(lineStart + edit.column - 1).toBe(edit.start);
    }
    const fromReport = applyEdits(sql, fixes.flatMap((fix) => fix.edits));

    const fixed = await run(cwd, ['lint', '--fix', '--format', 'json', 'migrations']);
    expect(read(cwd, 'migrations/0001_mixed.sql')).toBe(fromReport);
    expect(fromReport).toContain('CREATE UNIQUE INDEX CONCURRENTLY orders_ref_key');
    // Machine formats keep standard output for the report; what --fix did goes to standard error.
    expect(fixed.stderr).toBe('Fixed 3 findings in migrations/0001_mixed.sql\n');
    expect((JSON.parse(fixed.stdout) as Report).summary.findings).toBe(0);
  });

  it('the follow-up travels in the report, and the text format marks fixable findings', async () => {
    const cwd = project({ 'migrations/0001_fk.sql': FOREIGN_KEY });
    const json = JSON.parse((await run(cwd, ['lint', '--format', 'json', 'migrations'])).stdout) as Report;
    expect(json.files[0]!.findings[0]!.fix?.followUp?.sql).toBe('ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;');
    const text = await run(cwd, ['lint', 'migrations']);
    expect(text.stdout).toContain('      fixable with --fix: Add constraint orders_customer_fk NOT VALID, and validate existing rows in a new migration.');
    expect(text.stdout).toMatch(/highest risk: medium · 1 fixable with --fix\n$/);
  });
});

describe('pgwarden lint --fix: what it leaves alone', () => {
  it('a file with a parse error is left untouched, and says why', async () => {
    const sql = `-- pgwarden:no-transaction\n${LOCK}CREATE INDEX orders_placed_idx ON orders (placed_at);\nSELEC 1;\n`;
    const cwd = project({ 'migrations/0001_broken.sql': sql });
    const { code, stdout } = await run(cwd, ['lint', '--fix', 'migrations']);
    expect(read(cwd, 'migrations/0001_broken.sql')).toBe(sql);
    expect(stdout).toMatch(/^Left migrations\/0001_broken\.sql as it is: it does not parse\n/);
    expect(code).toBe(1);
  });

  it('a suppressed finding is not fixed', async () => {
    const sql = `-- pgwarden:no-transaction\n${LOCK}-- pgwarden-disable-next-statement require-concurrent-index -- built before the table takes traffic\nCREATE INDEX orders_placed_idx ON orders (placed_at);\n`;
    const cwd = project({ 'migrations/0001_suppressed.sql': sql });
    const { code, stdout } = await run(cwd, ['lint', '--fix', 'migrations']);
    expect(code).toBe(0);
    expect(stdout).not.toContain('Fixed');
    expect(read(cwd, 'migrations/0001_suppressed.sql')).toBe(sql);
  });

  it('standard input is a usage error', async () => {
    const { code, stderr } = await run(project({}), ['lint', '--fix', '-'], { stdin: 'DROP INDEX a;\n' });
    expect(code).toBe(2);
    expect(stderr).toContain('--fix');
    expect(stderr).toContain('standard input');
  });

  it('keeps a byte order mark and CRLF line ends', async () => {
    const sql = `\uFEFF-- pgwarden:no-transaction\r\n${LOCK.trim()}\r\nDROP INDEX orders_status_idx;\r\n`;
    const cwd = project({ 'migrations/0001_bom.sql': sql });
    await run(cwd, ['lint', '--fix', 'migrations']);
    expect(read(cwd, 'migrations/0001_bom.sql')).toBe(sql.replace('DROP INDEX', 'DROP INDEX CONCURRENTLY'));
  });

  it('TS/JS migrations carry no fixes: their SQL sits in string literals', async () => {
    const source = "exports.up = (pgm) => { pgm.sql(`-- pgwarden:no-transaction\nDROP INDEX orders_status_idx`); };\n";
    const cwd = project({ 'migrations/1700000000000_drop.js': source });
    const json = JSON.parse((await run(cwd, ['lint', '--format', 'json', 'migrations'])).stdout) as Report;
    expect(json.files[0]!.findings.map((f) => f.ruleId)).toContain('require-concurrent-index-drop');
    expect(json.files[0]!.findings.every((f) => f.fix === undefined)).toBe(true);
  });
});
