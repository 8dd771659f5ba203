import { PasswordInput, TextInput } from '@inkjs/ui';
import { Box, Text } from 'ink';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AccountInfo, CaDirectoryInfo, CaInfo } from '../../../engine/api.js';
import { EXIT_CODES } from '../../../engine/core/errors.js';
import { AuthorizationList } from '../../components/AuthorizationList.js';
import { ChoiceList, type Choice } from '../../components/ChoiceList.js';
import { Frame } from '../../components/Frame.js';
import { Monochrome } from '../../components/Monochrome.js';
import { OrderRow } from '../../components/OrderRow.js';
import { TimelineList } from '../../components/TimelineList.js';
import { useNavigation } from '../../context/navigation-context.js';
import { useSession } from '../../context/session-context.js';
import { useServices } from '../../context/services-context.js';
import { useKeyState } from '../../hooks/use-key-state.js';
import { useNow } from '../../hooks/use-now.js';
import { useOrderKeys } from '../../hooks/use-order-keys.js';
import { useScreenInput } from '../../hooks/use-screen-input.js';
import { useSnapshot } from '../../hooks/use-snapshot.js';
import { useTerminalSize } from '../../hooks/use-terminal-size.js';
import { SYMBOLS } from '../../theme.js';
import { sandboxDnsHookPath } from '../../../sandbox/dns-hook.js';
import { isRunningSandboxCa } from '../../view-model/ca-list.js';
import { EMPTY_TARGET_FORM, TARGET_KINDS, checkTargetForm, targetFields, type TargetFormValues, type TargetTextField } from '../../view-model/deploy-target-form.js';
import { errorText } from '../../view-model/error-text.js';
import { describeOrder } from '../../view-model/order-progress.js';
import {
  CUSTOM_CA,
  SETUP_KEY_TYPES,
  SETUP_STEPS,
  STEP_TITLE,
  STEP_WHY,
  absolutePathError,
  accountsFor,
  cronLine,
  directoryUrlError,
  displayName,
  dnsHookError,
  emailError,
  equivalentCommands,
  namesError,
  parseSetupNames,
  portError,
  rehearsalCertName,
  setupCaOrder,
  stagingOf,
  type SetupPlan,
  type SetupStepId,
} from '../../view-model/setup-plan.js';
import { describeTimelineEntry } from '../../view-model/timeline.js';
import { EMPTY_PREFLIGHT, foldProgress, preflightBlocks, type PreflightState } from './preflight-view.js';
import { addTargets, ensureAccount, issueFollowing } from './run-plan.js';
import { TARGET_LABEL, TARGET_PLACEHOLDER, doneBlocks, reviewBlocks, targetSummary, type RunState } from './plan-text.js';
import { ScrollText, type TextBlock } from './ScrollText.js';

/** Sub-fields within a step (the first of each step is where esc goes back to the previous step). */
type Field =
  | 'names'
  | 'ca'
  | 'url'
  | 'bundle'
  | 'eabKid'
  | 'eabHmac'
  | 'account'
  | 'email'
  | 'tos'
  | 'challenge'
  | 'port'
  | 'webroot'
  | 'dnsHook'
  | 'keyType'
  | 'deploy'
  | 'deployField'
  | 'schedule'
  | 'view';

const FIRST_FIELD: Record<SetupStepId, Field> = {
  names: 'names',
  ca: 'ca',
  preflight: 'view',
  account: 'account',
  challenge: 'challenge',
  keyType: 'keyType',
  deploy: 'deploy',
  schedule: 'schedule',
  review: 'view',
  rehearsal: 'view',
  run: 'view',
  done: 'view',
};

const TEXT_FIELDS = new Set<Field>(['names', 'url', 'bundle', 'eabKid', 'eabHmac', 'email', 'port', 'webroot', 'dnsHook', 'deployField']);

const CHALLENGE_CHOICES: Choice[] = [
  { value: 'http-01-standalone', label: 'standalone', tag: 'certdeck answers HTTP-01 itself on the port (nothing else may hold it)' },
  { value: 'http-01-webroot', label: 'webroot', tag: 'a running web server serves the answer from its document root' },
  { value: 'dns-01', label: 'dns-01', tag: 'a hook publishes a TXT record at _acme-challenge (needed for wildcards)' },
];
const DNS01_AT = 2;

/**
 * The guided setup: from names to an issued, deployed, renewable certificate, one step at a time. Each step says
 * why it asks, checks as you type, and esc goes back one step. Nothing is written until "Run": the account, the
 * deploy targets and the certificate (with its stored request) are then created through the engine, in that order.
 *
 *   Setup · 1/12 Names
 *   The names the certificate will cover; each must point at this machine for HTTP-01.
 *   › Names        example.com, www.example.com_
 *                  ✔ 2 names: example.com, www.example.com
 */
