/**
 * `fx86 completions bash|zsh|fish`: each script, loaded into the real
 * shell, completes subcommands and options from fx86's own definitions.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { fx86, type Runtime } from "../support/cli.ts";

/** Runs `script` in `shell` (which must be installed: tests/prepare.sh installs zsh and fish) and returns its output lines. */
function inShell(shell: string, args: string[], script: string): string[] {
  const r = spawnSync(shell, [...args, script], { encoding: "utf8" });
  if (r.error) throw new Error(`${shell} is not installed: run tests/prepare.sh (or apt-get install ${shell})`);
  assert.equal(r.status, 0, `${shell}: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "");
}

for (const rt of ["deno", "bun"] as Runtime[]) {
  test(`completions (${rt}): bash, zsh and fish complete fx86's subcommands and options`, () => {
    const dir = mkdtempSync(join(tmpdir(), "fx86-completions-"));
    try {
      const file = (shell: string) => {
        const r = fx86(rt, ["completions", shell]);
        assert.equal(r.status, 0, r.stderr);
        const path = join(dir, `fx86.${shell}`);
        writeFileSync(path, r.stdout);
        return path;
      };
      // bash: COMPREPLY for a word being typed after some words.
      const bash = (words: string) =>
        inShell("bash", ["-c"], `source ${file("bash")}; COMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _fx86; echo "\${COMPREPLY[*]}"`)[0] ?? "";
      assert.equal(bash("fx86 sn"), "snapshot");
      assert.equal(bash("fx86 --store x snapshot l"), "list");
      assert.equal(bash("fx86 snapshot list --j"), "--json");
      assert.equal(bash("fx86 exec --se"), "--seed");
      assert.ok(bash("fx86 exec /etc/pass").split(" ").includes("/etc/passwd"), "no subcommands: files");

      // zsh: through bashcompinit, as a zsh user loads it; zsh itself filters by the typed prefix.
      const zsh = (words: string, cword: number) =>
        inShell("zsh", ["-f", "-c"], `autoload -U compinit && compinit -u; source ${file("zsh")}; print -r -- \${_comps[fx86]}; COMP_WORDS=(${words}); COMP_CWORD=${cword}; compgen -o filenames -F _fx86 -- x`);
      const z = zsh("fx86 snapshot l", 2);
      assert.equal(z[0], "_bash_complete -o filenames -F _fx86", "registered for fx86");
      assert.deepEqual(z.slice(1), ["list", "show", "rm", "diff"]);
      assert.ok(zsh("fx86 gc --", 2).includes("--grace"));

      // fish: its own completion engine, with descriptions.
      const fish = (line: string) => inShell("fish", ["-c"], `source ${file("fish")}; complete -C '${line}'`);
      assert.deepEqual(fish("fx86 snapsh"), ["snapshot\tlist, show, remove and compare snapshots"]);
      assert.ok(fish("fx86 snapshot ").some((l) => l.startsWith("diff\t")));
      assert.ok(fish("fx86 exec --bud").some((l) => l.startsWith("--budget\t")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("completions: an unknown shell is one line and exit 2", () => {
  const r = fx86("deno", ["completions", "tcsh"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^error: command-argument value 'tcsh' is invalid for argument 'shell'\. expected one of bash, zsh, fish\n$/);
});
