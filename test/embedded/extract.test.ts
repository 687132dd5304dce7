import { describe, expect, it } from 'vitest';
import { extractSql, type SqlFragment } from '../../src/embedded/extract.js';

function fragments(text: string, path = 'migration.ts'): SqlFragment[] {
  return extractSql(text, path).fragments;
}

/** The source text each SQL character was read from (placeholders excepted). */
function sources(text: string, fragment: SqlFragment): string[] {
  return fragment.sql.split('').map((_, i) => text.slice(fragment.map(i), fragment.mapEnd(i + 1)));
}

describe('extractSql: recognised calls', () => {
  it('reads node-pg-migrate, Knex, TypeORM, MikroORM and Kysely calls, in file order', () => {
    const text = [
      "pgm.sql('A');",
      "knex.raw('B');",
      'knex.schema.raw(`C`);',
      "queryRunner.query('D', [1]);",
      "this.addSql('E');",
      "sql.raw('F');",
      'sql`G`;',
      'db.sql`H`;',
      'sql<number>`I`;',
    ].join('\n');
    expect(fragments(text).map((f) => [f.call, f.sql])).toEqual([
      ['pgm.sql', 'A'],
      ['knex.raw', 'B'],
      ['knex.schema.raw', 'C'],
      ['queryRunner.query', 'D'],
      ['this.addSql', 'E'],
      ['sql.raw', 'F'],
      ['sql', 'G'],
      ['db.sql', 'H'],
      ['sql', 'I'],
    ]);
  });

  it('leaves other calls and tags alone', () => {
    const text = "String.raw`x`; other`y`; knex.select('z'); raw('w'); query('v'); db['query']('u');";
    expect(fragments(text)).toEqual([]);
  });

  it('reads a tagged template passed to a query method once, as the tag', () => {
    expect(fragments('await db.query(sql`SELECT 1`);').map((f) => f.call)).toEqual(['sql']);
  });

  it('knows where the SQL text starts and ends in the file', () => {
    const text = "exports.up = (pgm) => pgm.sql('DROP TABLE t');";
    const [fragment] = fragments(text, 'm.js');
    expect(text.slice(fragment!.start, fragment!.end)).toBe('DROP TABLE t');
    expect(text.slice(fragment!.callStart, fragment!.callEnd)).toBe("pgm.sql('DROP TABLE t')");
  });
});

describe('extractSql: literals', () => {
  it('decodes escapes and maps every character to its source', () => {
    const text = String.raw`pgm.sql('a\'b\\c\nd\u0065');`;
    const [fragment] = fragments(text);
    expect(fragment!.sql).toBe("a'b\\c\nde");
    expect(sources(text, fragment!)).toEqual(['a', "\\'", 'b', '\\\\', 'c', '\\n', 'd', '\\u0065']);
  });

  it('joins concatenated literals and maps across the gap', () => {
    const text = "pgm.sql('DROP ' +\n  \"TABLE \" + `t`);";
    const [fragment] = fragments(text);
    expect(fragment!.sql).toBe('DROP TABLE t');
    expect(fragment!.dynamic).toEqual([]);
    expect(text.slice(fragment!.map(5), fragment!.mapEnd(10))).toBe('TABLE');
    expect(text[fragment!.map(11)]).toBe('t');
  });

  it('reads a const bound once in the file to a literal', () => {
    const text = "const UP = 'DROP TABLE t';\nexports.up = (pgm) => pgm.sql(UP);";
    const [fragment] = fragments(text, 'm.js');
    expect(fragment!.sql).toBe('DROP TABLE t');
    expect(fragment!.start).toBe(12);
  });

  it('treats a let, a parameter or a name declared twice as dynamic', () => {
    const text = "let a = 'X'; function f(b) { pgm.sql(b); } { const c = 'Y'; } { const c = 'Z'; pgm.sql(c); } pgm.sql(a);";
    expect(fragments(text).map((f) => f.dynamic.map((d) => d.reason))).toEqual([
      ['SQL passed as `b`, not as a literal'],
      ['SQL passed as `c`, not as a literal'],
      ['SQL passed as `a`, not as a literal'],
    ]);
  });

  it('reads String.raw templates as written', () => {
    const [fragment] = fragments("knex.raw(String.raw`SELECT '\\d'`);");
    expect(fragment!.sql).toBe("SELECT '\\d'");
  });
});

