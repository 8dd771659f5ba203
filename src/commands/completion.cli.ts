import { Argument, type Command } from 'commander';

export function registerCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script (bash, zsh or fish) for certdeck.')
    .addArgument(new Argument('<shell>', 'shell to complete in').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      '\nLoad it in the current shell:\n' +
        '  bash:  source <(certdeck completion bash)\n' +
        '  zsh:   source <(certdeck completion zsh)\n' +
        '  fish:  certdeck completion fish | source\n' +
        'Install it for every session:\n' +
        '  bash:  certdeck completion bash > /etc/bash_completion.d/certdeck\n' +
        '  zsh:   certdeck completion zsh > "${fpath[1]}/_certdeck"\n' +
        '  fish:  certdeck completion fish > ~/.config/fish/completions/certdeck.fish',
    )
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const { completionScript } = await import('./completion.js');
      process.stdout.write(completionScript(program, shell));
    });
}
