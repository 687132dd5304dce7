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

/**
 * `postgres://user:secret@host/db` → `postgres://user:***@host/db`; also masks `password=` and
 * `sslpassword=` in the query string, and in `host=… password=…` conninfo strings (quoted or not).
 * A password containing an unencoded `@` is masked up to the last `@` before the query string.
 */
export function redactUrl(url: string): string {
  const scheme = SCHEME.exec(url);
  if (!scheme) return url.replace(CONNINFO_SECRET, `$1${REDACTED}`);

  const start = scheme[0].length;
  const queryAt = url.indexOf('?', start);
  const beforeQuery = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);

  let head = beforeQuery;
  const at = beforeQuery.lastIndexOf('@');
  if (at > start) {
    const userinfo = beforeQuery.slice(start, at);
    const colon = userinfo.indexOf(':');
    if (colon !== -1) head = `${url.slice(0, start)}${userinfo.slice(0, colon)}:${REDACTED}${beforeQuery.slice(at)}`;
  }
  return head + query.replace(QUERY_SECRET, `$1${REDACTED}`);
}

/** The password of a connection URL, as written (maybe percent-encoded) and decoded; empty when none. */
export function urlSecrets(url: string): string[] {
  const scheme = SCHEME.exec(url);
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
  if (scheme) {
    const start = scheme[0].length;
    const queryAt = url.indexOf('?', start);
    const beforeQuery = queryAt === -1 ? url : url.slice(0, queryAt);
    const at = beforeQuery.lastIndexOf('@');
    if (at > start) {
      const userinfo = beforeQuery.slice(start, at);
      const colon = userinfo.indexOf(':');
      if (colon !== -1) add(userinfo.slice(colon + 1));
    }
    if (queryAt !== -1) {
      for (const match of url.slice(queryAt).matchAll(new RegExp(`[?&](?:${SECRET_KEYS})=([^&#]*)`, 'gi'))) {
        add(match[1] ?? '');
      }
    }
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
