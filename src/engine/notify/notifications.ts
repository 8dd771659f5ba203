import type { EventOf } from '../events.js';
import type { Notification } from './types.js';

/**
 * Which notifications an engine event makes. A request's end (`issue:finished`) says whether a certificate was
 * issued, or a renewal failed (with or without a valid certificate still on disk), and how close the certificate
 * on disk is to expiry; a deploy run's end says whether targets were left undeployed. An operator's cancel makes
 * none: they know.
 */

const DAY = 86_400_000;

export interface Candidate {
  notification: Notification;
  /** For `expiring`: days left, compared with each notifier's threshold. */
  daysLeft?: number;
}

export function fromIssueFinished(e: EventOf<'issue:finished'>, now: number): Candidate[] {
  const at = new Date(e.at).toISOString();
  const disk = e.onDisk;
  const daysLeft = disk ? Math.floor((disk.notAfter - now) / DAY) : undefined;
  const about = {
    certName: e.certName,
    domains: disk?.domains ?? e.domains,
    at,
    ...(disk ? { serial: disk.serial, notAfter: new Date(disk.notAfter).toISOString(), daysLeft: daysLeft!, caId: disk.caId } : {}),
  };
  const out: Candidate[] = [];
  if (e.ok && !e.notDue) {
    const renewal = (disk?.version ?? 1) > 1;
    out.push({ notification: { event: 'issued', ...about, renewal, message: `${e.certName}: certificate ${renewal ? 'renewed' : 'issued'}${disk ? `, serial ${disk.serial}, valid until ${about.notAfter}` : ''}` } });
    return out;
  }
  if (!e.ok) {
    if (e.error?.kind === 'cancelled') return out;
    const error = e.error ? { kind: e.error.kind, code: e.error.code, message: e.error.message } : { kind: 'bug', code: 'unknown', message: 'unknown error' };
    const stillValid = disk !== undefined && disk.notAfter > now;
    out.push({
      notification: {
        event: stillValid ? 'renewal-failed-still-valid' : 'renewal-failed',
        ...about,
        error,
        message: stillValid
          ? `${e.certName}: renewal failed (${error.message}); the current certificate is still valid for ${daysLeft} day${daysLeft === 1 ? '' : 's'}`
          : `${e.certName}: ${disk ? 'renewal' : 'issuance'} failed (${error.message}); ${disk ? 'the certificate on disk has expired' : 'there is no certificate'}`,
      },
    });
  }
  // Only after a failed run: a certificate the renewal check found not due is healthy by definition (a 6-day
  // certificate always has fewer than 14 days left), and a new one was just announced as issued.
  if (!e.ok && disk && daysLeft !== undefined) {
    const when = disk.notAfter > now ? `expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'}` : `expired ${-daysLeft} day${daysLeft === -1 ? '' : 's'} ago`;
    out.push({ daysLeft, notification: { event: 'expiring', ...about, message: `${e.certName}: certificate ${when} (${about.notAfter})` } });
  }
  return out;
}

export function fromDeployFinished(e: EventOf<'deploy:finished'>, domains: string[]): Candidate[] {
  if (e.outcome !== 'partial' && e.outcome !== 'failed') return [];
  return [
    {
      notification: {
        event: 'deploy-partial',
        certName: e.certName,
        domains,
        at: new Date(e.at).toISOString(),
        deploy: { outcome: e.outcome, succeeded: e.succeeded, failed: e.failed, skipped: e.skipped },
        message: `${e.certName}: deploy ${e.outcome}: ${e.succeeded} target${e.succeeded === 1 ? '' : 's'} succeeded, ${e.failed} failed, ${e.skipped} skipped (retry: certdeck deploy ${e.certName} --only failed)`,
      },
    },
  ];
}
