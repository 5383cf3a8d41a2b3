import { Command } from 'commander';
import { ErrorCode, ShoalError } from '@shoal/types';
import type { CliContext } from './context.js';

interface Node {
  path: string[];
  subcommands: string[];
  options: string[];
}

function walk(cmd: Command, path: string[] = []): Node[] {
  const options = cmd.options.flatMap((o) => [o.long, o.short].filter((x): x is string => Boolean(x)));
  const here: Node = { path, subcommands: cmd.commands.map((c) => c.name()), options: [...options, '--help'] };
  return [here, ...cmd.commands.flatMap((c) => walk(c, [...path, c.name()]))];
}

/** A bash completion function built from the command tree (so it never drifts). */
export function bashCompletion(program: Command): string {
  const cases = walk(program)
    .map((n) => `    "${n.path.join(' ')}") words="${[...n.subcommands, ...n.options].join(' ')}" ;;`)
    .join('\n');
  return `# shoal bash completion: source <(shoal completion bash)
_shoal() {
  local cur path="" w i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "\${path:+$path }$w" in
${walk(program).map((n) => `      "${n.path.join(' ')}") path="${n.path.join(' ')}" ;;`).filter((l) => !l.includes('"")')).join('\n')}
    esac
  done
  local words=""
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _shoal shoal
`;
}

/** zsh: reuse the bash function through bashcompinit. */
export function zshCompletion(program: Command): string {
  return `# shoal zsh completion: source <(shoal completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program).split('\n').slice(1).join('\n')}`;
}

export function completionCommand(ctx: CliContext, root: () => Command): Command {
  return new Command('completion')
    .description('print a shell completion script: source <(shoal completion bash)')
    .argument('<shell>', 'bash or zsh')
    .action((shell: string) => {
      if (shell === 'bash') return ctx.output.out(bashCompletion(root()));
      if (shell === 'zsh') return ctx.output.out(zshCompletion(root()));
      throw new ShoalError(ErrorCode.BadConfig, `no completion for "${shell}"; use bash or zsh`);
    });
}
