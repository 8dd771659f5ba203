/**
 * Secrets hide in webhook URLs: a password in the userinfo (https://user:pass@host), a token in the query
 * (?token=...), or the path itself (chat services put the whole credential in it: /services/T0/B0/XXXX). Every
 * place that shows or logs a URL an operator configured goes through here, so a `notify list` pasted into a ticket
 * or a log line shipped to a collector does not carry the credential.
 */

const MASK = '***';
/** A path segment this long is treated as a credential; ids and route names are shorter. */
const SECRET_SEGMENT_LENGTH = 16;

/** The URL with userinfo, every query value, the fragment and long path segments masked; host and route stay readable. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return redactSecrets(raw);
  }
  if (url.username) url.username = MASK;
  if (url.password) url.password = MASK;
  url.pathname = url.pathname
    .split('/')
    .map((segment) => (decodeURIComponentSafe(segment).length >= SECRET_SEGMENT_LENGTH ? MASK : segment))
    .join('/');
  const keys = [...url.searchParams.keys()];
  const query = keys.length ? `?${keys.map((k) => `${encodeURIComponent(k)}=${MASK}`).join('&')}` : '';
  const hash = url.hash ? `#${MASK}` : '';
  // URL would percent-encode the mask in the query; assemble the tail by hand.
  return `${url.protocol}//${url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : ''}${url.host}${url.pathname}${query}${hash}`;
}

/** Free text (an error message, a command line) with every http(s) URL in it redacted. */
export function redactSecrets(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (match) => {
    // A URL at the end of a sentence keeps its punctuation outside the redaction.
    const trail = /[.,;:)\]]+$/.exec(match)?.[0] ?? '';
    const url = trail ? match.slice(0, -trail.length) : match;
    try {
      new URL(url);
    } catch {
      return match;
    }
    return `${redactUrl(url)}${trail}`;
  });
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
