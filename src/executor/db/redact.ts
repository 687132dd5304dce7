/**
 * Keeping database passwords out of everything pgwarden prints, logs, throws or stores.
 *
 * Two tools: `redactUrl` masks the password *fields* of a connection string (URL userinfo,
 * `password=` query parameters, `password=` in key=value conninfo), and `redactSecrets` masks
 * known secret *values* wherever they occur in free text (a server message that quotes the
 * password back, a stack trace). The database layer applies both, with the session's password,
 * to every message that leaves it.
 */

export const REDACTED = '***';

/** Connection parameters whose value is a secret. */
const SECRET_KEYS = 'password|sslpassword';

const QUERY_SECRET = new RegExp(`([?&](?:${SECRET_KEYS})=)[^&#]*`, 'gi');
const CONNINFO_SECRET = new RegExp(`(\\b(?:${SECRET_KEYS})\\s*=\\s*)('(?:\\\\.|[^'\\\\])*'|[^\\s'][^\\s]*)`, 'gi');
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** A URL with userinfo inside free text: scheme://user:password@ */
const URL_USERINFO_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s@]*@/gi;

interface UrlParts {
  /** `postgres://` */
  prefix: string;
  /** `user:password`, as written; undefined when the URL has no `@`. */
  userinfo: string | undefined;
  /** From the `@` (or the host) on. */
  rest: string;
}

/**
 * Splits a URL at its userinfo without a URL parser, so that malformed URLs (an unencoded `@`,
 * `/`, `?` or `#` in the password) are still masked: the userinfo ends at the last `@` before
 * the query string, or, when there is none there but a `:` precedes a later `@`, at that `@`
 * (a `?` inside the password). When in doubt, more is masked rather than less.
 */
function splitUrl(url: string): UrlParts | undefined {
  const scheme = SCHEME.exec(url);
  if (!scheme) return undefined;
  const start = scheme[0].length;
  const queryAt = url.indexOf('?', start);
  let at = (queryAt === -1 ? url : url.slice(0, queryAt)).lastIndexOf('@');
  if (at < start) {
    const last = url.lastIndexOf('@');
    at = last >= start && url.slice(start, last).includes(':') ? last : -1;
  }
  return at < start
    ? { prefix: url.slice(0, start), userinfo: undefined, rest: url.slice(start) }
    : { prefix: url.slice(0, start), userinfo: url.slice(start, at), rest: url.slice(at) };
}

/**
 * `postgres://user:secret@host/db` → `postgres://user:***@host/db`; also masks `password=` and
 * `sslpassword=` in the query string, and in `host=… password=…` conninfo strings (quoted or not).
 */
export function redactUrl(url: string): string {
  const parts = splitUrl(url);
  if (!parts) return url.replace(CONNINFO_SECRET, `$1${REDACTED}`);
  const { prefix, userinfo, rest } = parts;
  const colon = userinfo?.indexOf(':') ?? -1;
  const head = userinfo === undefined || colon === -1 ? (userinfo ?? '') : `${userinfo.slice(0, colon)}:${REDACTED}`;
  return prefix + head + rest.replace(QUERY_SECRET, `$1${REDACTED}`);
}

/** The passwords of a connection string (URL userinfo, `password=` parameters), as written and decoded. */
export function urlSecrets(url: string): string[] {
  const secrets = new Set<string>();
  const add = (raw: string): void => {
    if (!raw) return;
    secrets.add(raw);
    try {
      secrets.add(decodeURIComponent(raw));
    } catch {
      // Not valid percent-encoding: the raw form is the secret.
    }
  };
  const parts = splitUrl(url);
  if (parts) {
    const colon = parts.userinfo?.indexOf(':') ?? -1;
    if (parts.userinfo !== undefined && colon !== -1) add(parts.userinfo.slice(colon + 1));
    for (const match of parts.rest.matchAll(new RegExp(`[?&](?:${SECRET_KEYS})=([^&#]*)`, 'gi'))) add(match[1] ?? '');
  } else {
    for (const match of url.matchAll(CONNINFO_SECRET)) {
      const value = match[2] ?? '';
      add(value.startsWith("'") ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value);
    }
  }
  return [...secrets];
}

/** Every form a secret may take in text: as is, percent-encoded (both `encodeURI*` flavours, either hex case). */
function formsOf(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), encodeURI(secret)]);
  for (const form of [...forms]) {
    forms.add(form.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
    forms.add(form.replace(/%[0-9a-f]{2}/gi, (hex) => hex.toUpperCase()));
  }
  return [...forms];
}

/**
 * Replaces every occurrence of each secret, and of its URL-encoded forms, with `***`. Empty
 * secrets are ignored; longer forms are replaced first so a secret that contains another is
 * masked whole.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const forms = [...new Set(secrets.filter((s) => s.length > 0).flatMap(formsOf))].sort((a, b) => b.length - a.length);
  let result = text;
  for (const form of forms) result = result.split(form).join(REDACTED);
  return result;
}

/** Masks URL passwords found anywhere in free text (`scheme://user:pw@`), then the given secrets. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  return redactSecrets(text.replace(URL_USERINFO_IN_TEXT, `$1${REDACTED}@`), secrets);
}

/** A redactor bound to one connection string's secrets: what a session applies to its messages. */
export function redactorFor(connection: string): (text: string) => string {
  const secrets = urlSecrets(connection);
  return (text) => redactText(text, secrets);
}
