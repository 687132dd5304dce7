import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRules } from '../../rules/index.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { settingsFromConfig } from '../../src/lint-settings.js';
import { loadMigrationSet } from '../../src/migrations/migration-set.js';
import { outcomeOf } from '../../src/rehearsal/report.js';
import { rehearse } from '../../src/rehearsal/rehearse.js';
import { openScratchDatabase, type ScratchDatabase } from '../../src/rehearsal/scratch.js';

/**
 * The fixtures of the rules a rehearsal reports (meta.source 'trace'): each fixture is a
 * directory of migrations (paired files) under fixtures/rules/<rule-id>/bad-* or ok-*. It is
 * rehearsed on PGlite; in a bad fixture the rule's findings must be exactly the `-- expect:
 * LINE:COLUMN` positions written in the file each is expected in, in an ok fixture there must be
 * none. (test/rules/fixtures.test.ts runs the .sql fixtures of the static rules.) One PGlite
 * serves every fixture: the public schema is dropped and created again in between.
 */
const root = join(import.meta.dirname, '../../fixtures/rules');
const traceRules = allRules.filter((rule) => rule.meta.source === 'trace');

function expectations(text: string): string[] {
  return [...text.matchAll(/^--\s*expect:(.*)$/gm)]
    .flatMap((m) => m[1]!.split(','))
    .map((p) => p.trim())
    .filter(Boolean)
    .sort();
}

let scratch: ScratchDatabase;
beforeAll(async () => {
  scratch = await openScratchDatabase('pglite:memory', { cwd: root, env: {} });
});
afterAll(async () => {
  await scratch?.close();
});

describe('trace rule fixtures (rehearsed on PGlite)', () => {
  for (const rule of traceRules) {
    const id = rule.meta.id;
    const fixtures = readdirSync(join(root, id)).sort();
    describe(id, () => {
      it('has bad and ok fixtures', () => {
        expect(fixtures.some((f) => f.startsWith('bad-'))).toBe(true);
        expect(fixtures.some((f) => f.startsWith('ok-'))).toBe(true);
      });
      for (const fixture of fixtures) {
        it(fixture, async () => {
          const dir = join(root, id, fixture);
          await scratch.session.query('RESET ALL; DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
          const settings = settingsFromConfig(DEFAULT_CONFIG, dir);
          const { migrations } = await loadMigrationSet(dir, settings);
          const rehearsal = await rehearse({ session: scratch.session, database: scratch.description, server: scratch.server, migrations });
          const outcome = outcomeOf(rehearsal, settings);
          const actual: Record<string, string[]> = {};
          const expected: Record<string, string[]> = {};
          for (const migration of migrations) {
            for (const part of [migration.up, migration.down]) {
              if (!part) continue;
              const found = (outcome.merged.get(part)?.findings ?? []).filter((f) => f.ruleId === id && f.source === 'trace');
              actual[part.path] = found.map((f) => `${f.line}:${f.column}`).sort();
              expected[part.path] = fixture.startsWith('bad-') ? expectations(readFileSync(part.file, 'utf8')) : [];
              if (fixture.startsWith('ok-') && found.length) actual[part.path] = found.map((f) => `${f.line}:${f.column} ${f.message}`);
            }
          }
          if (fixture.startsWith('bad-')) expect(Object.values(expected).flat().length, 'a bad fixture must declare -- expect: LINE:COLUMN').toBeGreaterThan(0);
          expect(actual).toEqual(expected);
        });
      }
    });
  }
});
