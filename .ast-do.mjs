import { loadParser, parseSql } from './dist/src/sql/parser.js';
import { SourceFile } from './dist/src/sql/source.js';
await loadParser();
const text = process.argv[2];
const p = parseSql(new SourceFile('x.sql', text));
for (const s of p.statements) console.log(s.index, s.type, s.start, s.end, JSON.stringify(text.slice(s.start, s.end)), s.parent?.index, JSON.stringify(s.opaque));
console.log(p.errors);