export function SetupScreen() {
  const { engine, clock, validateDomain, theme } = useServices();
  const now = useNow(clock);
  const { nav, dispatch } = useNavigation();
  const session = useSession();
  const snapshot = useSnapshot(engine);
  const { columns } = useTerminalSize();
  const compact = columns < 80;
  const orderKeys = useOrderKeys();
  const home = session.mode.kind === 'dashboard' ? session.mode.home : undefined;
  const onSetupCommands = session.mode.kind === 'dashboard' ? session.mode.onSetupCommands : undefined;
  const scheduler = session.mode.kind === 'dashboard' ? session.mode.renewalScheduler : undefined;
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  // Wildcards are accepted: the challenge step then requires dns-01.
  const dns01 = true;
  const cas = useMemo(() => setupCaOrder(engine.listCas(), isRunningSandboxCa), [engine]);
  const defaults = useMemo(() => engine.issueDefaults(), [engine]);

  const [step, stepRef, setStep] = useKeyState<SetupStepId>('names');
  const [field, fieldRef, setField] = useKeyState<Field>('names');
  const [tried, setTried] = useState(false);
  const [message, setMessage] = useState<string>();
  const [scroll, setScroll] = useState(0);

  // Names
  const [namesText, namesRef, setNamesText] = useKeyState('');
  const names = parseSetupNames(namesText, validateDomain, { dns01 });
  // CA
  const caChoices: Choice[] = useMemo(
    () => [
      ...cas.map((c) => ({
        value: c.id,
        label: c.name,
        ...(isRunningSandboxCa(c) ? { tag: 'local sandbox (running)', tagTone: 'info' as const } : c.staging ? { tag: 'staging: try here first', tagTone: 'ok' as const } : c.eabRequired ? { tag: 'needs EAB credentials', tagTone: 'warn' as const } : {}),
      })),
      { value: CUSTOM_CA, label: 'Other ACME server…', tag: 'a directory URL (private CA, step-ca, Pebble)' },
    ],
    [cas],
  );
  const preferredCa = defaults.ca ? cas.findIndex((c) => c.id === defaults.ca) : -1;
  const [caAt, caAtRef, setCaAt] = useKeyState(preferredCa >= 0 ? preferredCa : 0);
  const [customUrl, customUrlRef, setCustomUrl] = useKeyState('');
  const [bundle, bundleRef, setBundle] = useKeyState('');
  const [eabKid, eabKidRef, setEabKid] = useKeyState('');
  const [eabHmac, eabHmacRef, setEabHmac] = useKeyState('');
  const customCa: CaInfo | undefined = cas[0] ? { ...cas[0], id: CUSTOM_CA, name: 'Custom ACME server', directoryUrl: customUrl.trim(), eabRequired: false, notes: [], staging: false } : undefined;
  const caValue = caChoices[caAt]?.value;
  const ca: CaInfo | undefined = caValue === CUSTOM_CA ? customCa : cas.find((c) => c.id === caValue);
  const staging = ca ? stagingOf(ca, cas) : undefined;
  // Preflight
  const [preflight, setPreflight] = useState<PreflightState>(EMPTY_PREFLIGHT);
  const preflightAbort = useRef<AbortController | undefined>(undefined);
  // Account
  const [accounts, setAccounts] = useState<AccountInfo[]>();
  const [accountAt, accountAtRef, setAccountAt] = useKeyState(0);
  const [email, emailRef, setEmail] = useKeyState(defaults.email ?? '');
  const [terms, setTerms] = useState<{ main?: CaDirectoryInfo; staging?: CaDirectoryInfo; error?: string }>();
  const [agreed, agreedRef, setAgreed] = useKeyState(false);
  const usable = ca ? accountsFor(accounts ?? [], ca) : [];
  const accountChoices: Choice[] = [
    ...usable.map((a) => ({ value: a.id, label: a.email ?? '(no e-mail)', tag: `existing account${a.termsOfService.agreedAt ? `, terms agreed ${a.termsOfService.agreedAt.slice(0, 10)}` : ''}` })),
    { value: 'new', label: 'Create a new account', tag: 'e-mail (optional) and the terms of service' },
  ];
  const newAccount = accountChoices[accountAt]?.value === 'new';
  // Challenge
  const [challengeAt, challengeAtRef, setChallengeAt] = useKeyState(0);
  const [port, portRef, setPort] = useKeyState('');
  const [webroot, webrootRef, setWebroot] = useKeyState('');
  const [dnsHook, dnsHookRef, setDnsHook] = useKeyState('');
  // Key type
  const [keyAt, keyAtRef, setKeyAt] = useKeyState(Math.max(0, SETUP_KEY_TYPES.findIndex((k) => k.value === defaults.keyType)));
  // Deploy
  const [targets, setTargets] = useState<SetupPlan['deploy']>([]);
  const [deployAt, deployAtRef, setDeployAt] = useKeyState(0);
  const [targetForm, targetFormRef, setTargetForm] = useKeyState<TargetFormValues>(EMPTY_TARGET_FORM);
  const [targetFieldAt, targetFieldAtRef, setTargetFieldAt] = useKeyState(0);
  // Schedule: the systemd timer first where it can be installed (systemd runs, certdeck is root), else the cron line.
  const [scheduleAt, scheduleAtRef, setScheduleAt] = useKeyState(0);
  const cron = scheduler?.cronLine ?? cronLine(home);
  const scheduleChoices: Choice[] = [
    ...(scheduler?.timer.available ? [{ value: 'timer', label: 'Install systemd timer', tag: 'certdeck-renew.timer: certdeck renew twice a day' }] : []),
    { value: 'cron', label: 'Show the cron line', tag: 'add it to the crontab of the user that runs certdeck' },
    { value: 'none', label: 'Skip', tag: 'renew by hand: certdeck renew' },
  ];
  // Rehearsal and run
  const [rehearse, setRehearse] = useState<RunState>({ phase: 'idle' });
  const [run, setRun] = useState<RunState>({ phase: 'idle' });

  const plan: SetupPlan | undefined =
    ca && names.names.length > 0
      ? {
          domains: names.names,
          certName: names.names[0]!.replace(/^\*\./, ''),
          ca,
          ...(caValue === CUSTOM_CA && bundle.trim() ? { caBundlePath: bundle.trim() } : {}),
          ...(eabKid.trim() && eabHmac.trim() && (ca.eabRequired || terms?.main?.externalAccountRequired) ? { eab: { kid: eabKid.trim(), hmacKey: eabHmac.trim() } } : {}),
          account: newAccount || !usable[accountAt] ? { kind: 'new', email } : { kind: 'existing', id: usable[accountAt]!.id, ...(usable[accountAt]!.email ? { email: usable[accountAt]!.email } : {}) },
          ...(terms?.main?.termsOfService ? { termsOfService: terms.main.termsOfService } : {}),
          challenge:
            challengeAt === DNS01_AT
              ? { method: 'dns-01', hook: dnsHook.trim() }
              : challengeAt === 1
              ? { method: 'http-01-webroot', webroot: webroot.trim() }
              : { method: 'http-01-standalone', ...(port.trim() ? { port: Number(port.trim()) } : {}) },
          keyType: SETUP_KEY_TYPES[keyAt]?.value ?? 'ec-p256',
          deploy: targets,
          schedule: (scheduleChoices[scheduleAt]?.value ?? 'none') as SetupPlan['schedule'],
          ...(staging ? { rehearseOn: staging } : {}),
        }
      : undefined;
  const planRef = useRef(plan);
  planRef.current = plan;

  const steps = SETUP_STEPS.filter((s) => s !== 'rehearsal' || staging !== undefined);
  const stepNo = steps.indexOf(step) + 1;

  const goTo = (next: SetupStepId) => {
    setStep(next);
    setField(FIRST_FIELD[next]);
    setTried(false);
    setMessage(undefined);
    setScroll(0);
  };
  const nextStep = () => {
    const list = SETUP_STEPS.filter((s) => s !== 'rehearsal' || staging !== undefined);
    const at = list.indexOf(stepRef.current);
    const next = list[at + 1];
    if (next) goTo(next);
  };
  const prevStep = () => {
    const list = SETUP_STEPS.filter((s) => s !== 'rehearsal' || staging !== undefined);
    const at = list.indexOf(stepRef.current);
    if (at <= 0) {
      // Leaving the setup from its first step: back to the dashboard, or out when the setup was the way in.
      if (nav.stack.length > 1) dispatch({ type: 'back' });
      else session.requestQuit(EXIT_CODES.ok);
      return;
    }
    preflightAbort.current?.abort();
    const prev = list[at - 1]!;
    setStep(prev);
    setField(FIRST_FIELD[prev]);
    setTried(false);
    setMessage(undefined);
    setScroll(0);
  };

  // Preflight: runs on entering the step (and on r), streaming each check; nothing goes to the CA.
  const startPreflight = () => {
    const p = planRef.current;
    if (!p) return;
    preflightAbort.current?.abort();
    const abort = new AbortController();
    preflightAbort.current = abort;
    setPreflight(EMPTY_PREFLIGHT);
    void engine
      .preflight({
        domains: p.domains,
        caId: p.ca.id === CUSTOM_CA ? p.ca.directoryUrl : p.ca.id,
        ...(p.challenge.method === 'http-01-standalone' && p.challenge.port ? { httpPort: p.challenge.port } : {}),
        onProgress: (progress) => {
          if (!abort.signal.aborted && mounted.current) setPreflight((s) => foldProgress(s, progress));
        },
        signal: abort.signal,
      })
      .then(
        (report) => {
          if (abort.signal.aborted || !mounted.current) return;
          setPreflight((s) => ({ ...s, report }));
          // The facts choose the challenge: a web server on the port means its webroot, a free port the built-in server.
          const s = report.suggestedChallenge;
          if (p.domains.some((d) => d.startsWith('*.'))) return;
          if (s?.method === 'http-01-webroot') {
            setChallengeAt(1);
            setWebroot(s.webroot);
          } else if (s?.method === 'http-01-standalone') setChallengeAt(0);
        },
        (err: unknown) => {
          if (!abort.signal.aborted && mounted.current) setPreflight((s) => ({ ...s, error: errorText(err) }));
        },
      );
  };
  useEffect(() => {
    if (step === 'preflight') startPreflight();
    return undefined;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [step]);
  useEffect(() => () => preflightAbort.current?.abort(), []);

  // Entering the challenge step: a wildcard leaves only dns-01, and the local sandbox's ready hook is preselected.
  useEffect(() => {
    if (step !== 'challenge') return;
    const p = planRef.current;
    if (p?.domains.some((d) => d.startsWith('*.'))) setChallengeAt(DNS01_AT);
    if (dnsHookRef.current.trim() === '' && p && isRunningSandboxCa(p.ca)) setDnsHook(sandboxDnsHookPath());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [step]);

  // Account: the CA's accounts and its terms of service (read from its directory: nothing is registered).
  const loadAccountFacts = () => {
    const p = planRef.current;
    if (!p) return;
    setTerms(undefined);
    void engine.listAccounts().then(
      (list) => mounted.current && setAccounts(list),
      () => mounted.current && setAccounts([]),
    );
    const caArg = p.ca.id === CUSTOM_CA ? p.ca.directoryUrl : p.ca.id;
    void Promise.all([
      engine.readCaDirectory(caArg, p.caBundlePath ? { caBundlePath: p.caBundlePath } : {}),
      p.rehearseOn ? engine.readCaDirectory(p.rehearseOn.id).catch(() => undefined) : Promise.resolve(undefined),
    ]).then(
      ([main, stagingDir]) => mounted.current && setTerms({ main, ...(stagingDir ? { staging: stagingDir } : {}) }),
      (err: unknown) => mounted.current && setTerms({ error: errorText(err) }),
    );
  };
  useEffect(() => {
    if (step === 'account') {
      setAgreed(false);
      setAccountAt(0);
      loadAccountFacts();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [step]);

  const follow = (set: (f: (r: RunState) => RunState) => void) => ({
    onStatus: (status: string) => mounted.current && set((r) => ({ phase: 'working', status, ...(r.phase !== 'idle' && r.orderId ? { orderId: r.orderId } : {}) })),
    onOrder: (orderId: string) => mounted.current && set((r) => (r.phase === 'working' ? { ...r, orderId } : r)),
  });
  const startRehearsal = () => {
    const p = planRef.current;
    if (!p?.rehearseOn) return;
    const stagingCa = p.rehearseOn;
    setRehearse({ phase: 'working', status: 'Starting…' });
    const cb = follow(setRehearse);
    void (async () => {
      try {
        await ensureAccount(engine, { ...p, account: p.account.kind === 'new' ? p.account : { kind: 'new', email: p.account.email ?? '' } }, stagingCa, cb);
        const outcome = await issueFollowing(engine, p, stagingCa, cb);
        if (!mounted.current) return;
        setRehearse((r) => (outcome.ok ? { phase: 'ok', outcome, warnings: [], ...(r.phase !== 'idle' && r.orderId ? { orderId: r.orderId } : {}) } : { phase: 'failed', status: 'The rehearsal failed.', error: outcome.error?.message ?? 'the order failed', ...(r.phase !== 'idle' && r.orderId ? { orderId: r.orderId } : {}) }));
      } catch (err) {
        if (mounted.current) setRehearse({ phase: 'failed', status: 'The rehearsal could not start.', error: errorText(err) });
      }
    })();
  };
  const startRun = () => {
    const p = planRef.current;
    if (!p) return;
    setRun({ phase: 'working', status: 'Starting…' });
    const cb = follow(setRun);
    void (async () => {
      try {
        await ensureAccount(engine, p, p.ca, cb);
        const warnings = await addTargets(engine, p, cb);
        const outcome = await issueFollowing(engine, p, p.ca, cb);
        // The timer only once there is a certificate to renew; a failed install is reported, the certificate kept.
        let timer: { ok: boolean; lines: string[] } | undefined;
        if (outcome.ok && p.schedule === 'timer' && scheduler) {
          cb.onStatus('Installing the systemd timer certdeck-renew.timer…');
          timer = await scheduler.installTimer().catch((err: unknown) => ({ ok: false, lines: [errorText(err)] }));
        }
        if (!mounted.current) return;
        setRun((r) => {
          const orderId = r.phase !== 'idle' ? r.orderId : undefined;
          return outcome.ok ? { phase: 'ok', outcome, warnings, ...(timer ? { timer } : {}), ...(orderId ? { orderId } : {}) } : { phase: 'failed', status: 'The order failed.', error: [outcome.error?.message, outcome.error?.hint].filter(Boolean).join(' '), ...(orderId ? { orderId } : {}) };
        });
      } catch (err) {
        if (mounted.current) setRun((r) => ({ phase: 'failed', status: 'Could not start the order.', error: errorText(err), ...(r.phase !== 'idle' && r.orderId ? { orderId: r.orderId } : {}) }));
      }
    })();
  };
  useEffect(() => {
    if (step === 'review' && planRef.current) onSetupCommands?.(equivalentCommands(planRef.current));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [step]);
  useEffect(() => {
    if (step === 'run' && run.phase === 'idle') startRun();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [step]);
  useEffect(() => {
    if (run.phase === 'ok' && step === 'run') goTo('done');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run.phase]);

  /** What is wrong with a field's current value (read from the refs: keys can outrun renders), if anything. */
  const errorOf = (f: Field): string | undefined => {
    switch (f) {
      case 'names':
        return namesError(parseSetupNames(namesRef.current, validateDomain, { dns01 }));
      case 'url':
        return directoryUrlError(customUrlRef.current);
      case 'bundle':
        return absolutePathError(bundleRef.current, { optional: true, example: '/etc/ssl/my-ca.pem' });
      case 'eabHmac': {
        const kid = eabKidRef.current.trim();
        const hmac = eabHmacRef.current.trim();
        if ((kid === '') !== (hmac === '')) return "give both the EAB key id and the HMAC key (from the CA's dashboard)";
        return kid === '' ? 'this CA requires External Account Binding: enter the key id and HMAC key from its dashboard' : undefined;
      }
      case 'email':
        return emailError(emailRef.current);
      case 'port':
        return portError(portRef.current);
      case 'webroot':
        return absolutePathError(webrootRef.current, { optional: false, example: '/var/www/html' });
      case 'dnsHook':
        return dnsHookError(dnsHookRef.current);
      default:
        return undefined;
    }
  };
  /** Checks the current field; returns false (and marks it, so its message follows the typing) when it may not be left. */
  const validateField = (f: Field): boolean => {
    if (errorOf(f) === undefined) return true;
    setTried(true);
    setMessage(undefined);
    return false;
  };

  const advance = () => {
    const f = fieldRef.current;
    if (!validateField(f)) return;
    setTried(false);
    setMessage(undefined);
    const current = stepRef.current;
    switch (current) {
      case 'names':
        return nextStep();
      case 'ca': {
        const value = caChoices[caAtRef.current]?.value;
        const chosen = value === CUSTOM_CA ? customCa : cas.find((c) => c.id === value);
        if (f === 'ca' && value === CUSTOM_CA) return setField('url');
        if (f === 'url') return setField('bundle');
        if ((f === 'ca' || f === 'bundle') && chosen?.eabRequired) return setField('eabKid');
        if (f === 'eabKid') return setField('eabHmac');
        return nextStep();
      }
      case 'preflight': {
        if (!preflight.report) return setMessage('the checks are still running');
        if (preflight.report.blocking) return setMessage('a check above blocks: fix it and press r, or esc to change the names or CA');
        return nextStep();
      }
      case 'account': {
        if (f === 'account') {
          if (accountChoices[accountAtRef.current]?.value !== 'new') return nextStep();
          return setField('email');
        }
        if (f === 'email') return setField('tos');
        if (f === 'tos') {
          if (!agreedRef.current) return setMessage('press a to agree to the terms of service (nothing is registered until the review is done)');
          return nextStep();
        }
        return;
      }
      case 'challenge':
        if (f === 'challenge') {
          if (challengeAtRef.current !== DNS01_AT && planRef.current?.domains.some((d) => d.startsWith('*.'))) {
            return setMessage('a wildcard can only be proven with dns-01: choose dns-01, or esc back to the names');
          }
          return setField(challengeAtRef.current === DNS01_AT ? 'dnsHook' : challengeAtRef.current === 1 ? 'webroot' : 'port');
        }
        return nextStep();
      case 'keyType':
        return nextStep();
      case 'deploy': {
        if (f === 'deploy') {
          const choice = deployAtRef.current;
          if (choice === 0) return nextStep();
          const kind = TARGET_KINDS[choice - 1]!.value;
          setTargetForm({ ...EMPTY_TARGET_FORM, kind });
          setTargetFieldAt(1);
          return setField('deployField');
        }
        // deployField: next text field of the kind, then add
        const form = targetFormRef.current;
        const list = targetFields(form.kind).filter((x) => x !== 'kind' && x !== 'submit' && x !== 'id');
        if (targetFieldAtRef.current < list.length) return setTargetFieldAt(targetFieldAtRef.current + 1);
        const check = checkTargetForm(form);
        if (!check.input) {
          const first = Object.values(check.errors)[0];
          setTried(true);
          setTargetFieldAt(1 + Math.max(0, list.findIndex((x) => check.errors[x as TargetTextField] !== undefined)));
          return first ? undefined : setMessage('fix the field');
        }
        const id = `${check.input.kind}-${targets.filter((t) => t.kind === check.input!.kind).length + 1}`;
        setTargets((t) => [...t, { ...check.input!, id }]);
        setDeployAt(0);
        return setField('deploy');
      }
      case 'schedule':
        return nextStep();
      case 'review':
        return nextStep();
      case 'rehearsal':
        if (rehearse.phase === 'idle' || rehearse.phase === 'failed') return startRehearsal();
        if (rehearse.phase === 'ok') return nextStep();
        return;
      case 'run':
        if (run.phase === 'failed') return startRun();
        return;
      case 'done':
        dispatch({ type: 'home' });
        return;
    }
  };

  const back = () => {
    const f = fieldRef.current;
    setTried(false);
    setMessage(undefined);
    if (stepRef.current === 'done') return dispatch({ type: 'home' });
    if (stepRef.current === 'run') {
      // After a failure, back to the review to change what failed (a refused deploy target, the challenge ...);
      // a running order is left with q (suspend) or c (cancel), not with esc.
      if (run.phase === 'failed') {
        setRun({ phase: 'idle' });
        goTo('review');
      }
      return;
    }
    if (stepRef.current === 'rehearsal' && rehearse.phase === 'working') return;
    switch (f) {
      case 'url':
        return setField('ca');
      case 'bundle':
        return setField('url');
      case 'eabKid':
        return setField(caValue === CUSTOM_CA ? 'bundle' : 'ca');
      case 'eabHmac':
        return setField('eabKid');
      case 'email':
        return setField('account');
      case 'tos':
        return setField('email');
      case 'port':
      case 'webroot':
      case 'dnsHook':
        return setField('challenge');
      case 'deployField':
        return setField('deploy');
      default:
        return prevStep();
    }
  };

  const moveChoice = (delta: number) => {
    const f = fieldRef.current;
    const clamp = (n: number, len: number) => Math.min(len - 1, Math.max(0, n));
    if (f === 'ca') setCaAt(clamp(caAtRef.current + delta, caChoices.length));
    else if (f === 'account') setAccountAt(clamp(accountAtRef.current + delta, accountChoices.length));
    else if (f === 'challenge') setChallengeAt(clamp(challengeAtRef.current + delta, CHALLENGE_CHOICES.length));
    else if (f === 'keyType') setKeyAt(clamp(keyAtRef.current + delta, SETUP_KEY_TYPES.length));
    else if (f === 'deploy') setDeployAt(clamp(deployAtRef.current + delta, TARGET_KINDS.length + 1));
    else if (f === 'schedule') setScheduleAt(clamp(scheduleAtRef.current + delta, scheduleChoices.length));
    else setScroll((s) => Math.max(0, s + delta));
  };

  const currentOrder = (): string | undefined => {
    const r = stepRef.current === 'rehearsal' ? rehearse : run;
    return r.phase !== 'idle' ? r.orderId : undefined;
  };

  useScreenInput((input, key) => {
    const f = fieldRef.current;
    if (key.escape) return back();
    if (key.return) return advance();
    if (TEXT_FIELDS.has(f)) {
      if (key.tab && !key.shift) advance();
      else if (key.tab && key.shift) back();
      return;
    }
    if (key.downArrow || input === 'j') return moveChoice(1);
    if (key.upArrow || input === 'k') return moveChoice(-1);
    if (key.pageDown) return setScroll((s) => s + 5);
    if (key.pageUp) return setScroll((s) => Math.max(0, s - 5));
    if (key.tab) return key.shift ? back() : advance();
    if (f === 'tos' && input === 'a') {
      setAgreed(true);
      setMessage(undefined);
      return;
    }
    if (stepRef.current === 'preflight' && input === 'r') return startPreflight();
    if (stepRef.current === 'rehearsal' && input === 's' && rehearse.phase !== 'working') return nextStep();
    if (f === 'deploy' && input === 'x' && targets.length > 0) return setTargets((t) => t.slice(0, -1));
    if (input === 'q') return session.requestQuit(EXIT_CODES.ok);
    if (input === '?') return dispatch({ type: 'overlay', overlay: { kind: 'help' } });
    const orderId = currentOrder();
    if (orderId && (stepRef.current === 'run' || stepRef.current === 'rehearsal')) orderKeys(input, snapshot.orders[orderId]);
  }, step !== 'done' || nav.overlay === undefined);

  const textInput = (id: Field, value: string, placeholder: string, onChange: (v: string) => void) =>
    field === id ? (
      <Monochrome>
        <TextInput key={`${step}-${id}`} defaultValue={value} placeholder={placeholder} onChange={onChange} />
      </Monochrome>
    ) : (
      <Text {...(value ? {} : theme.tone('muted'))} wrap="truncate-end">
        {value || placeholder}
      </Text>
    );
  const row = (label: string, id: Field | Field[], body: ReactNode) => {
    const focused = Array.isArray(id) ? id.includes(field) : field === id;
    return (
      <Box>
        <Box width={2} flexShrink={0}>
          <Text {...theme.tone('accent')}>{focused ? SYMBOLS.cursor : ' '}</Text>
        </Box>
        <Box width={compact ? 10 : 14} flexShrink={0}>
          <Text {...(focused ? theme.tone('selected') : theme.tone('muted'))} wrap="truncate-end">
            {label}
          </Text>
        </Box>
        <Box flexGrow={1} flexShrink={1} flexDirection="column">
          {body}
        </Box>
      </Box>
    );
  };
  const choices = (list: readonly Choice[], at: number, visible: number, labelWidth: number) => <ChoiceList choices={list} focus={at} visible={visible} labelWidth={labelWidth} />;

  const liveOrder = (r: RunState, rows: number) => {
    const id = r.phase !== 'idle' ? r.orderId : undefined;
    const order = id ? snapshot.orders[id] : undefined;
    const out: ReactNode[] = [];
    if (r.phase === 'working') out.push(<Text key="status" {...theme.tone('info')} wrap="wrap">{r.status}</Text>);
    if (order) {
      const progress = describeOrder(order, now);
      out.push(<OrderRow key="row" order={order} progress={progress} selected wide={!compact} />);
      out.push(<AuthorizationList key="authz" authorizations={order.authorizations} />);
      const lines = order.timeline.map(describeTimelineEntry);
      const room = Math.max(0, rows - 6 - order.authorizations.length);
      if (room > 0) out.push(<TimelineList key="tl" lines={lines.slice(Math.max(0, lines.length - room))} />);
    }
    if (r.phase === 'failed') {
      out.push(<Text key="err" {...theme.tone('bad')} wrap="wrap">{`${SYMBOLS.bad} ${r.status} ${r.error}`}</Text>);
    }
    return <Box flexDirection="column">{out}</Box>;
  };

  const body = (rows: number, width: number): ReactNode => {
    const textRows = Math.max(3, rows - 2);
    switch (step) {
      case 'names':
        return (
          <Box flexDirection="column">
            {row('Names', 'names', textInput('names', namesText, 'example.com, www.example.com', setNamesText))}
            <Box flexDirection="column" paddingLeft={compact ? 12 : 16}>
              {names.names.length > 0 && names.problems.length === 0 ? (
                <Text {...theme.tone('ok')} wrap="wrap">{`${SYMBOLS.ok} ${names.names.length} name${names.names.length === 1 ? '' : 's'}: ${names.names.map(displayName).join(', ')}`}</Text>
              ) : null}
              {names.problems.slice(0, 3).map((p, i) => (
                <Text key={i} {...theme.tone('bad')} wrap="wrap">{`${SYMBOLS.bad} ${p.raw}: ${p.reason}`}</Text>
              ))}
              {names.idn.length > 0 ? <Text {...theme.tone('muted')} wrap="wrap">{`IDN: ${names.idn.map((n) => `${n.unicode} is ${n.ascii} in DNS and in the certificate`).join('; ')}`}</Text> : null}
              <Text {...theme.tone('muted')} wrap="wrap">
                {compact ? 'Wildcards (*.example.com) need dns-01.' : 'A wildcard (*.example.com) needs dns-01, a TXT record at _acme-challenge that a hook publishes; the challenge step asks for it.'}
              </Text>
            </Box>
          </Box>
        );
      case 'ca':
        return (
          <Box flexDirection="column">
            {row('CA', 'ca', field === 'ca' ? choices(caChoices, caAt, Math.max(2, Math.min(7, rows - 5)), compact ? 22 : 30) : <Text wrap="truncate-end">{caChoices[caAt]?.label}</Text>)}
            {field === 'ca' && ca ? (
              <Box paddingLeft={compact ? 12 : 16} flexDirection="column">
                {(ca.id === CUSTOM_CA ? ['Any RFC 8555 server by its directory URL; give its CA bundle if it is not publicly trusted.'] : ca.notes.slice(0, compact ? 1 : 3)).map((n, i) => (
                  <Text key={i} {...theme.tone('muted')} wrap="wrap">
                    {n}
                  </Text>
                ))}
                {!ca.staging && staging ? <Text {...theme.tone('ok')} wrap="wrap">{`The setup rehearses on ${staging.name} first (its rate limits are far higher; the certificate is not trusted).`}</Text> : null}
              </Box>
            ) : null}
            {caValue === CUSTOM_CA ? (
              <>
                {row('Directory', 'url', textInput('url', customUrl, 'https://acme.example.net/directory', setCustomUrl))}
                {row('CA bundle', 'bundle', textInput('bundle', bundle, 'optional: /etc/ssl/my-ca.pem', setBundle))}
              </>
            ) : null}
            {ca?.eabRequired ? (
              <>
                {row('EAB key id', 'eabKid', textInput('eabKid', eabKid, "from the CA's dashboard", setEabKid))}
                {row('EAB HMAC', 'eabHmac', field === 'eabHmac' ? (
                  <Monochrome>
                    <PasswordInput placeholder={eabHmac ? 'set; typing replaces it' : 'hidden as you type'} onChange={setEabHmac} />
                  </Monochrome>
                ) : (
                  <Text {...theme.tone('muted')}>{eabHmac ? 'set (hidden)' : 'not set'}</Text>
                ))}
              </>
            ) : null}
          </Box>
        );
      case 'preflight':
        return <ScrollText blocks={preflightBlocks(preflight)} width={width} height={textRows} offset={scroll} />;
      case 'account': {
        const blocks: TextBlock[] = [];
        if (field === 'tos') {
          if (!terms) blocks.push({ text: `Reading the terms of service from ${ca?.name ?? 'the CA'}'s directory…`, tone: 'info' });
          else if (terms.error) blocks.push({ text: `${SYMBOLS.bad} Could not read the CA's directory: ${terms.error}`, tone: 'bad' }, { text: 'esc goes back; check the CA (URL, bundle) and try again.' });
          else {
            blocks.push({ text: `${terms.main?.caName ?? ca?.name} asks you to agree to its terms of service:` });
            blocks.push({ text: terms.main?.termsOfService ?? '(the CA publishes no terms of service URL)', tone: 'accent', indent: 2 });
            if (terms.staging?.termsOfService && terms.staging.termsOfService !== terms.main?.termsOfService) {
              blocks.push({ text: `and, for the rehearsal, ${terms.staging.caName}'s:` }, { text: terms.staging.termsOfService, tone: 'accent', indent: 2 });
            }
            blocks.push({ text: agreed ? `${SYMBOLS.ok} Agreed. The account is created after the review, when the setup runs. Press enter.` : 'Read them, then press a to agree. Nothing is registered before you agree.', tone: agreed ? 'ok' : 'info' });
          }
          return <ScrollText blocks={blocks} width={width} height={textRows} offset={scroll} />;
        }
        return (
          <Box flexDirection="column">
            {accounts === undefined ? <Text {...theme.tone('info')}>Reading the accounts…</Text> : row('Account', 'account', field === 'account' ? choices(accountChoices, accountAt, Math.max(2, Math.min(5, rows - 4)), compact ? 20 : 28) : <Text wrap="truncate-end">{accountChoices[accountAt]?.label}</Text>)}
            {newAccount ? row('E-mail', 'email', textInput('email', email, 'optional: you@example.com (expiry notices)', setEmail)) : null}
          </Box>
        );
      }
      case 'challenge':
        return (
          <Box flexDirection="column">
            {row('Challenge', 'challenge', field === 'challenge' ? choices(CHALLENGE_CHOICES, challengeAt, 2, 12) : <Text>{CHALLENGE_CHOICES[challengeAt]?.label}</Text>)}
            {challengeAt === 0
              ? row('Port', 'port', textInput('port', port, ca && isRunningSandboxCa(ca) ? "empty: the sandbox's validation port" : 'empty: 80', setPort))
              : challengeAt === 1
                ? row('Webroot', 'webroot', textInput('webroot', webroot, '/var/www/html', setWebroot))
                : row('DNS hook', 'dnsHook', textInput('dnsHook', dnsHook, '/usr/local/bin/dns-hook (run as HOOK present|cleanup FQDN VALUE)', setDnsHook))}
            {preflight.report?.suggestionReason ? <Text {...theme.tone('muted')} wrap="wrap">{`Preselected from the preflight: ${preflight.report.suggestionReason}.`}</Text> : null}
            <Text {...theme.tone('muted')} wrap="wrap">
              {names.wildcards.length > 0
                ? `${names.wildcards.join(', ')} ${names.wildcards.length === 1 ? 'is a wildcard' : 'are wildcards'}: only dns-01 can prove ${names.wildcards.length === 1 ? 'it' : 'them'}.`
                : compact
                  ? 'dns-01: a hook (lego exec style) publishes the TXT record.'
                  : "dns-01: a hook in lego's exec style (HOOK present|cleanup FQDN VALUE) publishes the TXT record; no port needed."}
            </Text>
          </Box>
        );
      case 'keyType':
        return row('Key type', 'keyType', choices(SETUP_KEY_TYPES, keyAt, Math.max(2, Math.min(5, rows - 2)), 10));
      case 'deploy': {
        const deployChoices: Choice[] = [{ value: 'continue', label: targets.length ? `Continue with ${targets.length} target(s)` : 'No deploy, continue', tag: 'x removes the last target' }, ...TARGET_KINDS.map((k) => ({ value: k.value, label: `Add ${k.label}`, tag: k.tag }))];
        const list = targetFields(targetForm.kind).filter((x): x is TargetTextField => x !== 'kind' && x !== 'submit' && x !== 'id');
        const check = checkTargetForm(targetForm);
        return (
          <Box flexDirection="column">
            {targets.map((t, i) => (
              <Text key={i} {...theme.tone('ok')} wrap="truncate-end">{`${SYMBOLS.ok} ${t.id}: ${targetSummary(t)}`}</Text>
            ))}
            {field === 'deploy'
              ? row('Deploy', 'deploy', choices(deployChoices, deployAt, Math.max(2, Math.min(5, rows - 2 - targets.length)), compact ? 18 : 26))
              : list.map((name, i) =>
                  row(TARGET_LABEL[name], i + 1 === targetFieldAt ? 'deployField' : 'view', i + 1 === targetFieldAt ? (
                    <Monochrome>
                      <TextInput key={`${targetForm.kind}-${name}`} defaultValue={targetForm[name]} placeholder={TARGET_PLACEHOLDER[name]} onChange={(v) => setTargetForm({ ...targetFormRef.current, [name]: v })} />
                    </Monochrome>
                  ) : (
                    <Text {...(targetForm[name] ? {} : theme.tone('muted'))} wrap="truncate-end">
                      {targetForm[name] || TARGET_PLACEHOLDER[name]}
                    </Text>
                  )),
                )}
            {field === 'deployField' && tried && check.errors[list[targetFieldAt - 1]!] ? <Text {...theme.tone('bad')} wrap="wrap">{`${SYMBOLS.bad} ${check.errors[list[targetFieldAt - 1]!]}`}</Text> : null}
          </Box>
        );
      }
      case 'schedule': {
        return (
          <Box flexDirection="column">
            {row('Schedule', 'schedule', choices(scheduleChoices, scheduleAt, Math.min(scheduleChoices.length, Math.max(2, rows - 4)), compact ? 18 : 26))}
            {scheduleChoices[scheduleAt]?.value === 'timer' ? (
              <ScrollText blocks={[{ text: `Written to ${scheduler?.timer.available ? scheduler.timer.unitDir : 'the unit directory'} and enabled after the certificate is issued, as certdeck schedule install does; certdeck renew renews only what is due, so the CA is not asked otherwise.`, tone: 'muted' }]} width={width} height={Math.max(2, rows - 6)} offset={0} />
            ) : scheduleChoices[scheduleAt]?.value === 'cron' ? (
              <ScrollText
                blocks={[
                  { text: `${scheduler && !scheduler.timer.available ? `No systemd timer: ${scheduler.timer.why}. ` : ''}Twice a day; renews only when due (the last third of the lifetime), so the CA is not asked otherwise:`, tone: 'muted' },
                  { text: cron, tone: 'accent' },
                ]}
                width={width}
                height={Math.max(2, rows - 6)}
                offset={0}
              />
            ) : null}
          </Box>
        );
      }
      case 'review':
        return <ScrollText blocks={plan ? reviewBlocks(plan) : []} width={width} height={textRows} offset={scroll} />;
      case 'rehearsal': {
        if (rehearse.phase === 'idle') {
          return <ScrollText blocks={[{ text: `Issue from ${staging?.name ?? 'staging'} first, as ${plan ? rehearsalCertName(plan.certName) : ''}? It proves DNS, the port and the account work; its certificate is not trusted and is not deployed.` }, { text: 'enter rehearse · s skip to the real CA', tone: 'info' }]} width={width} height={textRows} offset={0} />;
        }
        return (
          <Box flexDirection="column">
            {liveOrder(rehearse, rows - 2)}
            {rehearse.phase === 'ok' ? <Text {...theme.tone('ok')} wrap="wrap">{`${SYMBOLS.ok} The rehearsal at ${staging?.name} issued. Press enter to order from ${ca?.name} for real.`}</Text> : null}
            {rehearse.phase === 'failed' ? <Text {...theme.tone('info')} wrap="wrap">enter tries again · esc back to the review · s skip it</Text> : null}
          </Box>
        );
      }
      case 'run':
        return (
          <Box flexDirection="column">
            {liveOrder(run, rows - 1)}
            {run.phase === 'failed' ? <Text {...theme.tone('info')} wrap="wrap">enter tries again · esc back to the review to change the plan (an account already created stays)</Text> : null}
          </Box>
        );
      case 'done':
        return <ScrollText blocks={plan && run.phase === 'ok' ? doneBlocks(plan, run, snapshot, cron) : []} width={width} height={textRows} offset={scroll} />;
    }
  };

  // Once a field was refused, its message follows the typing: it goes away as soon as the value is good.
  const liveError = tried && TEXT_FIELDS.has(field) && field !== 'deployField' ? errorOf(field) : undefined;
  const hints = [
    { key: 'enter', label: step === 'done' ? 'dashboard' : compact ? 'next' : 'next / confirm' },
    { key: 'esc', label: step === 'names' ? (compact ? 'leave' : 'leave the setup') : 'back' },
    { key: '↑↓', label: compact ? 'move' : 'choose / scroll', enabled: !TEXT_FIELDS.has(field) },
    { key: 'a', label: 'agree', enabled: field === 'tos' && !agreed },
    { key: 'r', label: 'check again', enabled: step === 'preflight' },
    { key: 's', label: 'skip', enabled: step === 'rehearsal' },
    { key: 'c', label: 'cancel order', enabled: (step === 'run' && run.phase === 'working') || (step === 'rehearsal' && rehearse.phase === 'working') },
    { key: 'q', label: 'quit', enabled: !TEXT_FIELDS.has(field) },
    { key: 'ctrl+c', label: 'quit', enabled: TEXT_FIELDS.has(field) && !compact },
  ];
  return (
    <Frame title={`Setup · ${stepNo}/${steps.length} ${STEP_TITLE[step]}`} now={now} hints={hints}>
      {(rows, width) => (
        <Box flexDirection="column">
          <Text {...theme.tone('muted')} wrap={compact ? 'truncate-end' : 'wrap'}>
            {STEP_WHY[step]}
          </Text>
          {body(rows - (compact ? 2 : 3), width)}
          {liveError ? (
            <Text {...theme.tone('bad')} wrap="wrap">
              {`${SYMBOLS.bad} ${liveError}`}
            </Text>
          ) : message ? (
            <Text {...theme.tone(tried ? 'bad' : 'info')} wrap="wrap">
              {`${tried ? SYMBOLS.bad : SYMBOLS.dot} ${message}`}
            </Text>
          ) : null}
        </Box>
      )}
    </Frame>
  );
}

