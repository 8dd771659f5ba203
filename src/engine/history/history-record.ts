import type { EngineEvent } from '../events.js';
import type { HistoryRecord } from '../store/history.js';

/**
 * What may go into the history file: an event with every string cleaned. Control characters (a CA's or a hook's
 * text can carry terminal escapes) become spaces, a PEM private key or any secret the engine was told about (an EAB
 * HMAC) becomes "[redacted]". Events never carry JWS bodies or keys by design; this is the belt to that brace.
 */
export function historyRecord(event: EngineEvent, certName: string, secrets: ReadonlySet<string>): HistoryRecord {
  return { ...(clean(event, secrets) as EngineEvent), certName };
}

const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g;
// C0 and C1 controls and DEL; tab and newline too, since a history line is one line of text.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** One string as it may be shown on a terminal or written to the history. */
export function cleanText(text: string, secrets: ReadonlySet<string> = new Set()): string {
  let out = text.replace(PRIVATE_KEY, '[redacted private key]');
  for (const secret of secrets) if (secret.length >= 8 && out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out.replace(CONTROL, ' ');
}

function clean(value: unknown, secrets: ReadonlySet<string>): unknown {
  if (typeof value === 'string') return cleanText(value, secrets);
  if (Array.isArray(value)) return value.map((v) => clean(v, secrets));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v, secrets)]));
  }
  return value;
}
