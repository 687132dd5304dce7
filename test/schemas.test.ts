import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemas } from '../src/schemas.js';

describe('schemas/', () => {
  for (const [name, schema] of Object.entries(jsonSchemas())) {
    it(`${name} is up to date with the zod schema (run npm run schemas)`, () => {
      const committed = JSON.parse(readFileSync(join(import.meta.dirname, '../schemas', name), 'utf8'));
      expect(committed).toEqual(JSON.parse(JSON.stringify(schema)));
    });
  }
});
