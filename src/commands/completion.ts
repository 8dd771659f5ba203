import type { Command } from 'commander';

/**
 * Shell completion scripts, generated from the commander program itself (its commands, options and choices), so a
 * new command or flag is completed without anyone editing a script. Each shell gets the same model: walk the words
 * typed so far to find which (sub)command is being completed, then offer its subcommands, its options, or, after
 * an option that takes a value, that option's choices (or file names).
 */

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface OptionModel {
  /** e.g. ["-V", "--version"] */
  names: string[];
  takesValue: boolean;
  choices?: string[];
  description: string;
}

interface CommandModel {
  /** Space-separated path from the root ("" for the root, "deploy add"). */
  path: string;
  name: string;
  description: string;
  options: OptionModel[];
  subcommands: CommandModel[];
  /** Choices of its positional arguments (e.g. the kind in `deploy add NAME KIND`). */
  argumentChoices: string[];
}

const HELP: OptionModel = { names: ['-h', '--help'], takesValue: false, description: 'display help' };

function model(cmd: Command, parentPath: string | undefined): CommandModel {
  const path = parentPath === undefined ? '' : `${parentPath}${parentPath ? ' ' : ''}${cmd.name()}`;
  const visible = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  return {
    path,
    name: cmd.name(),
    description: firstLine(cmd.description()),
    options: [
      ...cmd.options
        .filter((o) => !o.hidden)
        .map((o) => ({
          names: [o.short, o.long].filter((n): n is string => Boolean(n)),
          takesValue: o.required || o.optional,
          ...(o.argChoices ? { choices: o.argChoices } : {}),
          description: firstLine(o.description),
        })),
      HELP,
    ],
    subcommands: visible.map((c) => model(c, path)),
    argumentChoices: cmd.registeredArguments.flatMap((a) => a.argChoices ?? []),
  };
}

function flatten(m: CommandModel): CommandModel[] {
  return [m, ...m.subcommands.flatMap(flatten)];
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim();
}

/** For a string inside single quotes in bash or zsh. */
function sq(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** case patterns that move from one path to its subcommand: `"deploy:add") path="deploy add" ;;` */
function descents(all: CommandModel[], indent: string): string[] {
  return all.flatMap((m) => m.subcommands.map((s) => `${indent}${JSON.stringify(`${m.path}:${s.name}`)}) cmdpath=${JSON.stringify(s.path)} ;;`));
}

export function completionScript(program: Command, shell: Shell): string {
  const root = model(program, undefined);
  const all = flatten(root);
  const bin = root.name;
  switch (shell) {
    case 'bash':
      return bash(bin, all);
    case 'zsh':
      return zsh(bin, all);
    case 'fish':
      return fish(bin, all);
  }
}

function bash(bin: string, all: CommandModel[]): string {
  const fn = `_${bin.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const perPath = all.map((m) => {
    const words = [...m.subcommands.map((s) => s.name), ...m.argumentChoices];
    const opts = m.options.flatMap((o) => o.names);
    const valueOpts = m.options.filter((o) => o.takesValue).flatMap((o) => o.names);
    return `    ${JSON.stringify(m.path)}) words=${sq(words.join(' '))}; opts=${sq(opts.join(' '))}; valopts=${sq(valueOpts.join(' '))} ;;`;
  });
  const choices = all.flatMap((m) => m.options.filter((o) => o.choices).flatMap((o) => o.names.map((n) => `    ${JSON.stringify(`${m.path}:${n}`)}) COMPREPLY=($(compgen -W ${sq(o.choices!.join(' '))} -- "$cur")); return 0 ;;`)));
  return `# ${bin} completion for bash. Load it with:  source <(${bin} completion bash)
# or install it:  ${bin} completion bash > /etc/bash_completion.d/${bin}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmdpath="" w i words opts valopts
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    # After "--" come a program and its arguments: complete file names.
    if [[ "$w" == "--" ]]; then COMPREPLY=($(compgen -f -- "$cur")); return 0; fi
    case "$cmdpath:$w" in
${descents(all, '      ').join('\n')}
    esac
  done
  case "$cmdpath" in
${perPath.join('\n')}
  esac
  case "$cmdpath:$prev" in
