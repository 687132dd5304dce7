/** The section markers of one-file migrations: dbmate, `-- UP`/`-- DOWN`, goose. */
export type SectionStyle = 'dbmate' | 'updown' | 'goose';

const MARKERS: Record<SectionStyle, { up: string; down: string }> = {
  dbmate: { up: '-- migrate:up', down: '-- migrate:down' },
  updown: { up: '-- UP', down: '-- DOWN' },
  goose: { up: '-- +goose Up', down: '-- +goose Down' },
};

/** The marker style of a sections-layout file, from its first up marker. */
export function sectionStyleOf(text: string): SectionStyle | undefined {
  const marker = /^[ \t]*--[ \t]*(\+goose[ \t]+up|migrate:up|up)[ \t]*$/im.exec(text)?.[1]?.toLowerCase();
  if (marker === undefined) return undefined;
  return marker.startsWith('+goose') ? 'goose' : marker === 'migrate:up' ? 'dbmate' : 'updown';
}

/**
 * The header of an up part. `TODO` is read by the header parser as a declared risk it does not
 * know, so `pgwarden lint` reports it (declared-risk-mismatch, an error) until the author
 * declares low, medium or high. None of the other lines may start with `Risk Level:`,
 * `Rollback Available:`, `@metadata` or `pgwarden`, which the analysis would read.
 */
export function upTemplate(hasRollback: boolean): string {
  return [
    '-- Risk Level: TODO',
    `-- Rollback Available: ${hasRollback ? 'YES' : 'NO'}`,
    '--',
    '-- Replace TODO with low, medium or high; pgwarden lint fails until the declared risk is',
    '-- one of them and no lower than the risk it computes from the statements.',
    "-- Start with SET lock_timeout = '2s'; so that a statement waiting for a lock fails fast",
    '-- instead of queueing every query on the table behind it.',
    '-- CREATE INDEX CONCURRENTLY and the other CONCURRENTLY forms cannot run in a transaction:',
    '-- give them a migration of their own containing the line "-- pgwarden:no-transaction".',
    '',
    '',
  ].join('\n');
}

/** The body of a down part: what it must undo, and how to refuse when nothing can be undone. */
export function downTemplate(id: string, upPart: string): string {
  return [
    `-- Rollback of ${upPart}: undo everything it does, in reverse order.`,
    '-- If it cannot be undone (it destroys data), make this part fail on purpose and say why:',
    `--   DO $$ BEGIN RAISE EXCEPTION 'migration ${id} cannot be rolled back: ...'; END $$;`,
    '',
    '',
  ].join('\n');
}

/** One file holding both parts, as dbmate and goose write them. */
export function sectionsTemplate(id: string, style: SectionStyle): string {
  return sectionsFile(style, upTemplate(true), downTemplate(id, `the ${MARKERS[style].up.slice(3)} section above`));
}

/** The up and down parts in one file, under the style's markers. */
export function sectionsFile(style: SectionStyle, up: string, down: string): string {
  const markers = MARKERS[style];
  const gap = up.endsWith('\n\n') ? '' : '\n';
  return `${markers.up}\n${up}${gap}${markers.down}\n${down}`;
}

/** A statement that has to run in a migration after the one `pgwarden lint --fix` changed. */
export interface FollowUpStatement {
  sql: string;
  description: string;
}

/**
 * The up part of the migration `pgwarden lint --fix` writes after `origin` (the id of the migration
 * it fixed): each statement under a comment saying what it does.
 */
export function followUpTemplate(origin: string, statements: readonly FollowUpStatement[]): string {
  const lines = commentLines(`Written by pgwarden lint --fix for migration ${origin}, which it changed to leave this work to a later migration.`);
  for (const statement of statements) lines.push('', ...commentLines(statement.description), statement.sql);
  return lines.join('\n') + '\n';
}

/** The down part of a follow-up migration: a validation has nothing to undo, and must not block the rollbacks before it. */
export function followUpDownTemplate(id: string): string {
  return [
    ...commentLines(
      `Rollback of ${id}: nothing to undo. VALIDATE CONSTRAINT only checked the existing rows; the rollback of the migration that added the constraint drops it.`,
    ),
    '-- A statement, so that this part does not read as a forgotten one:',
    'SELECT 1;',
    '',
  ].join('\n');
}

/** Text as `--` comment lines of at most about 100 characters. */
function commentLines(text: string): string[] {
  const lines: string[] = [];
  let line = '--';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length + word.length + 1 > 100 && line !== '--') {
      lines.push(line);
      line = '--';
    }
    line += ` ${word}`;
  }
  if (line !== '--') lines.push(line);
  return lines;
}
