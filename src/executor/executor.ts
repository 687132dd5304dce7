import type { Migration, MigrationPart } from '../migrations/migration-set.js';
import { compareIds, sha256 } from '../migrations/migration-set.js';
import type { Direction } from '../migrations/types.js';
import type { DatabaseSession } from './db/types.js';
import type { Environment } from './environment.js';
import { judge, type RehearsalJudgement, type RiskOverride, type Verdict } from './gate.js';
import { runPart, type RunProgress, type RunResult } from './runner.js';
import type { HistoryEntry, HistoryStore } from './store.js';

export type MigrationStateName = 'applied' | 'pending' | 'failed' | 'drifted' | 'missing';

export interface MigrationState {
  id: string;
  /** Absent for a migration the history knows but whose files are gone ('missing'). */
  migration: Migration | undefined;
  state: MigrationStateName;
  entry: HistoryEntry | undefined;
}

/**
 * Where each migration stands: applied (and unchanged), drifted (applied, but its file changed
 * since), failed (a run outside a transaction stopped part-way, or was killed), pending, or
 * missing (applied, but no file any more).
 */
export function migrationStates(migrations: readonly Migration[], current: ReadonlyMap<string, HistoryEntry>): MigrationState[] {
  const states: MigrationState[] = migrations.map((migration) => {
    const entry = current.get(migration.id);
    return { id: migration.id, migration, entry, state: stateOf(migration, entry) };
  });
  const known = new Set(migrations.map((m) => m.id));
  for (const entry of current.values()) {
    if (!known.has(entry.id) && entry.state === 'applied') {
      states.push({ id: entry.id, migration: undefined, entry, state: 'missing' });
    }
  }
  return states.sort((a, b) => compareIds(a.id, b.id));
}

function stateOf(migration: Migration, entry: HistoryEntry | undefined): MigrationStateName {
  if (!entry || entry.state === 'pending') return 'pending';
  if (entry.state === 'failed' || entry.state === 'running') return 'failed';
  return entry.appliedChecksum === migration.checksum ? 'applied' : 'drifted';
}

export interface ExecutorEvents {
  onStart?(migration: Migration, direction: Direction, index: number, total: number): void;
  onProgress?(migration: Migration, progress: RunProgress): void;
  onRetry?(migration: Migration, attempt: number, delayMs: number, error: Error): void;
  onFinish?(migration: Migration, result: RunResult): void;
  onHook?(name: 'beforeApply' | 'afterApply', command: string): void;
  onRehearsal?(phase: 'start' | 'done'): void;
}

export interface HookRunner {
  (name: 'beforeApply' | 'afterApply', command: string): Promise<{ ok: boolean; reason: string }>;
}

/** Rehearses the migrations about to run on a scratch database (environments with requireRehearsal). */
export type Rehearser = (direction: Direction, items: ReadonlyArray<{ migration: Migration; part: MigrationPart }>) => Promise<RehearsalJudgement>;

export interface ExecutorContext {
  environment: Environment;
  /** Called before judging when the environment requires a rehearsal; without it, such an environment refuses everything. */
  rehearse?: Rehearser;
  store: HistoryStore;
  session: DatabaseSession;
  migrations: readonly Migration[];
  events?: ExecutorEvents;
  runHook?: HookRunner;
  sleep?: (ms: number) => Promise<void>;
}

export type OutcomeStatus = 'done' | 'nothing-to-do' | 'blocked' | 'refused' | 'hook-failed' | 'failed';

export interface Outcome {
  direction: Direction;
  status: OutcomeStatus;
  /** The gate's verdict on every migration selected to run. */
  verdicts: Verdict[];
  /** Why nothing could be considered: failed or drifted migrations, a missing down part. */
  blockers: string[];
  /** The runs made, in order; the last one failed when status is 'failed'. */
  runs: Array<{ migration: Migration; result: RunResult }>;
  /** A failed hook's reason. */
  hookFailure?: string;
}

export interface Selection {
  /** Apply up to and including this id, or roll back until it is the newest applied. */
  to?: string;
  /** Down only: how many migrations to roll back (default 1). */
  steps?: number;
  override?: RiskOverride;
  /** Judge only; run nothing (`pgwarden plan`). */
  dryRun?: boolean;
}

/** An id given with --to that names no migration: a usage error for the CLI. */
export class SelectionError extends Error {}

export async function applyMigrations(context: ExecutorContext, selection: Selection = {}): Promise<Outcome> {
  const states = migrationStates(context.migrations, await context.store.current());
  const blockers = [
    ...states.filter((s) => s.state === 'failed').map((s) => failedBlocker(s)),
    ...states
      .filter((s) => s.state === 'drifted')
      .map((s) => `${s.id} was applied from a file that has changed since (checksum differs); restore the file, or write a new migration for the change.`),
  ];
  if (selection.to !== undefined) requireKnown(context.migrations, selection.to);
  const pending = states
    .filter((s) => s.state === 'pending')
    .map((s) => s.migration!)
    .filter((m) => selection.to === undefined || compareIds(m.id, selection.to) <= 0);
  return execute(context, 'up', pending.map((migration) => ({ migration, part: migration.up })), blockers, selection);
}

export async function rollBackMigrations(context: ExecutorContext, selection: Selection = {}): Promise<Outcome> {
  const states = migrationStates(context.migrations, await context.store.current());
  const blockers = states.filter((s) => s.state === 'failed').map((s) => failedBlocker(s));
  const applied = states.filter((s) => s.state === 'applied' || s.state === 'drifted').reverse();
  let chosen: MigrationState[];
  if (selection.to !== undefined) {
    requireKnown(context.migrations, selection.to);
    chosen = applied.filter((s) => compareIds(s.id, selection.to!) > 0);
  } else {
    chosen = applied.slice(0, selection.steps ?? 1);
  }
  for (const state of chosen) {
    if (!state.migration!.down) blockers.push(`${state.id} has no down part to roll back with.`);
  }
  const items = chosen.filter((s) => s.migration!.down).map((s) => ({ migration: s.migration!, part: s.migration!.down! }));
  return execute(context, 'down', items, blockers, selection);
}

