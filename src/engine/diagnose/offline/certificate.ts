import { X509Certificate } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { inRenewalWindow, renewalDueAt } from '../../renew/index.js';
import { CERT_FILES, livePaths, type CertificateMeta } from '../../store/cert-files.js';
import { errnoCode } from '../../store/atomic.js';
import { inspectCertificate, keyMatchesCertificate, splitPemBundle, type CertificateFacts } from '../../store/inspect.js';
import type { Journal } from '../../store/journal.js';
import { sameDomainSet } from '../../names.js';
import type { StatePaths } from '../../store/paths.js';
import type { Finding } from '../types.js';
import { modeOf, octal, opensToOthers } from './fs-facts.js';

/**
 * The offline checks of one certificate's files: present, private, the key its certificate's, a chain in order, and
 * names and dates that agree with meta.json and the stored request. Reads only; a problem is a finding, never a throw.
 */

const DAY = 24 * 60 * 60 * 1000;

/** What the certificate checks read once and the later tiers reuse. */
export interface CertificateOnDisk {
  certName: string;
  dir?: string;
  files: Partial<Record<keyof typeof CERT_FILES, string>>;
  meta?: CertificateMeta;
  metaError?: string;
  facts?: CertificateFacts;
}

export async function readCertificateFiles(paths: StatePaths, certName: string): Promise<CertificateOnDisk> {
  const live = livePaths(paths, certName);
  let dir: string;
  try {
    dir = await realpath(live.dir);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { certName, files: {} };
    throw err;
  }
  const files: CertificateOnDisk['files'] = {};
  for (const [key, name] of Object.entries(CERT_FILES) as Array<[keyof typeof CERT_FILES, string]>) {
    try {
      files[key] = await readFile(path.join(dir, name), 'utf8');
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
  }
  const out: CertificateOnDisk = { certName, dir, files };
  if (files.meta !== undefined) {
    try {
      out.meta = JSON.parse(files.meta) as CertificateMeta;
    } catch (err) {
      out.metaError = (err as Error).message;
    }
  }
  if (files.cert !== undefined) {
    try {
      out.facts = inspectCertificate(files.cert);
    } catch {
      // reported by checkFiles
    }
  }
  return out;
}

export async function checkFiles(disk: CertificateOnDisk, journal: Journal | undefined): Promise<Finding[]> {
  const f = finder(disk.certName);
  if (!disk.dir) {
    return journal
      ? [f('cert.not-issued', 'info', `No certificate is stored for ${disk.certName} yet; its order journal exists.`, 'Issue it, or resume the order: certdeck issue ' + journal.request.domains.join(' ') + ` --ca ${journal.request.caId}`)]
      : [];
  }
  const findings: Finding[] = [];
  const missing = (Object.keys(CERT_FILES) as Array<keyof typeof CERT_FILES>).filter((k) => disk.files[k] === undefined);
  const essential = missing.filter((k) => k !== 'meta');
  if (essential.length) {
    findings.push(
      f(
        'cert.files-missing',
        'error',
        `${disk.dir} lacks ${essential.map((k) => CERT_FILES[k]).join(', ')}.`,
        `Re-issue the certificate (certdeck issue ... --name ${disk.certName}); a web server pointed at the missing file fails at its next reload.`,
      ),
    );
  }
  if (missing.includes('meta')) {
    findings.push(f('cert.meta-missing', 'warning', `${disk.dir} has no ${CERT_FILES.meta} (imported from another client?).`, 'certdeck reads cert.pem instead; the next issue or renewal writes meta.json.'));
  } else if (disk.metaError) {
    findings.push(f('cert.meta-invalid', 'error', `${path.join(disk.dir, CERT_FILES.meta)} is not valid JSON (${disk.metaError}).`, `Move ${CERT_FILES.meta} aside; certdeck then reads cert.pem.`));
  }
  if (disk.files.cert !== undefined && !disk.facts) {
    findings.push(f('cert.unparsable', 'error', `${path.join(disk.dir, CERT_FILES.cert)} does not contain a readable PEM certificate.`, 'Re-issue the certificate.'));
  }
  const keyFile = path.join(disk.dir, CERT_FILES.privkey);
  const mode = await modeOf(keyFile);
  if (mode !== undefined && opensToOthers(mode)) {
    findings.push(
      f(
        'key.permissions',
        'error',
        `The private key ${keyFile} is mode ${octal(mode)}: other users on this host can read it.`,
        `chmod 600 ${keyFile}; if untrusted users had access, re-issue with a new key (certdeck issue without --reuse-key).`,
      ),
    );
  }
  return findings;
}

export function checkKeyMatch(disk: CertificateOnDisk): Finding[] {
  const { cert, privkey } = disk.files;
  if (cert === undefined || privkey === undefined || !disk.facts) return [];
  if (keyMatchesCertificate(cert, privkey)) return [];
  return [
    finder(disk.certName)(
      'cert.key-mismatch',
      'error',
      `privkey.pem in ${disk.dir} is not the private key of cert.pem (serial ${disk.facts.serial}): TLS with this pair fails.`,
      `Restore the matching key from a backup, or re-issue: certdeck issue ${disk.facts.dnsNames.join(' ')} (a new key is generated).`,
    ),
  ];
}

/** fullchain = cert + chain, each certificate signed by the next, none outside its validity. */
export function checkChain(disk: CertificateOnDisk, now: number): Finding[] {
  const f = finder(disk.certName);
  const { cert, chain, fullchain } = disk.files;
  if (cert === undefined || !disk.facts) return [];
  const findings: Finding[] = [];
  const chainBlocks = splitPemBundle(chain ?? '');
  if (chain !== undefined && chainBlocks.length === 0) {
    findings.push(f('chain.empty', 'warning', `chain.pem in ${disk.dir} holds no intermediate certificate.`, 'Clients that do not have the intermediate cannot build a path; re-issue (or download the chain) so the web server sends it.'));
  }
  if (fullchain !== undefined) {
    const blocks = splitPemBundle(fullchain);
    if (blocks[0]?.trim() !== splitPemBundle(cert)[0]?.trim()) {
      findings.push(f('chain.order', 'error', `fullchain.pem in ${disk.dir} does not start with cert.pem: servers send the wrong leaf.`, 'Rebuild it as cert.pem followed by chain.pem, or re-issue.'));
    }
    let parsed: X509Certificate[];
    try {
      parsed = blocks.map((b) => new X509Certificate(b));
    } catch (err) {
      return [...findings, f('chain.unparsable', 'error', `fullchain.pem in ${disk.dir} has a certificate that does not parse (${(err as Error).message}).`, 'Re-issue the certificate.')];
    }
    for (let i = 0; i + 1 < parsed.length; i += 1) {
      const child = parsed[i]!;
      const parent = parsed[i + 1]!;
      if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
        findings.push(
          f(
            'chain.order',
            'error',
            `In fullchain.pem, certificate ${i + 1} (${oneLine(child.subject)}) is not signed by certificate ${i + 2} (${oneLine(parent.subject)}).`,
            'Put the chain in order, leaf first, each followed by its issuer; or re-issue.',
          ),
        );
        break;
      }
    }
    parsed.slice(1).forEach((c) => {
      if (now > c.validToDate.getTime()) {
        findings.push(f('chain.expired', 'error', `The intermediate ${oneLine(c.subject)} in the chain expired on ${c.validToDate.toISOString()}.`, 'Re-issue to get the CA\'s current chain (or pick another with --preferred-chain).'));
      }
    });
  }
  return findings;
}

