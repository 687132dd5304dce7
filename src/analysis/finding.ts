import type { LockMode } from './locks.js';
import type { Risk } from './risk.js';
import type { LockedRelation } from './statement-locks.js';

export type Severity = 'error' | 'warning';
export type SeveritySetting = Severity | 'off';

export interface Suppression {
  /** The directive's reason (after `--`), or null when none was given. */
  reason: string | null;
  /** UTF-16 range of the directive comment. */
  start: number;
  end: number;
}

/** A replacement of the UTF-16 range `[start, end)` of the analysed text (an insertion when they are equal). */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** A statement that has to run in a later migration for a fix to keep the migration's meaning. */
export interface FollowUp {
  /** The SQL of the follow-up migration's up part. */
  sql: string;
  description: string;
}

/**
 * A mechanical, behaviour-preserving change that resolves a finding: text edits to the file and,
 * when the change moves work to a later migration (NOT VALID, then VALIDATE), that migration.
 */
export interface Fix {
  /** What applying it does, in a few words ("Add CONCURRENTLY"). */
  description: string;
  /** Non-overlapping edits, in file order. */
  edits: TextEdit[];
  followUp?: FollowUp;
}

/** A finding in file coordinates (UTF-16 indices); the report turns them into lines and columns. */
export interface Finding {
  ruleId: string;
  risk: Risk;
  severity: Severity;
  message: string;
  help: string;
  start: number;
  end: number;
  lock?: LockMode;
  tags: string[];
  /** Index of the statement it is about; absent for file-level findings. */
  statementIndex?: number;
  /**
   * The relation it is about: set by the rule, or (when a stats snapshot is given) by the engine
   * from the relation the statement locks most strongly. Not part of the JSON report.
   */
  relation?: LockedRelation;
  suppressed?: Suppression;
  fix?: Fix;
  /** `trace`: observed by a rehearsal rather than read from the SQL. */
  source?: 'trace';
}
