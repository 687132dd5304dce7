import type { Risk } from '../analysis/risk.js';
import type { Direction } from '../migrations/types.js';
import type { RunRecorder } from './runner.js';

/** What the history says about one migration now: its rows added up, and the latest row. */
export interface HistoryEntry {
  id: string;
  /** applied, pending (never run, or rolled back), failed, or running (a run outside a transaction that never finished). */
  state: 'applied' | 'pending' | 'failed' | 'running';
  /** Checksum of the up file when it was applied (to detect a file edited since). */
  appliedChecksum: string | null;
  direction: Direction;
  finishedAt: Date | null;
  failedStatement: string | null;
  error: string | null;
}

export interface AuditEntry {
  environment: string;
  action: 'apply' | 'down' | 'refused' | 'failed' | 'override' | 'resolve';
  migrationId: string | null;
  risk: Risk | null;
  maxRisk: Risk;
  detail: Record<string, unknown>;
}

export interface RunDescription {
  id: string;
  direction: Direction;
  checksum: string;
  risk: Risk;
  override: { reason: string; user: string } | undefined;
}

/** The executor's view of the history and audit storage (see history.ts for the tables). */
export interface HistoryStore {
  /** Creates the tables when missing. */
  ensure(): Promise<void>;
  /** The latest entry per migration id; empty when the history table does not exist yet. */
  current(): Promise<Map<string, HistoryEntry>>;
  recorder(run: RunDescription): RunRecorder;
  audit(entry: AuditEntry): Promise<void>;
  /** An operator's verdict on a failed migration: it is now applied, or pending again. */
  resolve(id: string, as: 'applied' | 'pending'): Promise<void>;
}