describe('extractSql: dynamic parts', () => {
  it('replaces a ${…} substitution with a quoted identifier placeholder at the exact position', () => {
    const text = 'await sql`ALTER TABLE ${table} ADD COLUMN x int`.execute(db);';
    const [fragment] = fragments(text);
    expect(fragment!.sql).toBe('ALTER TABLE "${table}" ADD COLUMN x int');
    const [part] = fragment!.dynamic;
    expect(text.slice(part!.start, part!.end)).toBe('${table}');
    expect(fragment!.sql.slice(part!.sqlStart, part!.sqlEnd)).toBe('"${table}"');
    expect(part).toMatchObject({ reason: 'template substitution `${table}`', alone: false, inCode: true });
  });

  it('keeps a placeholder inside a string, identifier or comment from closing it', () => {
    const text = "sql`SELECT 'a${x}b', \"c${y}\" -- ${z}\n, $$${w}$$`;";
    const [fragment] = fragments(text);
    expect(fragment!.sql).toBe("SELECT 'a${x}b', \"c${y}\" -- ${z}\n, $$${w}$$");
    expect(fragment!.dynamic.map((d) => d.inCode)).toEqual([false, false, false, false]);
  });

  it('marks a placeholder that stands for a whole statement', () => {
    const [fragment] = fragments('sql`${sql.raw(a)}; SELECT ${b};\n ${c}`;');
    expect(fragment!.dynamic.map((d) => d.alone)).toEqual([true, false, true]);
  });

  it('makes a non-literal argument and a concatenated variable dynamic', () => {
    const text = "pgm.sql(statement);\npgm.sql('DROP TABLE ' + name + ';');";
    const [whole, concatenated] = fragments(text);
    expect(whole!.sql).toBe('"${statement}"');
    expect(whole!.dynamic[0]).toMatchObject({ reason: 'SQL passed as `statement`, not as a literal', alone: true });
    expect(concatenated!.sql).toBe('DROP TABLE "${name}";');
    expect(text.slice(concatenated!.dynamic[0]!.start, concatenated!.dynamic[0]!.end)).toBe('name');
  });

  it('writes out Knex bindings that are literals and makes the others dynamic', () => {
    const text = [
      "knex.raw('CREATE INDEX ?? ON ?? (?)', ['idx', 'public.orders', 1]);",
      "knex.raw('ALTER TABLE ?? ADD COLUMN x int', [table]);",
      "knex.raw('SELECT :value, :column: FROM t', { value: \"it's\", column });",
      "knex.raw('SELECT data \\\\? \\'key\\'');",
    ].join('\n');
    const [positional, dynamic, named, escaped] = fragments(text);
    expect(positional!.sql).toBe('CREATE INDEX "idx" ON "public"."orders" (1)');
    expect(positional!.dynamic).toEqual([]);
    expect(dynamic!.sql).toBe('ALTER TABLE "${table}" ADD COLUMN x int');
    expect(text.slice(dynamic!.dynamic[0]!.start, dynamic!.dynamic[0]!.end)).toBe('??');
    expect(dynamic!.dynamic[0]!.reason).toBe('Knex binding `??` bound to `table`');
    expect(named!.sql).toBe(`SELECT 'it''s', "\${column}" FROM t`);
    expect(escaped!.sql).toBe("SELECT data ? 'key'");
  });

  it('leaves casts alone when a Knex bindings object hides its keys', () => {
    const [fragment] = fragments("knex.raw('SELECT :id::text', { ...params });");
    expect(fragment!.sql).toBe('SELECT "${{ ...params }.id}"::text');
  });

  it("writes out node-pg-migrate's {key} arguments", () => {
    const [literal, variable] = fragments("pgm.sql('DROP TABLE {t}', { t: 'old' });\npgm.sql('DROP TABLE {t}', args);");
    expect(literal!.sql).toBe("DROP TABLE 'old'");
    expect(variable!.sql).toBe('DROP TABLE "${args.t}"');
    expect(variable!.dynamic[0]!.reason).toBe('pgm.sql argument `{t}` bound to `args.t`');
  });
});

