import { TextInput } from '@inkjs/ui';
import { Box, Text } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ChoiceList } from '../components/ChoiceList.js';
import { FormField } from '../components/FormField.js';
import { Frame } from '../components/Frame.js';
import { Monochrome } from '../components/Monochrome.js';
import { useNavigation } from '../context/navigation-context.js';
import { useServices } from '../context/services-context.js';
import { useNow } from '../hooks/use-now.js';
import { useScreenInput } from '../hooks/use-screen-input.js';
import { SYMBOLS } from '../theme.js';
import {
  EMPTY_TARGET_FORM,
  TARGET_KINDS,
  checkTargetForm,
  targetFields,
  type TargetFieldId,
  type TargetFormValues,
  type TargetTextField,
} from '../view-model/deploy-target-form.js';
import { errorText } from '../view-model/error-text.js';
import { useKeyState } from '../hooks/use-key-state.js';

const FIELD_LABEL: Record<TargetTextField, string> = {
  dir: 'Directory',
  program: 'Program',
  args: 'Arguments',
  out: 'Output file',
  passwordEnv: 'Password env',
  hosts: 'Hosts',
  id: 'Id',
};

const PLACEHOLDER: Record<TargetTextField, string> = {
  dir: '/etc/ssl/example.com',
  program: '/usr/sbin/nginx, or a name on PATH such as systemctl',
  args: '-s reload',
  out: '/srv/app/example.pfx',
  passwordEnv: 'PFX_PASSWORD',
  hosts: 'empty: every name on the certificate, port 443',
  id: 'optional; default KIND-N',
};

/** Shown under the focused field: the rules that are not obvious from the placeholder. */
const NOTE: Partial<Record<TargetTextField, string>> = {
  args: 'Spaces separate arguments; quotes keep spaces in one. No shell: $VARS, globs and pipes stay as typed.',
  passwordEnv: "The variable's NAME; deploy reads the password from it then. The password is never asked for.",
  hosts: 'NAME, NAME:PORT or NAME@ADDRESS:PORT, separated by commas.',
};

/**
 * The add-deploy-target form: the kind, then the fields that kind needs, then an optional id. Submitting calls
 * engine.addDeployTarget, which checks it as `certdeck deploy add` would; a refusal is shown under the button and
 * everything typed stays. Esc (a global key) leaves without saving.
 *
 *   Add deploy target · example.com
 *   › Kind         › files     copy the certificate and key into a directory
 *                    command   run a program (no shell), e.g. to reload a server
 *     Directory    /etc/ssl/example.com
 *     Id           optional; default KIND-N
 *     [ Add target ]
 */
