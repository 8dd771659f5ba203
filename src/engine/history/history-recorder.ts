import type { EngineEvent } from '../events.js';
import { HistoryWriter } from '../store/history.js';
import type { StatePaths } from '../store/paths.js';
import { historyRecord } from './history-record.js';

/**
 * The engine subscriber that writes each certificate's history: the events of its orders (phases, statuses, waits,
 * retries, every CA exchange, the outcome), its log lines and its deploy runs. Events that name no certificate
 * (the engine's own start-up lines, certificates merely loaded from disk) are left out.
 */
export class HistoryRecorder {
  private readonly writer: HistoryWriter;
  private readonly orderCert = new Map<string, string>();
  private readonly runCert = new Map<string, string>();
  private readonly secrets = new Set<string>();
  /** Set after the first failed write, so a full disk is reported once rather than on every event. */
  private failed = false;

  constructor(
    paths: StatePaths,
    private readonly onError: (message: string) => void,
  ) {
    this.writer = new HistoryWriter(paths);
  }

  /** A secret the engine holds for a while (an EAB HMAC key): never written, even if some text repeats it. */
  addSecret(secret: string): void {
    this.secrets.add(secret);
  }

  record = (event: EngineEvent): void => {
    const certName = this.certOf(event);
    if (certName === undefined) return;
    try {
      this.writer.append(historyRecord(event, certName, this.secrets));
      this.failed = false;
    } catch (err) {
      // The order goes on without its history rather than failing over a log file.
      if (!this.failed) this.onError(`Could not write the order history of ${certName}: ${err instanceof Error ? err.message : String(err)}`);
      this.failed = true;
    }
    if (event.type === 'order:finished') this.orderCert.delete(event.orderId);
    if (event.type === 'deploy:finished') this.runCert.delete(event.runId);
  };

  private certOf(event: EngineEvent): string | undefined {
    switch (event.type) {
      case 'order:queued':
        this.orderCert.set(event.orderId, event.certName);
        return event.certName;
      case 'certificate:known':
      case 'deploy:targets':
      case 'deploy:log': // a deploy hook's own output may print anything, secrets included
        return undefined;
      case 'certificate:saved':
        return event.certificate.certName;
      case 'deploy:started':
        this.runCert.set(event.runId, event.certName);
        return event.certName;
      case 'deploy:target':
        return this.runCert.get(event.runId);
      case 'deploy:finished':
        return event.certName;
      case 'issue:finished':
      case 'state:problem':
      case 'certificate:removed':
        return undefined; // the request's summary for notifications; its orders' own records already tell the story
      case 'log':
        return event.orderId !== undefined ? (this.orderCert.get(event.orderId) ?? event.certName) : event.certName;
      default:
        return event.orderId === undefined ? undefined : this.orderCert.get(event.orderId);
    }
  }
}