describe('extractSql: where a call sits', () => {
  it('tells statements from SQL passed into other calls', () => {
    const text = [
      'await sql`CREATE TABLE t ()`.execute(db);',
      'return knex.raw(`DROP TABLE u`);',
      "table.timestamp('at').defaultTo(knex.raw('now()'));",
      'await Promise.all([knex.raw(`DROP TABLE v`)]);',
    ].join('\n');
    expect(fragments(text).map((f) => [f.sql, f.nested])).toEqual([
      ['CREATE TABLE t ()', false],
      ['DROP TABLE u', false],
      ['now()', true],
      ['DROP TABLE v', true],
    ]);
  });

  it('finds up and down in every framework shape', () => {
    const shapes = {
      'exports.up = …': "exports.up = (pgm) => { pgm.sql('U'); };\nexports.down = function (pgm) { pgm.sql('D'); };",
      'export async function': "export async function up(db) { await sql`U`.execute(db); }\nexport async function down(db) { await sql`D`.execute(db); }",
      'class methods': "export class M { async up(q) { await q.query('U'); } async down(q) { await q.query('D'); } }",
      'object methods': "module.exports = { async up(q) { await q.query('U'); }, down: async (q) => { await q.query('D'); } };",
      aliases: "async function migrateUp(k) { await k.raw('U'); }\nconst migrateDown = async (k) => { await k.raw('D'); };\nmodule.exports = { up: migrateUp, down: migrateDown };",
      'export specifiers': "function a(k) { k.raw('U'); }\nfunction b(k) { k.raw('D'); }\nexport { a as up, b as down };",
    };
    for (const [shape, text] of Object.entries(shapes)) {
      const extracted = extractSql(text, 'm.ts');
      expect(extracted.fragments.map((f) => [f.sql, f.directions]), shape).toEqual([
        ['U', ['up']],
        ['D', ['down']],
      ]);
      expect(extracted.up, shape).toBeDefined();
      expect(extracted.down, shape).toBeDefined();
    }
  });

  it('gives a helper the parts that call it, and unreached code to up', () => {
    const text = [
      'class M {',
      '  async up(q) { await this.both(q); await this.onlyUp(q); }',
      '  async down(q) { await this.both(q); await this.onlyDown(q); }',
      "  async both(q) { await q.query('B'); }",
      "  async onlyUp(q) { await q.query('U'); }",
      "  async onlyDown(q) { await q.query('D'); }",
      "  async unused(q) { await q.query('X'); }",
      '}',
    ].join('\n');
    expect(extractSql(text, 'm.ts').fragments.map((f) => [f.sql, f.directions])).toEqual([
      ['B', ['down', 'up']],
      ['U', ['up']],
      ['D', ['down']],
      ['X', ['up']],
    ]);
  });

  it('reports an empty down, and exports.down = false as a declared irreversible migration', () => {
    expect(extractSql('exports.up = (pgm) => {};\nexports.down = () => {};', 'm.js').down?.empty).toBe(true);
    const irreversible = extractSql("exports.up = (pgm) => { pgm.sql('X'); };\nexports.down = false;", 'm.js');
    expect(irreversible.down).toBeUndefined();
    expect(irreversible.downDisabled).toBe(true);
  });
});

describe('extractSql: comments, transactions and syntax errors', () => {
  it('rewrites pgwarden directives and risk headers in JS comments as SQL comments', () => {
    const text = [
      '// Risk Level: LOW',
      '// an ordinary comment',
      'exports.up = (pgm) => {',
      '  /* pgwarden-disable require-lock-timeout */',
      "  pgm.sql('DROP TABLE t'); // pgwarden-disable-next-statement no-drop-table -- archived",
      '};',
    ].join('\n');
    const { comments } = extractSql(text, 'm.js');
    expect(comments.map((c) => [c.sql, c.directions])).toEqual([
      ['-- Risk Level: LOW', ['up']],
      ['/* pgwarden-disable require-lock-timeout */', ['up']],
      ['-- pgwarden-disable-next-statement no-drop-table -- archived', ['up']],
    ]);
    for (const comment of comments) expect(comment.sql.length).toBe(comment.end - comment.start);
  });

  it('notices migrations that opt out of their transaction', () => {
    const shapes = [
      "exports.up = (pgm) => { pgm.noTransaction(); pgm.sql('X'); };",
      'exports.config = { transaction: false };',
      'export class M { transaction = false; }',
      'export class M { isTransactional(): boolean { return false; } }',
    ];
    for (const text of shapes) expect(extractSql(text, 'm.ts').noTransaction, text).toBeDefined();
    expect(extractSql('exports.config = { transaction: true };', 'm.js').noTransaction).toBeUndefined();
  });

  it('reports TypeScript syntax errors as problems', () => {
    const { problems } = extractSql("exports.up = (pgm) => { pgm.sql('X') ", 'm.js');
    expect(problems).toEqual([{ message: "TypeScript/JavaScript syntax error: '}' expected.", index: 37 }]);
  });
});
