/** Postgres table-level lock modes, weakest first, and what each one makes others wait for. */
export const LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

/** Each mode's position in LOCK_MODES: rules compare modes for every statement. */
const RANK = new Map<LockMode, number>(LOCK_MODES.map((mode, rank) => [mode, rank]));
const rankOf = (mode: LockMode): number => RANK.get(mode) ?? -1;
const SHARE_RANK = rankOf('SHARE');

export function strongerLock(a: LockMode | undefined, b: LockMode | undefined): LockMode | undefined {
  if (!a) return b;
  if (!b) return a;
  return rankOf(a) >= rankOf(b) ? a : b;
}

export interface LockEffect {
  /** SELECT waits. */
  reads: boolean;
  /** INSERT, UPDATE and DELETE wait. */
  writes: boolean;
  /** Other DDL, VACUUM and CREATE INDEX CONCURRENTLY wait. */
  ddl: boolean;
}

export function lockEffect(mode: LockMode): LockEffect {
  const rank = LOCK_MODES.indexOf(mode);
  return {
    reads: mode === 'ACCESS EXCLUSIVE',
    writes: rank >= LOCK_MODES.indexOf('SHARE'),
    ddl: rank >= LOCK_MODES.indexOf('SHARE UPDATE EXCLUSIVE'),
  };
}

/** A lock that stops ordinary traffic (writes at least) while it is held or queued for. */
export function blocksTraffic(mode: LockMode): boolean {
  return rankOf(mode) >= SHARE_RANK;
}

export function describeLockEffect(mode: LockMode): string {
  const effect = lockEffect(mode);
  if (effect.reads) return 'blocks reads and writes';
  if (effect.writes) return 'blocks writes';
  if (effect.ddl) return 'blocks DDL and VACUUM';
  return 'blocks only ACCESS EXCLUSIVE';
}
