import { PasswordInput, TextInput } from '@inkjs/ui';
import { Box, Text } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { caChoice } from '../components/CaPicker.js';
import { ChoiceList, type Choice } from '../components/ChoiceList.js';
import { FormField } from '../components/FormField.js';
import { Frame } from '../components/Frame.js';
import { Monochrome } from '../components/Monochrome.js';
import { NameProblems } from '../components/NameProblems.js';
import { useNavigation } from '../context/navigation-context.js';
import { useServices } from '../context/services-context.js';
import { useNow } from '../hooks/use-now.js';
import { useScreenInput } from '../hooks/use-screen-input.js';
import { casInPickerOrder } from '../view-model/ca-list.js';
import { choiceLabelWidth } from '../view-model/columns.js';
import { KEY_TYPES, challengeChoices, checkIssueForm, initialFormValues, parseNames, type IssueFormValues, type RenewTarget } from '../view-model/issue-form.js';
import { namesSummary } from '../view-model/text.js';
import { useKeyState } from '../hooks/use-key-state.js';
import { SYMBOLS } from '../theme.js';
import { errorText } from '../view-model/error-text.js';
import { accountsFor, emailError } from '../view-model/setup-plan.js';
import type { IssueRequest } from '../../engine/api.js';

type FieldId = 'names' | 'ca' | 'eabKid' | 'eabHmacKey' | 'keyType' | 'challenge' | 'webroot' | 'email' | 'agree' | 'submit';
type ChoiceField = 'ca' | 'keyType' | 'challenge';

const TEXT_FIELDS = new Set<FieldId>(['names', 'eabKid', 'eabHmacKey', 'webroot', 'email']);

/**
 * The new-order form. Names are checked as they are typed, each bad one with its reason; the CA list marks the
 * ones that need EAB; the focused choice field opens, the others show their value. Submitting calls engine.issue
 * and goes back to the dashboard, where the order appears.
 *
 *   New certificate
 *   › Names        example.com, www.example.com_
 *                  ✔ 2 names: example.com, www.example.com
 *     CA           Let's Encrypt
 *     Key type     ec-p256
 *     Challenge    standalone http-01
 *     [ Request certificate ]
 */
