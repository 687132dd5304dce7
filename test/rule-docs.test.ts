import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules } from '../rules/index.js';
import { rulePage, rulesIndexPage } from '../src/report/rule-page.js';
import { loadParser, parseSql } from '../src/sql/parser.js';
import { SourceFile } from '../src/sql/source.js';

await loadParser();

const dir = join(import.meta.dirname, '../docs/rules');

describe('docs/rules (run npm run docs after changing rule metadata)', () => {
  it('has exactly one page per rule, plus the index', () => {
    const pages = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();
    expect(pages).toEqual([...allRules.map((r) => `${r.meta.id}.md`), 'README.md'].sort());
  });

  it('pages are up to date with the rule metadata', () => {
    for (const rule of allRules) expect(readFileSync(join(dir, `${rule.meta.id}.md`), 'utf8'), rule.meta.id).toBe(rulePage(rule));
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe(rulesIndexPage(allRules));
  });

  it('shows examples and safe rewrites that PostgreSQL parses, so readers can run them', () => {
    for (const { meta } of allRules) {
      for (const [part, sql] of [['badExample', meta.badExample], ['safeRewrite', meta.safeRewrite]] as const) {
        const { errors } = parseSql(new SourceFile(`${meta.id}.sql`, sql));
        expect(errors, `${meta.id} ${part}`).toEqual([]);
      }
    }
  });
});
