// Regenerates docs/rules/<id>.md from each rule's metadata (run `npm run build` first; `npm run docs` does).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { allRules } from '../dist/rules/index.js';
import { rulePage, rulesIndexPage } from '../dist/src/report/rule-page.js';

const dir = new URL('../docs/rules/', import.meta.url);
mkdirSync(dir, { recursive: true });
const wanted = new Set(allRules.map((rule) => `${rule.meta.id}.md`));
for (const file of readdirSync(dir)) if (file.endsWith('.md') && file !== 'README.md' && !wanted.has(file)) rmSync(new URL(file, dir));
for (const rule of allRules) writeFileSync(new URL(`${rule.meta.id}.md`, dir), rulePage(rule));
writeFileSync(new URL('README.md', dir), rulesIndexPage(allRules));
console.log(`wrote ${allRules.length} rule pages and docs/rules/README.md`);
