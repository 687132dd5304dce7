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
  const markers = MARKERS[style];
  return `${markers.up}\n${upTemplate(true)}${markers.down}\n${downTemplate(id, `the ${markers.up.slice(3)} section above`)}`;
}