/** The certificate against meta.json and the stored request: what renewals will ask for must be what is served. */
export function checkAgreement(disk: CertificateOnDisk, journal: Journal | undefined): Finding[] {
  const f = finder(disk.certName);
  const facts = disk.facts;
  if (!facts) return [];
  const findings: Finding[] = [];
  const meta = disk.meta;
  if (meta && Array.isArray(meta.domains)) {
    if (!sameDomainSet(meta.domains, facts.dnsNames)) {
      findings.push(f('cert.meta-names', 'warning', `meta.json lists ${meta.domains.join(', ')} but the certificate covers ${facts.dnsNames.join(', ')}.`, 'The files were changed by hand or by another tool; re-issue to make them agree.'));
    }
    if (meta.notAfter && Date.parse(meta.notAfter) !== facts.notAfter) {
      findings.push(f('cert.meta-dates', 'warning', `meta.json says it expires ${meta.notAfter}, the certificate says ${new Date(facts.notAfter).toISOString()}.`, 'cert.pem was replaced without meta.json; the dashboard shows the wrong date until the next issue.'));
    }
    if (meta.serial && meta.serial.toUpperCase() !== facts.serial) {
      findings.push(f('cert.meta-serial', 'warning', `meta.json names serial ${meta.serial}, cert.pem has ${facts.serial}.`, 'cert.pem was replaced without meta.json; re-issue to make them agree.'));
    }
  }
  if (journal && !sameDomainSet(journal.request.domains, facts.dnsNames)) {
    findings.push(
      f(
        'cert.request-names',
        'warning',
        `The stored request asks for ${journal.request.domains.join(', ')}; the certificate on disk covers ${facts.dnsNames.join(', ')}.`,
        'The next renewal orders the requested names; issue now if the served certificate should already cover them.',
      ),
    );
  }
  return findings;
}

export function checkExpiry(disk: CertificateOnDisk, now: number): Finding[] {
  const f = finder(disk.certName);
  const facts = disk.facts;
  if (!facts) return [];
  const until = new Date(facts.notAfter).toISOString();
  const renew = `certdeck issue ${facts.dnsNames.join(' ')} --name ${disk.certName}`;
  if (now >= facts.notAfter) {
    return [f('cert.expired', 'error', `The certificate expired on ${until} (${Math.floor((now - facts.notAfter) / DAY)} days ago).`, `Renew it now: ${renew}; then check why renewal did not run (cron/timer, the last failure).`)];
  }
  if (now < facts.notBefore) {
    return [f('cert.not-yet-valid', 'error', `The certificate is valid only from ${new Date(facts.notBefore).toISOString()}; this host's clock says ${new Date(now).toISOString()}.`, 'Check the system clock (timedatectl status); clients with a correct clock accept it.')];
  }
  const days = Math.floor((facts.notAfter - now) / DAY);
  const dueAt = new Date(renewalDueAt(facts.notBefore, facts.notAfter)).toISOString();
  if (inRenewalWindow(facts, now)) {
    return [f('cert.renewal-due', 'warning', `The certificate expires ${until} (${days} days left) and has been due for renewal since ${dueAt}.`, `Renew it: ${renew} (cron: add --if-due).`)];
  }
  return [f('cert.valid', 'info', `Valid until ${until} (${days} days left); renewal is due from ${dueAt}.`, 'Nothing to do; a scheduled renewal will pick it up.')];
}

function finder(certName: string) {
  return (id: string, severity: Finding['severity'], seen: string, todo: string): Finding => ({ id, severity, tier: 'offline', certName, seen, todo });
}

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).reverse().join(', ');
}
