import type { Comment } from '../sql/comments.js';
import { parseRisk, type Risk } from './risk.js';

/** What a migration says about itself in the headers seed frameworks write. */
export interface MigrationHeader {
  declaredRisk: Risk | null;
  /** `-- Rollback Available: YES|NO`, or `rollback` in @metadata. */
  rollbackAvailable: boolean | null;
  metadata: Record<string, unknown> | null;
  /** UTF-16 range of the comment that declared the risk. */
  riskStart: number;
  riskEnd: number;
  /** A header that was present but could not be read. */
  problems: Array<{ message: string; start: number; end: number }>;
}

const RISK_LINE = /^\s*risk\s+level\s*:\s*(\w+)/i;
const ROLLBACK_LINE = /^\s*rollback\s+available\s*:\s*(\w+)/i;
const METADATA = /^\s*@metadata\b(.*)$/;

export function readHeader(comments: readonly Comment[], text: string): MigrationHeader {
  const header: MigrationHeader = {
    declaredRisk: null,
    rollbackAvailable: null,
    metadata: null,
    riskStart: 0,
    riskEnd: 0,
    problems: [],
  };
  const setRisk = (value: string, comment: Comment) => {
    const risk = parseRisk(value);
    if (!risk) {
      header.problems.push({ message: `Unknown declared risk "${value}" (expected low, medium or high).`, start: comment.start, end: comment.end });
      return;
    }
    header.declaredRisk = risk;
    header.riskStart = comment.start;
    header.riskEnd = comment.end;
  };

  for (let i = 0; i < comments.length; i++) {
    const comment = comments[i]!;
    const metadata = METADATA.exec(comment.value);
    if (metadata) {
      const { value, last } = readJsonOverComments(comments, i, metadata[1]!, text);
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        header.metadata = value as Record<string, unknown>;
        const risk = header.metadata['risk'];
        if (typeof risk === 'string') setRisk(risk, comment);
        const rollback = header.metadata['rollback'] ?? header.metadata['rollbackAvailable'];
        if (typeof rollback === 'boolean') header.rollbackAvailable = rollback;
      } else {
        header.problems.push({ message: '@metadata header is not a JSON object.', start: comment.start, end: comments[last]!.end });
      }
      i = last;
      continue;
    }
    const risk = RISK_LINE.exec(comment.value);
    if (risk) setRisk(risk[1]!, comment);
    const rollback = ROLLBACK_LINE.exec(comment.value);
    if (rollback) header.rollbackAvailable = /^(yes|true)$/i.test(rollback[1]!);
  }
  return header;
}

/** JSON that starts after `@metadata` and may continue over the following line comments. */
function readJsonOverComments(
  comments: readonly Comment[],
  first: number,
  start: string,
  source: string,
): { value: unknown; last: number } {
  let text = start;
  for (let i = first; i < comments.length && i < first + 50; i++) {
    if (i > first) {
      const comment = comments[i]!;
      const previous = comments[i - 1]!;
      const between = source.slice(previous.end, comment.start);
      if (comment.kind !== 'line' || !/^[ \t]*(\r\n|\n|\r)[ \t]*$/.test(between)) break;
      text += '\n' + comment.value;
    }
    try {
      return { value: JSON.parse(text), last: i };
    } catch {
      // Keep reading lines until the object closes.
    }
  }
  return { value: undefined, last: first };
}