export function DeployAddScreen({ certName }: { certName: string }) {
  const { engine, clock, theme } = useServices();
  const now = useNow(clock);
  const { dispatch } = useNavigation();
  const [values, setValues] = useState<TargetFormValues>(EMPTY_TARGET_FORM);
  const [focus, focusRef, setFocus] = useKeyState<TargetFieldId>('kind');
  const [tried, setTried] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  const [saving, savingRef, setSaving] = useKeyState(false);
  // An answer that comes after Esc must not pop the deploy view too.
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const fields = targetFields(values.kind);
  const check = checkTargetForm(values);

  const set = useCallback((field: TargetTextField, value: string) => setValues((v) => ({ ...v, [field]: value })), []);
  // @inkjs/ui inputs call onChange from an effect that depends on it: the handlers must keep their identity.
  const onText = useMemo(
    () => Object.fromEntries((Object.keys(FIELD_LABEL) as TargetTextField[]).map((f) => [f, (v: string) => set(f, v)])) as Record<TargetTextField, (v: string) => void>,
    [set],
  );
  // Like the focus, the kind is read from a ref: "j" then Enter in one burst must move into the new kind's fields.
  const kindRef = useRef(values.kind);
  const move = (step: number) => {
    const current = focusRef.current;
    const list = targetFields(kindRef.current);
    setFocus(list[Math.min(list.length - 1, Math.max(0, list.indexOf(current) + step))] ?? current);
  };
  const shiftKind = (step: number) => {
    const at = TARGET_KINDS.findIndex((k) => k.value === kindRef.current);
    const next = TARGET_KINDS[Math.min(TARGET_KINDS.length - 1, Math.max(0, at + step))];
    if (!next) return;
    kindRef.current = next.value;
    setValues((v) => ({ ...v, kind: next.value }));
  };

  const submit = () => {
    setTried(true);
    if (!check.input) {
      setFocus(fields.find((f) => f !== 'kind' && f !== 'submit' && check.errors[f] !== undefined) ?? 'kind');
      return;
    }
    if (savingRef.current) return;
    setSaving(true);
    setRefusal(undefined);
    engine.addDeployTarget(certName, check.input).then(
      ({ target, warnings }) => {
        if (mounted.current) dispatch({ type: 'back' });
        const text = `Added deploy target ${target.id} to ${certName}: ${target.label}`;
        dispatch({ type: 'flash', flash: warnings.length ? { text: `${text} · ${warnings.join('; ')}`, tone: 'warn' } : { text, tone: 'ok' } });
      },
      (err: unknown) => {
        if (!mounted.current) {
          dispatch({ type: 'flash', flash: { text: `Deploy target not added: ${errorText(err)}`, tone: 'bad' } });
          return;
        }
        setSaving(false);
        setRefusal(errorText(err));
      },
    );
  };

  useScreenInput((input, key) => {
    const current = focusRef.current;
    if (key.tab) move(key.shift ? -1 : 1);
    else if (current === 'kind') {
      if (key.downArrow || input === 'j') shiftKind(1);
      else if (key.upArrow || input === 'k') shiftKind(-1);
      else if (key.return) move(1);
    } else if (current === 'submit') {
      if (key.return) submit();
      else if (key.upArrow) move(-1);
    } else if (key.downArrow || key.return) move(1);
    else if (key.upArrow) move(-1);
  });

  // Before a first submit, only a problem with something already typed is worth a word.
  const errors = tried ? check.errors : Object.fromEntries(Object.entries(check.errors).filter(([f]) => values[f as TargetTextField].trim() !== ''));
  const textField = (field: TargetTextField) => (
    <Box key={field} flexDirection="column">
      <FormField label={FIELD_LABEL[field]} focused={focus === field} {...(errors[field] ? { error: errors[field] } : {})}>
        {focus === field ? (
          <Monochrome>
            <TextInput key={field} defaultValue={values[field]} placeholder={PLACEHOLDER[field]} onChange={onText[field]} />
          </Monochrome>
        ) : (
          <Text {...(values[field] ? {} : theme.tone('muted'))} wrap="truncate-end">
            {values[field] || PLACEHOLDER[field]}
          </Text>
        )}
      </FormField>
      {focus === field && NOTE[field] ? (
        <Box paddingLeft={15}>
          <Text {...theme.tone('muted')} wrap="wrap">
            {NOTE[field]}
          </Text>
        </Box>
      ) : null}
    </Box>
  );
  const kindAt = Math.max(0, TARGET_KINDS.findIndex((k) => k.value === values.kind));

  const hints = [
    { key: 'tab ↓', label: 'next field' },
    { key: 'shift+tab ↑', label: 'previous' },
    { key: 'j k', label: 'choose', enabled: focus === 'kind' },
    { key: 'enter', label: focus === 'submit' ? 'add target' : 'next' },
    { key: 'esc', label: 'cancel' },
  ];
  return (
    <Frame title={`Add deploy target · ${certName}`} now={now} hints={hints}>
      {() => (
        <Box flexDirection="column">
          <FormField label="Kind" focused={focus === 'kind'}>
            {focus === 'kind' ? (
              <ChoiceList choices={TARGET_KINDS} focus={kindAt} visible={4} labelWidth={9} />
            ) : (
              <Text wrap="truncate-end">
                {values.kind}
                <Text {...theme.tone('muted')}>{`  ${TARGET_KINDS[kindAt]?.tag ?? ''}`}</Text>
              </Text>
            )}
          </FormField>
          {fields.filter((f): f is TargetTextField => f !== 'kind' && f !== 'submit').map(textField)}
          <Box marginTop={1}>
            <Text {...(focus === 'submit' ? theme.tone('selected') : theme.tone('muted'))}>
              {focus === 'submit' ? '› [ Add target ]' : '  [ Add target ]'}
            </Text>
            {saving ? <Text {...theme.tone('info')}>  checking and saving…</Text> : null}
            {tried && !check.input ? <Text {...theme.tone('bad')}>  fix the fields marked above</Text> : null}
          </Box>
          {refusal ? (
            <Text {...theme.tone('bad')} wrap="wrap">
              {`${SYMBOLS.bad} ${refusal}`}
            </Text>
          ) : null}
        </Box>
      )}
    </Frame>
  );
}
