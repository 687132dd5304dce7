import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, allRules, lintText, loadParser, rulePage, settingsFromConfig } from '../src/index.js';

await loadParser();

describe('public API', () => {
  it('lints text with the default configuration, as the CLI would', () => {
    const settings = settingsFromConfig(DEFAULT_CONFIG, process.cwd());
    const [file] = lintText("SET lock_timeout = '1s';\nALTER TABLE orders ALTER COLUMN total TYPE bigint;\n", 'm.sql', settings);
    expect(file!.risk).toBe('high');
    expect(file!.findings.map((f) => [f.ruleId, f.line, f.column])).toEqual([
      ['no-column-type-change', 2, 1],
      ['require-statement-timeout', 2, 1],
    ]);
  });

  it('documents every rule from its metadata', () => {
    for (const rule of allRules) {
      const page = rulePage(rule);
      expect(page.startsWith(`# ${rule.meta.id}\n`)).toBe(true);
      expect(page).toContain(rule.meta.badExample);
      expect(page).toContain(rule.meta.safeRewrite);
    }
  });
});
