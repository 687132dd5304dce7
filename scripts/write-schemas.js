// Regenerates schemas/*.json from the zod schemas (run `npm run build` first; `npm run schemas` does).
import { writeFileSync } from 'node:fs';
import { jsonSchemas } from '../dist/src/schemas.js';

for (const [name, schema] of Object.entries(jsonSchemas())) {
  writeFileSync(new URL(`../schemas/${name}`, import.meta.url), JSON.stringify(schema, null, 2) + '\n');
  console.log(`wrote schemas/${name}`);
}
