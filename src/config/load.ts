import { cosmiconfig } from 'cosmiconfig';
import { dirname, relative } from 'node:path';
import type { z } from 'zod';
import { DEFAULT_CONFIG } from './defaults.js';
import type { Config } from './schema.js';

/** A configuration problem: the CLI prints it and exits 2. */
export class ConfigError extends Error {}

export interface LoadedConfig {
  config: Config;
  /** The file it came from, or null for the defaults. */
  filepath: string | null;
  /** Relative paths in the config (migrations.dir, pglite directories, files) start here. */
  baseDir: string;
}

/** Where a config is looked for, in each directory from the working one up to the project root. */
export const CONFIG_FILES = [
  'package.json',
  '.pgwardenrc',
  '.pgwardenrc.json',
  '.pgwardenrc.yaml',
  '.pgwardenrc.yml',
  '.pgwardenrc.js',
  '.pgwardenrc.cjs',
  '.pgwardenrc.mjs',
  'pgwarden.config.json',
  'pgwarden.config.yaml',
  'pgwarden.config.yml',
  'pgwarden.config.js',
  'pgwarden.config.cjs',
  'pgwarden.config.mjs',
  'pgwarden.config.ts',
];

const explorer = cosmiconfig('pgwarden', { searchStrategy: 'project', searchPlaces: CONFIG_FILES });

/** Finds the config from `cwd` upwards (or loads `explicitPath`) and validates it. */
export async function loadConfig(cwd: string, explicitPath?: string, ruleIds?: ReadonlySet<string>): Promise<LoadedConfig> {
  let result: { config: unknown; filepath: string } | null;
  try {
    result = explicitPath ? await explorer.load(explicitPath) : await explorer.search(cwd);
  } catch (error) {
    const where = explicitPath ?? cwd;
    throw new ConfigError(`Cannot read configuration ${where}: ${(error as Error).message}`);
  }
  if (!result) return { config: DEFAULT_CONFIG, filepath: null, baseDir: cwd };
  const origin = relative(cwd, result.filepath) || result.filepath;
  return {
    config: await validateConfig(result.config, origin, ruleIds),
    filepath: result.filepath,
    baseDir: dirname(result.filepath),
  };
}

export async function validateConfig(raw: unknown, origin: string, ruleIds?: ReadonlySet<string>): Promise<Config> {
  // zod is loaded only when there is a file to check.
  const { ConfigSchema } = await import('./schema.js');
  const parsed = ConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(await formatIssues(origin, parsed.error.issues));
  if (ruleIds) {
    const unknown = unknownRules(parsed.data, ruleIds);
    if (unknown.length) throw new ConfigError(`Invalid configuration in ${origin}:\n${unknown.join('\n')}`);
  }
  return parsed.data;
}

/** One line per rule id that no rule has, in `rules` and in each override's `rules`. */
function unknownRules(config: Config, ruleIds: ReadonlySet<string>): string[] {
  const sections: Array<[prefix: string, rules: Record<string, unknown>]> = [['rules', config.rules]];
  config.overrides?.forEach((override, i) => {
    if (override.rules) sections.push([`overrides.${i}.rules`, override.rules]);
  });
  return sections.flatMap(([prefix, rules]) =>
    Object.keys(rules)
      .filter((id) => !ruleIds.has(id))
      .map((id) => `  ${prefix}.${id}: unknown rule "${id}" (see \`pgwarden rules\`)`),
  );
}

async function formatIssues(origin: string, issues: readonly z.core.$ZodIssue[]): Promise<string> {
  const { issueLines } = await import('./rule-options-schema.js');
  return `Invalid configuration in ${origin}:\n${issueLines(issues).map((line) => `  ${line}`).join('\n')}`;
}
