import { createColors } from 'picocolors';
import type { Risk } from '../analysis/risk.js';
import type { Environment } from '../executor/environment.js';
import type { MigrationState, Outcome } from '../executor/executor.js';
import { buildReport } from '../report/build.js';
import { formatText } from '../report/text.js';

type Colors = ReturnType<typeof createColors>;

export function headerLine(command: string, environment: Environment, database: string, c: Colors): string {
  return `${c.bold(`pgwarden ${command}`)} · environment ${c.bold(environment.name)} (${database}) · maxRisk ${environment.maxRisk}`;
}

/** The risk word coloured, padded to `width` first so columns line up with or without colour. */
const riskColor = (risk: Risk, c: Colors, width = 0) => {
  const text = risk.padEnd(width);
  return risk === 'high' ? c.red(text) : risk === 'medium' ? c.yellow(text) : c.blue(text);
};

/** What happened, for people: refusals with their reasons and the lint report behind them. */
export function outcomeText(outcome: Outcome, environment: Environment, c: Colors, postgresVersion: number): string {
  const lines: string[] = [];
  const verb = outcome.direction === 'up' ? 'apply' : 'roll back';
  switch (outcome.status) {
    case 'nothing-to-do':
      lines.push(c.green(`✔ Nothing to ${verb}: the database is up to date.`));
      break;
    case 'blocked':
      lines.push(c.red(`✖ Nothing was run: ${outcome.blockers.length} problem${outcome.blockers.length > 1 ? 's' : ''} must be resolved first.`));
      for (const blocker of outcome.blockers) lines.push(`  ${blocker}`);
      break;
    case 'refused': {
      const refused = outcome.verdicts.filter((v) => !v.allowed);
      lines.push(
        c.red(
          `✖ Refused: ${refused.length} of ${outcome.verdicts.length} migration${outcome.verdicts.length > 1 ? 's' : ''} to ${verb} ` +
            `${refused.length > 1 ? 'are' : 'is'} above what ${environment.name} allows; nothing was run.`,
        ),
      );
      const width = Math.max(...refused.map((v) => v.migration.id.length));
      for (const verdict of refused) lines.push(`  ${verdict.migration.id.padEnd(width)}  ${riskColor(verdict.risk, c)}  ${verdict.reason}`);
      const report = buildReport(
        refused.map((v) => v.report),
        postgresVersion,
      );
      const sources = new Map(refused.map((v) => [v.part.path, v.part.analysis.source.text]));
      lines.push('', formatText(report, { color: c.isColorSupported, sources }).trimEnd());
      if (!environment.allowOverride) lines.push('', c.dim(`Overrides are off in ${environment.name} (allowOverride).`));
      else lines.push('', c.dim('To accept the risk: --accept-risk LEVEL --reason "why this is safe now".'));
      break;
    }
    case 'hook-failed':
      lines.push(c.red(`✖ ${outcome.hookFailure}`));
      if (!outcome.runs.length) lines.push('  Nothing was run.');
      break;
    case 'failed': {
      const last = outcome.runs[outcome.runs.length - 1]!;
      const result = last.result;
      if (!result.ok) {
        lines.push(c.red(`✖ ${last.migration.id} failed${result.failed ? ` at line ${result.failed.line}` : ''}: ${result.error.message}`));
        if (result.failed) lines.push(`    ${result.failed.text.split('\n').join('\n    ')}`);
        lines.push(
          result.transactional
            ? `  It ran in a transaction that was rolled back: nothing of it was applied${result.attempts > 1 ? ` (${result.attempts} attempts)` : ''}.`
            : `  It ran outside a transaction, so the statements before this one stay applied; it is marked failed.\n` +
                `  Finish or undo it by hand, then run: pgwarden resolve ${last.migration.id} --as applied|pending`,
        );
      }
      break;
    }
    case 'done': {
      const total = outcome.runs.reduce((sum, run) => sum + run.result.durationMs, 0);
      const n = outcome.runs.length;
      const took = total < 1000 ? `${total} ms` : `${(total / 1000).toFixed(1)} s`;
      lines.push(c.green(`✔ ${outcome.direction === 'up' ? 'Applied' : 'Rolled back'} ${n} migration${n > 1 ? 's' : ''} in ${took}.`));
      break;
    }
  }
  return lines.join('\n') + '\n';
}

