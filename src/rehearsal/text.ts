import type { createColors } from 'picocolors';
import { LOCK_MODES, type LockMode } from '../analysis/locks.js';
import type { RehearsalLock, RehearsalMigrationSummary, RehearsalPartSummary, RehearsalSummary } from '../report/schema.js';

type Colors = ReturnType<typeof createColors>;

/** Relations a query reads: their locks are the ones traffic notices. */
const QUERYABLE_KINDS = new Set(['table', 'partitioned table', 'view', 'materialized view', 'foreign table']);
const SHOWN_FROM = LOCK_MODES.indexOf('SHARE UPDATE EXCLUSIVE');

/**
 * The rehearsal section of the text report: one line per migration (status, timings, rollback),
 * and under it a compact lock timeline: each lock that blocks at least DDL on a table or view that
 * existed before the migration, the statement that took it, what it blocks and until when.
 * `only`: the migrations to show (the others are counted in the header).
 */
export function formatRehearsalText(summary: RehearsalSummary, c: Colors, options: { only?: ReadonlySet<string> } = {}): string {
  const lines: string[] = [];
  const applied = summary.migrations.filter((m) => m.status === 'applied').length;
  const rehearsed = summary.migrations.filter((m) => m.status !== 'applied');
  const width = Math.max(0, ...rehearsed.map((m) => m.id.length));
  const seconds = (summary.durationMs / 1000).toFixed(1);
  lines.push(
    c.bold(`Rehearsal on ${summary.database} (PostgreSQL ${summary.serverVersion})`) +
      c.dim(
        ` · ${rehearsed.length} migration${rehearsed.length === 1 ? '' : 's'} in ${seconds} s` +
          (applied ? ` · ${applied} earlier applied first` : '') +
          (summary.seed ? ` · seed ${summary.seed}` : ''),
      ),
  );
  for (const migration of rehearsed) {
    if (options.only && !options.only.has(migration.id)) continue;
    const timeline = [migration.up, migration.down].flatMap((part) => (part ? timelineOf(part, c) : []));
    lines.push(migrationLine(migration, width, c), ...timeline);
  }
  return lines.join('\n');
}

function migrationLine(migration: RehearsalMigrationSummary, width: number, c: Colors): string {
  const id = migration.id.padEnd(width);
  if (migration.status === 'not-rehearsed') return `  ${c.dim('·')} ${c.dim(id)}  ${c.dim('not rehearsed')}`;
  const parts: string[] = [];
  if (migration.up) parts.push(`up ${formatMs(migration.up.durationMs)}`);
  if (migration.down) parts.push(`down ${formatMs(migration.down.durationMs)}`);
  const rollback = rollbackText(migration, c);
  if (rollback) parts.push(rollback);
  const failed = migration.status === 'failed';
  const mark = failed || migration.rollback === 'failed' || migration.rollback === 'mismatch' ? c.red('✖') : c.green('✔');
  const note = failed ? c.red(` failed${migration.up?.failed ? ` at line ${migration.up.failed.line}` : ''}`) : '';
  return `  ${mark} ${id}${note}  ${c.dim(parts.join(' · '))}`;
}

function rollbackText(migration: RehearsalMigrationSummary, c: Colors): string | undefined {
  switch (migration.rollback) {
    case 'verified':
      return 'rollback verified';
    case 'mismatch':
      return c.red('rollback does not restore the schema');
    case 'failed':
      return c.red('rollback fails');
    case 'not-verified':
      return `rollback not verified${migration.note ? ` (${migration.note})` : ''}`;
    default:
      return undefined;
  }
}

function timelineOf(part: RehearsalPartSummary, c: Colors): string[] {
  // One row per statement and relation, with the strongest mode it took.
  const rows = new Map<string, RehearsalLock>();
  for (const lock of part.locks) {
    if (!QUERYABLE_KINDS.has(lock.relationKind) || LOCK_MODES.indexOf(lock.mode) < SHOWN_FROM) continue;
    const key = `${lock.statement}:${lock.relation}`;
    const known = rows.get(key);
    if (!known || LOCK_MODES.indexOf(lock.mode) > LOCK_MODES.indexOf(known.mode)) rows.set(key, lock);
  }
  const rewrites = new Map<number, { line: number; relations: string[]; indexes: number }>();
  for (const rewrite of part.rewrites) {
    const entry = rewrites.get(rewrite.statement) ?? { line: rewrite.line, relations: [], indexes: 0 };
    if (rewrite.relationKind === 'index') entry.indexes++;
    else entry.relations.push(rewrite.relation);
    rewrites.set(rewrite.statement, entry);
  }
  if (!rows.size && !rewrites.size) return [];
  const width = Math.max(...[...rows.values()].map((lock) => lock.relation.length));
  const direction = c.dim(part.direction === 'up' ? 'up  ' : 'down');
  const lines: string[] = [];
  for (const lock of rows.values()) {
    const held = `${blocksText(lock)} · held ${heldText(lock)} · ${formatMs(lock.heldMs)}`;
    lines.push(`      ${direction} ${c.dim(`line ${String(lock.line).padEnd(4)}`)} ${modeText(lock.mode, c)} ${c.bold(lock.relation.padEnd(width))}  ${held}  ${c.dim(lock.sql)}`);
  }
  for (const [, rewrite] of rewrites) {
    const indexes = rewrite.indexes ? `${rewrite.relations.length ? ' and ' : ''}${rewrite.indexes} index${rewrite.indexes > 1 ? 'es' : ''}` : '';
    const what = `${rewrite.relations.join(', ')}${indexes}`;
    lines.push(`      ${direction} ${c.dim(`line ${String(rewrite.line).padEnd(4)}`)} ${c.red((rewrite.relations.length ? 'rewrote' : 'rebuilt').padEnd(22))} ${c.bold(what)}`);
  }
  return lines;
}

function modeText(mode: LockMode, c: Colors): string {
  const text = mode.padEnd(22);
  return mode === 'ACCESS EXCLUSIVE' ? c.red(text) : LOCK_MODES.indexOf(mode) >= LOCK_MODES.indexOf('SHARE') ? c.yellow(text) : text;
}

function blocksText(lock: RehearsalLock): string {
  const { reads, writes, ddl } = lock.blocks;
  const blocked = [reads && 'reads', writes && 'writes', ddl && 'DDL'].filter(Boolean);
  return blocked.length ? `blocks ${blocked.join(', ')}` : 'blocks only ACCESS EXCLUSIVE';
}

function heldText(lock: RehearsalLock): string {
  switch (lock.heldUntil) {
    case 'migration-end':
      return 'until the migration commits';
    case 'transaction-control':
      return `until statement ${lock.releasedBy} ends the transaction`;
    default:
      return 'for its statement';
  }
}

export function formatMs(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}
