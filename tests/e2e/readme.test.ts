/**
 * README's commands run as written on a fresh checkout: every command of
 * its `sh` blocks, in order, in a copy of the repository's tracked files
 * (with this checkout's node_modules linked in, as `npm install` would have
 * made it). A command exits 0 unless a comment just above it names another
 * status ("exit status 124"). Interactive commands are used as a person
 * would: the REPL gets `quit` on its input; the terminal UI runs in tmux,
 * must draw, and leaves on `q`.
 *
 * Two commands are not run here, because they are what runs this test:
 * `npm install && npm test` is CI's own command (.ci/run), and of
 * `npm install && npm run example` only the `npm run example` part runs
 * (installing again would write through the linked node_modules).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { assert, test } from "../harness.ts";
import { REPO } from "../support/paths.ts";
import { Terminal } from "../shell/tmux.ts";

/** One command of README, with the status it must exit with. */
export interface ReadmeCommand {
  line: number;
  command: string;
  status: number;
}

/**
 * The commands of a Markdown text's `sh` blocks: comment lines are dropped
 * (a trailing `# ...` too), and "exit status N" in the comments just above
 * a command sets the status it must exit with.
 *
 * @example
 * readmeCommands("```sh\n# fails (exit status 3)\nfalse\n```"); // [{ line: 3, command: "false", status: 3 }]
 */
export function readmeCommands(markdown: string): ReadmeCommand[] {
  const out: ReadmeCommand[] = [];
  let inBlock = false, comments = "";
  markdown.split("\n").forEach((text, k) => {
    const trimmed = text.trim();
    if (trimmed.startsWith("```")) {
      inBlock = !inBlock && trimmed === "```sh";
      comments = "";
      return;
    }
    if (!inBlock) return;
    if (trimmed === "" || trimmed.startsWith("#")) {
      comments = trimmed === "" ? "" : `${comments} ${trimmed}`;
      return;
    }
    const status = Number(comments.match(/exit status (\d+)/)?.[1] ?? 0);
    out.push({ line: k + 1, command: trimmed.replace(/\s+#\s.*$/, ""), status });
    comments = "";
  });
  return out;
}

/** A copy of the repository's tracked files, with node_modules linked. */
function freshCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), "fx86-readme-"));
  const listed = spawnSync("git", ["ls-files", "-z"], { cwd: REPO, encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`git ls-files failed in ${REPO}: ${listed.stderr}`);
  for (const file of listed.stdout.split("\0").filter((f) => f !== "")) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    try {
      copyFileSync(join(REPO, file), join(dir, file));
    } catch (e) {
      // A file deleted in the work tree but not yet from the index.
      if ((e as { code?: string }).code !== "ENOENT") throw e;
    }
  }
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  return dir;
}

function shell(command: string, cwd: string, input = ""): { status: number | null; output: string } {
  const r = spawnSync("bash", ["-c", command], { cwd, input, encoding: "utf8", timeout: 300_000, maxBuffer: 1 << 26 });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? r.error.message : ""}` };
}

/** Runs the terminal UI in tmux until it draws, then quits it with q. */
async function tryShell(command: string, cwd: string): Promise<{ status: number | null; output: string }> {
  const term = new Terminal(["bash", "-c", command], cwd, 120, 36);
  try {
    // Drawn: its panels fill the screen (an error would be a line or two and "EXITED").
    await term.until((s) => !/EXITED/.test(s) && s.split("\n").filter((l) => l.trim() !== "").length >= 10, "the terminal UI", 60_000);
    term.send("q");
    const screen = await term.until((s) => /EXITED \d+/.test(s), "the shell exiting on q", 30_000);
    return { status: Number(screen.match(/EXITED (\d+)/)![1]), output: screen };
  } finally {
    term.close();
  }
}

test("README: every command of its sh blocks runs as written on a fresh checkout", async () => {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const commands = readmeCommands(readme);
  assert.ok(commands.length > 20, `README has only ${commands.length} commands`);
  const dir = freshCheckout();
  const failures: string[] = [];
  let ran = 0;
  try {
    for (const { line, command, status } of commands) {
      if (command === "npm install && npm test") continue;
      const run = command.replace(/^npm install && /, "");
      const interactiveRepl = / repl /.test(run) && !run.includes("--script");
      const r = / shell /.test(run)
        ? await tryShell(run, dir)
        : shell(run, dir, interactiveRepl ? "quit\n" : "");
      ran++;
      if (r.status !== status) {
        failures.push(`README.md:${line}: \`${command}\` exited ${r.status}, not ${status}:\n${r.output.trim().split("\n").slice(-6).join("\n")}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`README: ${ran} of ${commands.length} commands run as written (CI itself runs npm install && npm test)`);
  assert.deepEqual(failures, []);
});
