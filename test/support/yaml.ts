import { defaultLoadersSync } from 'cosmiconfig';

/** Parses YAML with the loader pgwarden's config search uses (cosmiconfig's, js-yaml). */
export function parseYaml(text: string, filename = 'input.yaml'): unknown {
  return defaultLoadersSync['.yaml'](filename, text);
}
