/**
 * `fx86 completions bash|zsh|fish`: a completion script for the shell,
 * generated from the command definitions themselves (commands,
 * subcommands, options), so it never lags behind them. Install with e.g.
 * `fx86 completions bash > /etc/bash_completion.d/fx86`, or
 * `fx86 completions fish > ~/.config/fish/completions/fx86.fish`.
 */
import { Command, type CommandUnknownOpts, InvalidArgumentError } from "@commander-js/extra-typings";
import { writeAll } from "../host.ts";

/** The shells fx86 writes completions for. */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;

/** One command of the tree, as completions need it. */
interface Node {
  /** Subcommand names from the root, e.g. ["snapshot", "list"]. */
  path: string[];
  description: string;
  options: { long: string; short?: string; description: string; value: boolean }[];
  commands: Node[];
}

function walk(cmd: CommandUnknownOpts, path: string[]): Node {
  const options = cmd.options.filter((o) => o.long).map((o) => ({
    long: o.long!,
    short: o.short,
    description: o.description,
    value: o.required || o.optional,
  }));
  options.push({ long: "--help", short: "-h", description: "display help for command", value: false });
  return {
    path,
    description: cmd.description(),
    options,
    commands: cmd.commands.map((c) => walk(c, [...path, c.name()])),
  };
}

function all(n: Node): Node[] {
  return [n, ...n.commands.flatMap(all)];
}

/** Bash: word lists by command path; a subcommand's name after its parent's extends the path. */
function bash(root: Node): string {
  const cases = (pick: (n: Node) => string[]) =>
    all(root).map((n) => `    "${n.path.join(" ")}") echo "${pick(n).join(" ")}" ;;`).join("\n");
  return `# fx86 completions for bash (fx86 completions bash); generated from fx86's command definitions.
__fx86_subcommands() {
  case "$1" in
${cases((n) => n.commands.map((c) => c.path.at(-1)!))}
  esac
}
__fx86_options() {
  case "$1" in
${cases((n) => n.options.flatMap((o) => (o.short ? [o.short, o.long] : [o.long])))}
  esac
}
_fx86() {
  # Words by slices, which count from 0 in bash and in zsh (whose bashcompinit arrays otherwise start at 1).
  local cur="\${COMP_WORDS[@]:$COMP_CWORD:1}" path="" i sub subs
  for ((i = 1; i < COMP_CWORD; i++)); do
    for sub in $(__fx86_subcommands "$path"); do
      if [[ "\${COMP_WORDS[@]:$i:1}" == "$sub" ]]; then path="\${path:+$path }$sub"; break; fi
    done
  done
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(__fx86_options "$path")" -- "$cur"))
    return
  fi
  subs="$(__fx86_subcommands "$path")"
  if [[ -n "$subs" ]]; then COMPREPLY=($(compgen -W "$subs" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -o filenames -F _fx86 fx86
`;
}

/** Zsh runs the bash completion through its bashcompinit layer. */
function zsh(root: Node): string {
  return `#compdef fx86
# fx86 completions for zsh (fx86 completions zsh): the bash completion, through zsh's bashcompinit.
autoload -U +X bashcompinit && bashcompinit
${bash(root).split("\n").slice(1).join("\n")}`;
}

/** Quotes a string for fish in single quotes. */
const fishQuote = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** Fish: one `complete` line per subcommand and option, with its description. */
function fish(root: Node): string {
  const lines = ["# fx86 completions for fish (fx86 completions fish); generated from fx86's command definitions."];
  for (const n of all(root)) {
    const names = n.commands.map((c) => c.path.at(-1)!);
    const here = n.path.length === 0
      ? "__fish_use_subcommand"
      : n.path.map((p) => `__fish_seen_subcommand_from ${p}`).join("; and ");
    const fresh = names.length > 0 ? `${here}; and not __fish_seen_subcommand_from ${names.join(" ")}` : here;
    for (const c of n.commands) {
      lines.push(`complete -c fx86 -f -n ${fishQuote(n.path.length === 0 ? here : fresh)} -a ${c.path.at(-1)} -d ${fishQuote(c.description)}`);
    }
    for (const o of n.options) {
      const short = o.short ? ` -s ${o.short.slice(1)}` : "";
      lines.push(`complete -c fx86 -n ${fishQuote(fresh)} -l ${o.long.slice(2)}${short}${o.value ? " -r" : ""} -d ${fishQuote(o.description)}`);
    }
  }
  return lines.join("\n") + "\n";
}

/**
 * The completion script of `shell` for the command tree under `root`.
 *
 * @example
 * completionScript(program(), "bash"); // "# fx86 completions for bash …complete -o filenames -F _fx86 fx86\n"
 */
export function completionScript(root: CommandUnknownOpts, shell: typeof COMPLETION_SHELLS[number]): string {
  const tree = walk(root, []);
  return { bash, zsh, fish }[shell](tree);
}

function parseShell(text: string): typeof COMPLETION_SHELLS[number] {
  const shell = COMPLETION_SHELLS.find((s) => s === text);
  if (!shell) throw new InvalidArgumentError(`expected one of ${COMPLETION_SHELLS.join(", ")}`);
  return shell;
}

/** `fx86 completions SHELL`; `root` is the whole command tree (given when it is complete). */
export function completionsCommand(root: () => CommandUnknownOpts) {
  return new Command("completions")
    .description("print a completion script for bash, zsh or fish (e.g. fx86 completions bash > /etc/bash_completion.d/fx86)")
    .argument("<shell>", "bash, zsh or fish", parseShell)
    .action((shell) => writeAll(1, new TextEncoder().encode(completionScript(root(), shell))));
}