${choices.join('\n')}
  esac
  if [[ " $valopts " == *" $prev "* ]]; then COMPREPLY=($(compgen -f -- "$cur")); return 0; fi
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); else COMPREPLY=($(compgen -W "$words" -- "$cur")); fi
}
complete -o default -F ${fn} ${bin}
`;
}

function zsh(bin: string, all: CommandModel[]): string {
  const fn = `_${bin.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const item = (name: string, description: string): string => sq(`${name.replace(/:/g, '\\:')}:${description}`);
  const perPath = all.map((m) => {
    const words = [...m.subcommands.map((s) => item(s.name, s.description)), ...m.argumentChoices.map((c) => item(c, ''))];
    const opts = m.options.flatMap((o) => o.names.map((n) => item(n, o.description)));
    const valueOpts = m.options.filter((o) => o.takesValue).flatMap((o) => o.names);
    return `    ${JSON.stringify(m.path)}) subs=(${words.join(' ')}); opts=(${opts.join(' ')}); valopts=(${valueOpts.join(' ')}) ;;`;
  });
  const choices = all.flatMap((m) => m.options.filter((o) => o.choices).flatMap((o) => o.names.map((n) => `    ${JSON.stringify(`${m.path}:${n}`)}) compadd -- ${o.choices!.map(sq).join(' ')}; return ;;`)));
  return `#compdef ${bin}
# ${bin} completion for zsh. Load it with:  source <(${bin} completion zsh)
# or install it as _${bin} in a directory on $fpath:  ${bin} completion zsh > "\${fpath[1]}/_${bin}"
${fn}() {
  # Not "path" (zsh ties it to PATH) nor "words" (the completion system's own array).
  local cmdpath="" w i prev="\${words[CURRENT-1]}"
  local -a subs opts valopts
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    if [[ "$w" == "--" ]]; then _files; return; fi
    case "$cmdpath:$w" in
${descents(all, '      ').join('\n')}
    esac
  done
  case "$cmdpath" in
${perPath.join('\n')}
  esac
  case "$cmdpath:$prev" in
${choices.join('\n')}
  esac
  if (( \${valopts[(Ie)$prev]} )); then _files; return; fi
  if [[ "\${PREFIX}" == -* ]]; then _describe -t options option opts; else _describe -t commands command subs || _files; fi
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then ${fn} "$@"; else compdef ${fn} ${bin}; fi
`;
}

function fish(bin: string, all: CommandModel[]): string {
  const fq = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const fn = `__${bin.replace(/[^A-Za-z0-9_]/g, '_')}_path`;
  const lines = [
    `# ${bin} completion for fish. Load it with:  ${bin} completion fish | source`,
    `# or install it:  ${bin} completion fish > ~/.config/fish/completions/${bin}.fish`,
    `function ${fn} --description 'the ${bin} (sub)command being completed'`,
    '    set -l cmdpath ""',
    '    for w in (commandline -opc)[2..-1]',
    '        switch "$cmdpath:$w"',
    ...all.flatMap((m) => m.subcommands.map((s) => `            case ${fq(`${m.path}:${s.name}`)}\n                set cmdpath ${fq(s.path)}`)),
    '        end',
    '    end',
    '    echo $cmdpath',
    'end',
    `function ${fn}_is --description 'whether the (sub)command being completed is $argv'`,
    `    set -l current (${fn})`,
    '    test "$current" = "$argv"',
    'end',
    `complete -c ${bin} -f`,
  ];
  for (const m of all) {
    const when = `-n ${fq(`${fn}_is ${fq(m.path)}`)}`;
    for (const s of m.subcommands) lines.push(`complete -c ${bin} ${when} -a ${fq(s.name)} -d ${fq(s.description)}`);
    if (m.argumentChoices.length) lines.push(`complete -c ${bin} ${when} -a ${fq(m.argumentChoices.join(' '))}`);
    for (const o of m.options) {
      const short = o.names.find((n) => /^-[^-]/.test(n));
      const long = o.names.find((n) => n.startsWith('--'));
      const names = `${short ? ` -s ${short.slice(1)}` : ''}${long ? ` -l ${long.slice(2)}` : ''}`;
      const value = o.choices ? ` -x -a ${fq(o.choices.join(' '))}` : o.takesValue ? ' -r -F' : '';
      lines.push(`complete -c ${bin} ${when}${names}${value} -d ${fq(o.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