/** The plan: what would run, each migration's risk, and the gate's verdict. */
export function planText(outcome: Outcome, c: Colors): string {
  if (outcome.status === 'blocked') return outcome.blockers.map((b) => c.red(`✖ ${b}`)).join('\n') + '\n';
  if (!outcome.verdicts.length) return c.green('✔ Nothing pending.') + '\n';
  const width = Math.max(...outcome.verdicts.map((v) => v.migration.id.length));
  const rows = outcome.verdicts.map((v) => {
    const verdict = v.allowed ? (v.overridden ? c.yellow('allowed by override') : c.green('allowed')) : c.red('refused');
    const transaction = v.part.analysis.runnerTransaction ? 'transaction' : c.yellow('no transaction');
    return `  ${v.migration.id.padEnd(width)}  ${riskColor(v.risk, c, 6)}  ${transaction}  ${verdict}${v.reason ? `  ${c.dim(v.reason)}` : ''}`;
  });
  const refused = outcome.verdicts.filter((v) => !v.allowed).length;
  rows.push(refused ? c.red(`✖ ${refused} would be refused; apply would run nothing.`) : c.green(`✔ ${outcome.verdicts.length} would run.`));
  return rows.join('\n') + '\n';
}

export function statusText(states: readonly MigrationState[], c: Colors): string {
  if (!states.length) return 'No migrations.\n';
  const width = Math.max(...states.map((s) => s.id.length));
  const label: Record<MigrationState['state'], string> = {
    applied: c.green('applied'),
    pending: c.yellow('pending'),
    failed: c.red('FAILED'),
    drifted: c.red('DRIFTED'),
    missing: c.red('missing file'),
  };
  const lines = states.map((s) => {
    const when = s.entry?.finishedAt ? c.dim(s.entry.finishedAt.toISOString()) : '';
    return `  ${s.id.padEnd(width)}  ${label[s.state].padEnd(12)}  ${when}`;
  });
  const count = (state: MigrationState['state']) => states.filter((s) => s.state === state).length;
  lines.push(`${count('applied')} applied, ${count('pending')} pending, ${count('failed')} failed, ${count('drifted')} drifted, ${count('missing')} missing`);
  return lines.join('\n') + '\n';
}

/** The machine format shared by plan, apply and down. */
export function outcomeJson(outcome: Outcome, environment: Environment, database: string): object {
  const runs = new Map(outcome.runs.map((run) => [run.migration.id, run.result]));
  return {
    environment: environment.name,
    database,
    maxRisk: environment.maxRisk,
    direction: outcome.direction,
    status: outcome.status,
    blockers: outcome.blockers,
    ...(outcome.hookFailure ? { hookFailure: outcome.hookFailure } : {}),
    migrations: outcome.verdicts.map((v) => {
      const result = runs.get(v.migration.id);
      return {
        id: v.migration.id,
        path: v.part.path,
        risk: v.risk,
        allowed: v.allowed,
        overridden: v.overridden,
        reason: v.reason || null,
        transactional: v.part.analysis.runnerTransaction,
        result: result
          ? result.ok
            ? { ok: true, durationMs: result.durationMs, attempts: result.attempts }
            : {
                ok: false,
                durationMs: result.durationMs,
                attempts: result.attempts,
                error: result.error.message,
                statement: result.failed?.text ?? null,
                line: result.failed?.line ?? null,
              }
          : null,
      };
    }),
  };
}

export function statusJson(states: readonly MigrationState[], environment: Environment, database: string): object {
  return {
    environment: environment.name,
    database,
    migrations: states.map((s) => ({
      id: s.id,
      state: s.state,
      path: s.migration?.up.path ?? null,
      appliedAt: s.entry?.finishedAt?.toISOString() ?? null,
      error: s.entry?.error ?? null,
      failedStatement: s.entry?.failedStatement ?? null,
    })),
  };
}
