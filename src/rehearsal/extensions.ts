import type { Extension, Extensions } from '@electric-sql/pglite';
import type { CreateExtensionStmt } from 'libpg-query';
import type { Migration } from '../migrations/migration-set.js';

/** Extensions PGlite ships outside its contrib folder. */
const SEPARATE_MODULES: Record<string, string> = { vector: '@electric-sql/pglite/vector' };

/** Built into every PostgreSQL: nothing to load. */
const BUILT_IN = new Set(['plpgsql']);

/** The extensions the migrations create (CREATE EXTENSION), in first-seen order. */
export function extensionsUsed(migrations: readonly Migration[]): string[] {
  const names = new Set<string>();
  for (const migration of migrations) {
    for (const part of [migration.up, migration.down]) {
      for (const statement of part?.analysis.statements ?? []) {
        if (statement.type !== 'CreateExtensionStmt') continue;
        const name = (statement.ast as CreateExtensionStmt).extname;
        if (name && !BUILT_IN.has(name)) names.add(name);
      }
    }
  }
  return [...names];
}

export interface PgliteExtensionSet {
  extensions: Extensions;
  /** Named by the migrations but not shipped with PGlite: CREATE EXTENSION will fail there. */
  unavailable: string[];
}

/**
 * PGlite loads extensions when it starts, from its own modules (`@electric-sql/pglite/contrib/<name>`),
 * so the ones the migrations create are looked up before the database opens.
 */
export async function pgliteExtensions(names: readonly string[]): Promise<PgliteExtensionSet> {
  const extensions: Extensions = {};
  const unavailable: string[] = [];
  for (const name of names) {
    const exported = name.replace(/-/g, '_');
    if (!/^[a-z0-9_]+$/.test(exported)) {
      unavailable.push(name);
      continue;
    }
    const specifier = SEPARATE_MODULES[exported] ?? `@electric-sql/pglite/contrib/${exported}`;
    try {
      const module = (await import(specifier)) as Record<string, Extension | undefined>;
      const extension = module[exported];
      if (extension) extensions[exported] = extension;
      else unavailable.push(name);
    } catch {
      unavailable.push(name);
    }
  }
  return { extensions, unavailable };
}
