import type { AcmeOrderStatus } from '../events.js';

/**
 * What to do next is decided only by the order's real status at the CA, re-read before every step that changes
 * it (RFC 8555 7.1.6, 7.4). This is why a 403 orderNotReady can never lead to a second finalize: the runner
 * re-reads, sees "processing" or "valid", and polls or downloads instead.
 */
export type OrderStep = 'authorize' | 'finalize' | 'await-processing' | 'download' | 'report-invalid';

export function stepFor(status: AcmeOrderStatus): OrderStep {
  switch (status) {
    case 'pending':
      return 'authorize';
    case 'ready':
      return 'finalize';
    case 'processing':
      return 'await-processing';
    case 'valid':
      return 'download';
    case 'invalid':
      return 'report-invalid';
  }
}

const KNOWN: ReadonlySet<string> = new Set(['pending', 'ready', 'processing', 'valid', 'invalid']);

export function isOrderStatus(s: unknown): s is AcmeOrderStatus {
  return typeof s === 'string' && KNOWN.has(s);
}
