import { DatabaseError } from './types.js';

/** The fields a driver error (node-postgres or PGlite, both from pg-protocol) may carry. */
interface DriverErrorFields {
  message?: unknown;
  code?: unknown;
  position?: unknown;
  detail?: unknown;
  hint?: unknown;
}

/** Node's happy-eyeballs connect fails with an AggregateError whose own message is empty. */
function aggregateMessage(error: unknown): string | undefined {
  if (!(error instanceof AggregateError)) return undefined;
  const messages = error.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).filter(Boolean);
  return messages.length ? [...new Set(messages)].join('; ') : undefined;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * A driver error as a DatabaseError: SQLSTATE, 1-based position, detail and hint kept, every text
 * passed through `redact`. The driver error itself is not attached (no `cause`): it may hold the
 * statement's parameters or connection settings. `context` prefixes the message
 * (`could not connect to postgres://u:***@h/db: …`). Non-SQLSTATE codes (ECONNREFUSED…) stay in
 * the message only.
 */
export function toDatabaseError(error: unknown, redact: (text: string) => string, context?: string): DatabaseError {
  const fields: DriverErrorFields = typeof error === 'object' && error !== null ? (error as DriverErrorFields) : {};
  let message = text(fields.message) ?? aggregateMessage(error) ?? (error instanceof Error ? error.name : String(error));
  const code = text(fields.code);
  if (code && !SQLSTATE.test(code) && !message.includes(code)) message = `${message} (${code})`;
  if (context) message = `${context}: ${message}`;

  const position = text(fields.position) ?? (typeof fields.position === 'number' ? String(fields.position) : undefined);
  const detail = text(fields.detail);
  const hint = text(fields.hint);
  return new DatabaseError(redact(message), {
    ...(code && SQLSTATE.test(code) ? { code } : {}),
    ...(position && /^\d+$/.test(position) ? { position: Number(position) } : {}),
    ...(detail ? { detail: redact(detail) } : {}),
    ...(hint ? { hint: redact(hint) } : {}),
  });
}