async function execute(
  context: ExecutorContext,
  direction: Direction,
  items: Array<{ migration: Migration; part: MigrationPart }>,
  blockers: string[],
  selection: Selection,
): Promise<Outcome> {
  const { environment, store, events } = context;
  const outcome = (status: OutcomeStatus, verdicts: Verdict[] = [], runs: Outcome['runs'] = []): Outcome => ({
    direction,
    status,
    verdicts,
    blockers,
    runs,
  });
  const audit = (action: Parameters<HistoryStore['audit']>[0]['action'], verdict: Verdict | undefined, detail: Record<string, unknown>) =>
    selection.dryRun
      ? Promise.resolve()
      : store.audit({
          environment: environment.name,
          action,
          migrationId: verdict?.migration.id ?? null,
          risk: verdict?.risk ?? null,
          maxRisk: environment.maxRisk,
          detail: { direction, ...detail },
        });

  if (blockers.length) {
    await audit('refused', undefined, { blockers });
    return outcome('blocked');
  }
  if (!items.length) return outcome('nothing-to-do');

  let rehearsal: RehearsalJudgement | undefined;
  if (environment.requireRehearsal && context.rehearse) {
    events?.onRehearsal?.('start');
    try {
      rehearsal = await context.rehearse(direction, items);
    } catch (error) {
      rehearsal = { failure: error instanceof Error ? error.message : String(error), reports: new Map(), failed: new Map() };
    }
    events?.onRehearsal?.('done');
  }
  const verdicts = judge(items, environment, selection.override, rehearsal);
  const refused = verdicts.filter((v) => !v.allowed);
  if (selection.dryRun) return outcome(refused.length ? 'refused' : 'done', verdicts);
  if (refused.length) {
    for (const verdict of refused) await audit('refused', verdict, { reason: verdict.reason, ...overrideDetail(selection.override) });
    return outcome('refused', verdicts);
  }

  if (environment.beforeApply && context.runHook) {
    events?.onHook?.('beforeApply', environment.beforeApply);
    const hook = await context.runHook('beforeApply', environment.beforeApply);
    if (!hook.ok) {
      await audit('failed', undefined, { hook: 'beforeApply', reason: hook.reason });
      return { ...outcome('hook-failed', verdicts), hookFailure: `beforeApply failed: ${hook.reason}` };
    }
  }

  const runs: Outcome['runs'] = [];
  for (const [index, verdict] of verdicts.entries()) {
    const { migration, part } = verdict;
    if (verdict.overridden) await audit('override', verdict, { reason: verdict.reason, ...overrideDetail(selection.override) });
    events?.onStart?.(migration, direction, index + 1, verdicts.length);
    const result = await runPart({
      session: context.session,
      environment,
      part,
      recorder: store.recorder({
        id: migration.id,
        direction,
        checksum: direction === 'up' ? migration.checksum : sha256(part.analysis.source.text),
        risk: verdict.risk,
        override: verdict.overridden && selection.override ? { reason: selection.override.reason, user: selection.override.user } : undefined,
      }),
      onProgress: (progress) => events?.onProgress?.(migration, progress),
      onRetry: (attempt, delayMs, error) => events?.onRetry?.(migration, attempt, delayMs, error),
      ...(context.sleep ? { sleep: context.sleep } : {}),
    });
    runs.push({ migration, result });
    events?.onFinish?.(migration, result);
    if (!result.ok) {
      await audit('failed', verdict, {
        error: result.error.message,
        statement: result.failed?.text ?? null,
        line: result.failed?.line ?? null,
        transactional: result.transactional,
        attempts: result.attempts,
      });
      return outcome('failed', verdicts, runs);
    }
    await audit(direction === 'up' ? 'apply' : 'down', verdict, { durationMs: result.durationMs, attempts: result.attempts });
  }

  if (environment.afterApply && context.runHook) {
    events?.onHook?.('afterApply', environment.afterApply);
    const hook = await context.runHook('afterApply', environment.afterApply);
    if (!hook.ok) {
      await audit('failed', undefined, { hook: 'afterApply', reason: hook.reason });
      return { ...outcome('hook-failed', verdicts, runs), hookFailure: `afterApply failed: ${hook.reason}` };
    }
  }
  return outcome('done', verdicts, runs);
}

function overrideDetail(override: RiskOverride | undefined): Record<string, unknown> {
  return override ? { acceptRisk: override.level, reason: override.reason, user: override.user } : {};
}

function requireKnown(migrations: readonly Migration[], id: string): void {
  if (!migrations.some((m) => m.id === id)) throw new SelectionError(`--to ${id}: no migration has that id.`);
}

function failedBlocker(state: MigrationState): string {
  const entry = state.entry!;
  const where = entry.failedStatement ? ` at statement:\n    ${entry.failedStatement.split('\n').join('\n    ')}` : '';
  const why = entry.state === 'running' ? 'was interrupted while running outside a transaction' : `failed${where}\n  error: ${entry.error ?? 'unknown'}`;
  return (
    `${state.id} ${why}\n` +
    `  Some of its statements may have run. Check the database, finish or undo the change by hand, then record what you did:\n` +
    `    pgwarden resolve ${state.id} --as applied   (the change is now complete)\n` +
    `    pgwarden resolve ${state.id} --as pending   (the change is undone; apply will run it again)`
  );
}