export function IssueFormScreen({ renew }: { renew?: RenewTarget } = {}) {
  const { engine, clock, validateDomain, theme } = useServices();
  const now = useNow(clock);
  const { dispatch } = useNavigation();
  // A running sandbox's CAs come first, so they are the default when the settings name none.
  const cas = useMemo(() => casInPickerOrder(engine.listCas()), [engine]);
  // The settings' defaults (or, for a renew, the certificate's stored request) are the engine's: the form starts there.
  const [values, setValues] = useState<IssueFormValues>(() => initialFormValues(cas, engine.issueDefaults(), renew));
  // A renew starts from what obtained the certificate (its stored request: CA, key type, challenge), read without
  // holding the form up; once the operator has changed a field, their choice stands.
  const touched = useRef(false);
  useEffect(() => {
    if (!renew || renew.stored) return;
    let live = true;
    void engine
      .storedRequest(renew.certName)
      .catch(() => undefined) // unreadable: the engine reports it when the order runs
      .then((stored) => {
        if (live && stored && !touched.current) setValues(initialFormValues(cas, engine.issueDefaults(), { ...renew, stored }));
      });
    return () => {
      live = false;
    };
  }, [engine, renew, cas]);
  // The chosen CA's profiles (its directory's meta.profiles), read in the background; none shown until known.
  const [profiles, setProfiles] = useState<{ ca: string; list: Array<{ name: string; description: string }> }>({ ca: '', list: [] });
  useEffect(() => {
    if (!engine.caProfiles || values.ca === '') return;
    let live = true;
    const ca = values.ca;
    void engine
      .caProfiles(ca)
      .catch(() => [])
      .then((list) => {
        if (live) setProfiles({ ca, list });
      });
    return () => {
      live = false;
    };
  }, [engine, values.ca]);
  const [focus, focusRef, setFocus] = useKeyState<FieldId>('names');
  const [tried, setTried] = useState(false);
  // A CA this home has no account at needs one before any order: an e-mail and the CA's terms, agreed here, so no
  // order from the dashboard ends in "requires agreeing to its terms of service". Set once a submit found none.
  const [account, setAccount] = useState<{ caId: string; tos?: string; tosError?: string }>();
  const [email, emailRef, setEmail] = useKeyState(engine.issueDefaults().email ?? '');
  const [agreed, agreedRef, setAgreed] = useKeyState(false);
  const checking = useRef(false);

  const ca = cas.find((c) => c.id === values.ca);
  const eabRequired = ca?.eabRequired ?? false;
  const fields: FieldId[] = [
    'names',
    'ca',
    ...(eabRequired ? (['eabKid', 'eabHmacKey'] as const) : []),
    'keyType',
    'challenge',
    ...(values.challenge === 'http-01-webroot' ? (['webroot'] as const) : []),
    ...(account && account.caId === values.ca ? (['email', 'agree'] as const) : []),
    'submit',
  ];
  const check = checkIssueForm(values, validateDomain, eabRequired);
  const parsed = parseNames(values.names, validateDomain);

  const choices: Record<ChoiceField, Choice[]> = {
    ca: cas.map(caChoice),
    keyType: KEY_TYPES.map((k) => ({ value: k.value, label: k.value, tag: k.label.slice(k.value.length).replace(/^ \((.*)\)$/, '$1') })),
    challenge: challengeChoices(ca),
  };

  const set = useCallback(<K extends keyof IssueFormValues>(field: K, value: IssueFormValues[K]) => {
    setValues((v) => {
      if (v[field] !== value) touched.current = true;
      return { ...v, [field]: value };
    });
  }, []);
  // @inkjs/ui inputs call onChange from an effect that depends on it: the handlers must keep their identity.
  const onText = useMemo(
    () => ({
      names: (v: string) => set('names', v),
      eabKid: (v: string) => set('eabKid', v),
      eabHmacKey: (v: string) => set('eabHmacKey', v),
      webroot: (v: string) => set('webroot', v),
    }),
    [set],
  );
  const move = (step: number) => {
    const current = focusRef.current;
    setFocus(fields[Math.min(fields.length - 1, Math.max(0, fields.indexOf(current) + step))] ?? current);
  };
  /** Moves a choice field's value up or down its list (the value follows the cursor, like radio buttons). */
  const shift = (field: ChoiceField, step: number) => {
    touched.current = true;
    setValues((v) => {
      const list = choices[field];
      const at = list.findIndex((c) => c.value === v[field]);
      const next = list[Math.min(list.length - 1, Math.max(0, at + step))];
      return next ? { ...v, [field]: next.value } : v;
    });
  };

  const submit = () => {
    setTried(true);
    if (!check.request) {
      const first = (['names', 'ca', 'eab', 'webroot'] as const).find((f) => check.errors[f] !== undefined);
      setFocus(first === 'eab' ? 'eabKid' : (first ?? 'names'));
      return;
    }
    // Renewing keeps the certificate's own directory name, which need not be its first name.
    const base = renew ? { ...check.request, certName: renew.certName } : check.request;
    if (account && account.caId === base.ca) {
      const problem = emailError(emailRef.current);
      if (problem) return setFocus('email');
      if (!agreedRef.current) return setFocus('agree');
      const e = emailRef.current.trim();
      return send({ ...base, ...(e ? { email: e } : {}), agreeTos: true });
    }
    if (checking.current) return;
    checking.current = true;
    // Whether the CA needs a new account is the engine's account list's to say (a renew's stored request names one).
    void engine
      .listAccounts()
      .catch(() => [])
      .then((list) => {
        checking.current = false;
        const usable = ca ? accountsFor(list, ca) : [];
        if (renew?.stored?.account || usable.length > 0 || !ca) return send(base);
        setAccount({ caId: ca.id });
        setFocus('email');
        void engine.readCaDirectory(ca.id).then(
          (dir) => setAccount((a) => (a && a.caId === ca.id ? { ...a, ...(dir.termsOfService ? { tos: dir.termsOfService } : {}) } : a)),
          (err: unknown) => setAccount((a) => (a && a.caId === ca.id ? { ...a, tosError: errorText(err) } : a)),
        );
      });
  };

  const send = (request: IssueRequest) => {
    // The order shows up in the snapshot; the outcome is the engine's to report, so it is not awaited here.
    void engine.issue(request).catch(() => undefined);
    dispatch({ type: 'home' });
    dispatch({ type: 'flash', flash: { text: `Requested ${namesSummary(request.domains)} from ${ca?.name ?? request.ca}; its order is listed below.`, tone: 'ok' } });
  };

  useScreenInput((input, key) => {
    const focus = focusRef.current;
    if (key.tab) move(key.shift ? -1 : 1);
    else if (focus === 'agree') {
      if (input === 'a' || input === ' ') setAgreed(!agreedRef.current);
      else if (key.return) move(1);
      else if (key.upArrow || input === 'k') move(-1);
      else if (key.downArrow || input === 'j') move(1);
    } else if (TEXT_FIELDS.has(focus)) {
      // Enter moves on here rather than through the input's onSubmit, so one handler owns navigation.
      if (key.downArrow || key.return) move(1);
      else if (key.upArrow) move(-1);
    } else if (focus === 'submit') {
      if (key.return) submit();
      else if (key.upArrow || input === 'k') move(-1);
    } else {
      const field = focus as ChoiceField;
      if (key.downArrow || input === 'j') shift(field, 1);
      else if (key.upArrow || input === 'k') shift(field, -1);
      else if (key.return) move(1);
    }
  });

  const errors = tried ? check.errors : { ...(check.errors.webroot && values.webroot !== '' ? { webroot: check.errors.webroot } : {}) };
  const text = (field: 'names' | 'eabKid' | 'webroot', placeholder: string) =>
    focus === field ? (
      <Monochrome>
        <TextInput key={field} defaultValue={values[field]} placeholder={placeholder} onChange={onText[field]} />
      </Monochrome>
    ) : (
      <Text {...(values[field] ? {} : theme.tone('muted'))} wrap="truncate-end">
        {values[field] || placeholder}
      </Text>
    );
  const choice = (field: ChoiceField) => {
    const list = choices[field];
    const at = Math.max(0, list.findIndex((c) => c.value === values[field]));
    if (focus === field) return <ChoiceList choices={list} focus={at} visible={5} labelWidth={field === 'challenge' ? 72 : choiceLabelWidth(list.map((c) => c.label))} />;
    const current = list[at];
    return (
      <Text wrap="truncate-end">
        {current?.label ?? '(none)'}
        {current?.tag && field === 'ca' ? <Text {...theme.tone(current.tagTone ?? 'muted')}>{`  ${current.tag}`}</Text> : null}
      </Text>
    );
  };

  const hints = [
    { key: 'tab ↓', label: 'next field' },
    { key: 'shift+tab ↑', label: 'previous' },
    { key: 'j k', label: 'choose', enabled: !TEXT_FIELDS.has(focus) && focus !== 'submit' && focus !== 'agree' },
    { key: 'a', label: 'agree to the terms', enabled: focus === 'agree' },
    { key: 'enter', label: focus === 'submit' ? 'request certificate' : 'next' },
    { key: 'esc', label: 'cancel' },
  ];
  return (
    <Frame title={renew ? `Renew ${renew.certName}` : 'New certificate'} now={now} hints={hints}>
      {() => (
        <Box flexDirection="column">
          <FormField label="Names" focused={focus === 'names'} {...(errors.names ? { error: errors.names } : {})}>
            {text('names', 'example.com, www.example.com')}
          </FormField>
          <NameProblems problems={parsed.problems} names={parsed.names} />
          <FormField label="CA" focused={focus === 'ca'} {...(errors.ca ? { error: errors.ca } : {})}>
            {choice('ca')}
          </FormField>
          {profiles.ca === values.ca && profiles.list.length ? (
            <Box paddingLeft={15}>
              <Text {...theme.tone('muted')} wrap="truncate-end">
                {`profiles: ${profiles.list.map((p) => `${p.name} (${p.description})`).join(', ')}`}
              </Text>
            </Box>
          ) : null}
          {focus === 'ca' && ca?.notes.length ? (
            <Box paddingLeft={15}>
              <Text {...theme.tone('muted')} wrap="truncate-end">
                {ca.notes.join(' ')}
              </Text>
            </Box>
          ) : null}
          {eabRequired ? (
            <>
              <FormField label="EAB key id" focused={focus === 'eabKid'} {...(errors.eab ? { error: errors.eab } : {})}>
                {text('eabKid', 'empty: use the credentials saved for this CA')}
              </FormField>
              <FormField label="EAB HMAC key" focused={focus === 'eabHmacKey'}>
                {focus === 'eabHmacKey' ? (
                  <Monochrome>
                    <PasswordInput placeholder={values.eabHmacKey ? 'set; typing replaces it' : 'hidden as you type'} onChange={onText.eabHmacKey} />
                  </Monochrome>
                ) : (
                  <Text {...theme.tone('muted')}>{values.eabHmacKey ? 'set (hidden)' : 'not set'}</Text>
                )}
              </FormField>
            </>
          ) : null}
          <FormField label="Key type" focused={focus === 'keyType'}>
            {choice('keyType')}
          </FormField>
          <FormField label="Challenge" focused={focus === 'challenge'}>
            {choice('challenge')}
          </FormField>
          {values.challenge === 'http-01-webroot' ? (
            <FormField label="Webroot" focused={focus === 'webroot'} {...(errors.webroot ? { error: errors.webroot } : {})}>
              {text('webroot', '/var/www/html')}
            </FormField>
          ) : null}
          {account && account.caId === values.ca ? (
            <>
              <Text {...theme.tone('info')} wrap="wrap">{`${ca?.name ?? 'This CA'} has no account here yet: one is created with this order.`}</Text>
              <FormField label="E-mail" focused={focus === 'email'} {...(emailError(email) ? { error: emailError(email)! } : {})}>
                {focus === 'email' ? (
                  <Monochrome>
                    <TextInput key="email" defaultValue={email} placeholder="optional: you@example.com (expiry notices)" onChange={setEmail} />
                  </Monochrome>
                ) : (
                  <Text {...(email ? {} : theme.tone('muted'))}>{email || 'none'}</Text>
                )}
              </FormField>
              <FormField label="Terms" focused={focus === 'agree'}>
                <Text wrap="wrap">{account.tos ?? (account.tosError ? `could not read them: ${account.tosError}` : 'reading them from the CA…')}</Text>
                <Text {...theme.tone(agreedRef.current ? 'ok' : 'muted')}>{agreed ? `${SYMBOLS.ok} agreed` : '[ ] press a to agree (nothing is registered before)'}</Text>
              </FormField>
            </>
          ) : null}
          <Box marginTop={1}>
            <Text {...(focus === 'submit' ? theme.tone('selected') : theme.tone('muted'))}>
              {focus === 'submit' ? '› [ Request certificate ]' : '  [ Request certificate ]'}
            </Text>
            {tried && !check.request ? <Text {...theme.tone('bad')}>  fix the fields marked above</Text> : null}
          </Box>
        </Box>
      )}
    </Frame>
  );
}
