/**
 * Rehearsals of migrations written by a test: a temporary directory of paired files, loaded and
 * analysed with the default settings, rehearsed on `pglite:memory` or a server URL (where a
 * scratch database is created and dropped).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { settingsFromConfig, type LintSettings } from '../../src/lint-settings.js';
import { loadMigrationSet } from '../../src/migrations/migration-set.js';
import type { RehearsalOutcome } from '../../src/rehearsal/report.js';
import type { MigrationRehearsal } from '../../src/rehearsal/rehearse.js';
import { runRehearsal } from '../../src/rehearsal/run.js';
import type { FindingReport } from '../../src/report/schema.js';

export interface RehearsedProject {
  dir: string;
  settings: LintSettings;
  outcome: RehearsalOutcome;
  /** The rehearsal of one migration, by id. */
  migration(id: string): MigrationRehearsal;
  /** Findings (static and trace, directives applied) of one part, as the report gives them. */
  findings(id: string, direction?: 'up' | 'down'): FindingReport[];
}

/** `files`: file name under migrations/ → SQL. */
export async function rehearseFiles(
  files: Record<string, string>,
  options: { database?: string; from?: string; seed?: string } = {},
): Promise<RehearsedProject> {
  const dir = mkdtempSync(join(tmpdir(), 'pgwarden-rehearsal-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const settings = settingsFromConfig(DEFAULT_CONFIG, dir);
    const set = await loadMigrationSet(dir, settings);
    if (set.problems.length) throw new Error(set.problems.join('\n'));
    const outcome = await runRehearsal({
      migrations: set.migrations,
      settings,
      cwd: dir,
      env: {},
      ...(options.database ? { database: options.database } : {}),
      ...(options.from ? { from: options.from } : {}),
      ...(options.seed ? { seed: { path: 'seed.sql', text: options.seed } } : {}),
    });
    const byId = (id: string) => {
      const found = outcome.rehearsal.migrations.find((m) => m.migration.id === id);
      if (!found) throw new Error(`no migration ${id}`);
      return found;
    };
    return {
      dir,
      settings,
      outcome,
      migration: byId,
      findings(id, direction = 'up') {
        const migration = byId(id).migration;
        const part = direction === 'up' ? migration.up : migration.down;
        return part ? (outcome.merged.get(part)?.findings ?? part.report.findings) : [];
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rules (and positions) of a part's trace findings: `rule-id L:C`. */
export function traceFindingsOf(project: RehearsedProject, id: string, direction: 'up' | 'down' = 'up'): string[] {
  return project
    .findings(id, direction)
    .filter((f) => f.source === 'trace')
    .map((f) => `${f.ruleId} ${f.line}:${f.column}`);
}
