/**
 * Debian's own dynamically linked i386 programs (coreutils, grep, sed,
 * gzip: the packages and versions in tests/e2e/debian/packages.txt,
 * unpacked by tests/prepare.sh into tests/.build/debian-i386/root) under
 * fx86 and under qemu-i386, on the same root: the same stdout, stderr and
 * exit status, byte for byte. ld.so, libc, the libraries and glibc's
 * run-time loading (dlopen, iconv's gconv modules) all come from the root.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, runtime, test } from "../harness.ts";
import { fileSystemFromHost } from "../../cli/host.ts";
import { contents } from "../../core/linux/fs/contents.ts";
import type { FileNode } from "../../core/linux/fs/node.ts";
import { DEFAULT_ENV, Guest } from "../../core/vm/guest.ts";
import { fx86 } from "../support/cli.ts";
import { BUILD, type Outcome, pseudoText } from "../support/guests.ts";
import { qemuI386 } from "../support/reference.ts";
import { compile } from "../elf/build.ts";
import { QEMU_WRONG_SIGNALS } from "../linux/progs/qemu-wrong.ts";

const ROOT = join(BUILD, "debian-i386", "root");

const fruits = "banana\napple\ncherry\nApple pie\n10\n9\n100\n";
const nums = Array.from({ length: 2000 }, (_, i) => `${(i * 7919) % 2003}\n`).join("");
/** Files the cases read, relative to the root (the working directory of both). */
const FILES: Record<string, string | Uint8Array> = {
  "data/fruits.txt": fruits,
  "data/nums.txt": nums,
  "data/text.txt": pseudoText(50_000),
};

/**
 * A fresh copy of the Debian root with FILES and the dlopen test program,
 * on a tmpfs where there is one (a 32-bit program under qemu cannot read
 * ext4's 64-bit directory cookies: tests/support/guests.ts).
 */
function scratchRoot(): string {
  if (!existsSync(ROOT)) {
    throw new Error(`${ROOT} is missing: run tests/prepare.sh (npm test does)`);
  }
  const dir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "fx86-debian-"));
  const cp = spawnSync("cp", ["-a", `${ROOT}/.`, dir]);
  if (cp.status !== 0) throw new Error(`cp -a ${ROOT}: ${cp.stderr}`);
  mkdirSync(join(dir, "data"));
  for (const [name, content] of Object.entries(FILES)) writeFileSync(join(dir, name), content);
  const dlopen = compile("tests/e2e/debian/dlopen.c", "debian/dlopen", []);
  spawnSync("cp", [dlopen, join(dir, "dlopen")]);
  // qemu-i386 7.2's statx does not apply -L to its path, so glibc's search
  // of /lib/i386-linux-gnu (which only the root has) fails under qemu: the
  // same libraries are linked from /usr/lib/i386-linux-gnu too (which the
  // host has). fx86 runs on this same root.
  const lib = "lib/i386-linux-gnu", usrLib = join(dir, "usr", lib);
  for (const name of readdirSync(join(dir, lib))) {
    if (!existsSync(join(usrLib, name))) symlinkSync(`../../../${lib}/${name}`, join(usrLib, name));
  }
  return dir;
}

/** Runs `path` (absolute in the root) with qemu-i386 -L root, in the root. */
function reference(root: string, path: string, args: string[], stdin: string): Outcome {
  const argv0 = path.split("/").pop()!;
  // qemu-i386 hands the environment over in reverse order (tests/support/guests.ts).
  const env = ["env", "-i", ...[...DEFAULT_ENV].reverse()];
  const r = spawnSync(env[0], [...env.slice(1), qemuI386(), "-L", root, "-0", argv0, root + path, ...args], {
    cwd: root,
    input: stdin,
    maxBuffer: 1 << 28,
  });
  if (r.error) throw r.error;
  return { stdout: new Uint8Array(r.stdout), stderr: new Uint8Array(r.stderr), status: r.status };
}

/** Runs the same program from the root under fx86 (the root copied as `fx86 exec --root` copies it). */
function ours(root: string, path: string, args: string[], stdin: string): Outcome {
  const fs = fileSystemFromHost(root);
  const program = fs.find(path);
  assert.ok(program?.kind === "file", `${path} in the root`);
  const guest = Guest.fromElf({
    program: contents(program),
    argv: [path.split("/").pop()!, ...args],
    fs,
    stdin: new TextEncoder().encode(stdin),
  });
  const stop = guest.run(Infinity);
  return {
    stdout: guest.linux.stdout,
    stderr: guest.linux.stderr,
    status: stop.status === "exited" ? stop.exitCode : null,
  };
}

/** [program in the root, arguments, stdin] */
type Case = [string, string[], string?];

function compare(cases: Case[]): void {
  const root = scratchRoot();
  const d = new TextDecoder();
  try {
    for (const [path, args, stdin = ""] of cases) {
      const what = `${path} ${args.join(" ")}`;
      const want = reference(root, path, args, stdin), got = ours(root, path, args, stdin);
      assert.equal(d.decode(got.stderr), d.decode(want.stderr), `${what}: stderr`);
      assert.equal(d.decode(got.stdout), d.decode(want.stdout), `${what}: stdout`);
      assert.deepEqual(got.stdout, want.stdout, `${what}: stdout bytes`);
      assert.equal(got.status, want.status, `${what}: exit status`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test("debian i386: ls (coreutils, with libselinux, libpcre2) as under qemu-i386", () => {
  compare([
    ["/bin/ls", ["data"]],
    ["/bin/ls", ["-1", "-a", "bin"]],
    // No owners or times (the root's files are the guest's, uid 1000, and
    // the host's under qemu) and no directories (their sizes are the host
    // file system's).
    ["/bin/ls", ["-l", "-gG", "--time-style=+", "data"]],
    ["/bin/ls", ["-R", "usr/lib/i386-linux-gnu/gconv"]],
    ["/bin/ls", ["-s", "-S", "lib/i386-linux-gnu"]],
    ["/bin/ls", ["nonexistent"]],
    ["/bin/ls", ["--bogus"]],
  ]);
});

test("debian i386: grep (with libpcre2 for -P) as under qemu-i386", () => {
  compare([
    ["/bin/grep", ["-n", "an", "data/fruits.txt"]],
    ["/bin/grep", ["-ci", "apple", "data/fruits.txt"]],
    ["/bin/grep", ["-E", "^(1|2)0+$", "data/nums.txt"]],
    ["/bin/grep", ["-P", "a(?=n)", "data/fruits.txt"]],
    ["/bin/grep", ["-o", "-w", "[a-z]*ing", "data/text.txt"]],
    ["/bin/grep", ["-v", "e", "-"], fruits],
    ["/bin/grep", ["nothing-matches", "data/fruits.txt"]],
    ["/bin/grep", ["-r", "cherry", "data"]],
  ]);
});

test("debian i386: sed as under qemu-i386", () => {
  compare([
    ["/bin/sed", ["-e", "s/a/X/g", "data/fruits.txt"]],
    ["/bin/sed", ["-n", "/an/p;$=", "data/fruits.txt"]],
    ["/bin/sed", ["-E", "s/([0-9]+)/<\\1>/;1~3d", "-"], nums.slice(0, 200)],
    ["/bin/sed", ["y/abc/xyz/", "data/text.txt"]],
    ["/bin/sed", ["-e", "bad{"]],
  ]);
});

test("debian i386: sort as under qemu-i386", () => {
  compare([
    ["/usr/bin/sort", ["-n", "data/fruits.txt"]],
    ["/usr/bin/sort", ["-rn", "data/nums.txt"]],
    ["/usr/bin/sort", ["-u", "-k1,1", "data/fruits.txt"]],
    ["/usr/bin/sort", ["data/text.txt"]],
    ["/usr/bin/sort", ["-c", "data/fruits.txt"]],
    ["/usr/bin/sort", [], "b\na\nc\n"],
  ]);
});

test("debian i386: gzip as under qemu-i386", () => {
  compare([
    ["/bin/gzip", ["-cn9", "data/text.txt"]],
    ["/bin/gzip", ["-c1", "-n", "data/nums.txt"]],
    ["/bin/gzip", ["-cn"], fruits],
    ["/bin/gzip", ["-cd", "-"], "not gzip data"],
    ["/bin/gzip", ["-t", "data/fruits.txt"]],
  ]);
});

test("debian i386: more of coreutils (with libgmp for factor) as under qemu-i386", () => {
  compare([
    ["/bin/cat", ["-n", "data/fruits.txt"]],
    ["/usr/bin/head", ["-c", "100", "data/text.txt"]],
    ["/usr/bin/tail", ["-n", "3", "data/nums.txt"]],
    ["/usr/bin/cut", ["-c", "1-3", "data/fruits.txt"]],
    ["/usr/bin/tr", ["-s", "a-z", "A-Z"], fruits],
    ["/usr/bin/wc", ["data/text.txt", "data/nums.txt"]],
    ["/usr/bin/uniq", ["-c"], "a\na\nb\na\n"],
    ["/usr/bin/md5sum", ["data/text.txt"]],
    ["/usr/bin/sha256sum", ["data/nums.txt"]],
    ["/usr/bin/seq", ["-s", ",", "1", "3", "30"]],
    ["/usr/bin/factor", ["1234567890123456789", "18446744073709551617"]],
    ["/usr/bin/od", ["-A", "x", "-t", "x1z", "data/fruits.txt"]],
    ["/usr/bin/base64", ["data/fruits.txt"]],
    ["/bin/date", ["-u", "-d", "@1000000000", "+%Y-%m-%d %H:%M:%S %A"]],
    ["/usr/bin/printf", ["%5.2f|%x|%s\\n", "3.14159", "255", "ok"]],
    ["/usr/bin/expr", ["12", "*", "34"]],
    ["/usr/bin/numfmt", ["--to=iec", "123456789"]],
  ]);
});

test("debian i386: dlopen and iconv's gconv modules as under qemu-i386", () => {
  compare([["/dlopen", []]]);
});

test(`debian i386: fx86 exec --root DIR /usr/bin/sort runs the root's program (${runtime})`, () => {
  const root = scratchRoot();
  try {
    const r = fx86(runtime, ["exec", "--root", root, "/usr/bin/sort", "-r", "/data/fruits.txt"]);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "cherry\nbanana\napple\nApple pie\n9\n100\n10\n");
    assert.equal(r.status, 0);
    // The root has no /dev or /tmp: --root adds the standard ones.
    const ls = fx86(runtime, ["exec", "--root", root, "/bin/ls", "-l", "-gG", "--time-style=+", "/dev", "/tmp"]);
    assert.equal(ls.stderr, "");
    assert.match(ls.stdout, /^\/dev:\ntotal 0\ncrw-rw-rw- 1 1, 7 +full\ncrw-rw-rw- 1 1, 3 +null\n/);
    assert.match(ls.stdout, /\nc[-rw]+ 1 1, 9 +urandom\ncrw-rw-rw- 1 1, 5 +zero\n\n\/tmp:\ntotal 0\n$/);
    // Without --root, the loader is missing: one line saying what to do.
    const bare = fx86(runtime, ["exec", join(root, "bin/ls")]);
    assert.equal(
      bare.stderr,
      `fx86: ${join(root, "bin/ls")}: interpreter /lib/ld-linux.so.2: not in the guest's file system (give the root holding it with --root DIR)\n`,
    );
    assert.equal(bare.status, 2);
    // The program's path in the root is its AT_EXECFN, so /proc/self/exe names it.
    const exe = fx86(runtime, ["exec", "--root", root, "/bin/readlink", "/proc/self/exe"]);
    assert.equal(exe.stdout, "/bin/readlink\n");
    // /proc/self/maps names the program, ld.so and libc, read back from the loader's list.
    const maps = fx86(runtime, ["exec", "--root", root, "/bin/cat", "/proc/self/maps"]).stdout;
    const names = new Set(maps.split("\n").map((l) => l.slice(73)).filter((n) => n !== ""));
    assert.deepEqual([...names].sort(), ["/bin/cat", "/lib/i386-linux-gnu/libc.so.6", "/lib/ld-linux.so.2", "[heap]", "[stack]"]);
    assert.match(maps, /^56555000-56556000 r--p 00000000 00:00 0 +\/bin\/cat\n/);
    // The REPL's load --root takes the program from the root too, and runs it as exec does.
    const json = JSON.parse(fx86(runtime, ["exec", "--json", "--root", root, "/bin/ls", "/"]).stdout);
    const repl = fx86(runtime, ["repl"], `load --root ${root} /bin/ls /\nrun\n`);
    assert.match(repl.stdout, new RegExp(`^ls exited with status 0 at instruction ${json.instructions}$`, "m"));
    // coreutils' df reads /proc/self/mountinfo.
    const df = fx86(runtime, ["exec", "--root", root, "/bin/df", "--output=source,fstype,target", "/"]);
    assert.equal(df.stderr, "");
    assert.equal(df.stdout, "Filesystem     Type  Mounted on\ntmpfs          tmpfs /\n");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("debian i386: the same root under Deno and Bun, and for budget splits and restores", () => {
  const root = scratchRoot();
  try {
    const args = ["exec", "--json", "--root", root, "/bin/grep", "-c", "fox", "/data/text.txt"];
    const [deno, bun] = (["deno", "bun"] as const).map((rt) => JSON.parse(fx86(rt, args).stdout));
    assert.equal(deno.status, "exited");
    assert.equal(deno.root, bun.root);
    assert.equal(deno.instructions, bun.instructions);
    // In process: stopping anywhere, even inside ld.so, and going on (from
    // the live guest or from its tree) ends in the same root.
    const start = () => {
      const fs = fileSystemFromHost(root);
      const program = contents(fs.find("/bin/grep") as FileNode);
      // As fx86 exec --root starts it: AT_EXECFN and /proc/self/exe are the root's /bin/grep.
      return Guest.fromElf({ program, argv: ["grep", "-c", "fox", "/data/text.txt"], execfn: "/bin/grep", exe: "/bin/grep", fs });
    };
    for (const split of [1, 1000, 150_000, Math.floor(deno.instructions / 2), deno.instructions - 1]) {
      const g = start();
      assert.equal(g.run(split).status, "budget");
      const restored = Guest.fromTree(g.toTree());
      assert.equal(g.run(Infinity).status, "exited");
      assert.equal(restored.run(Infinity).status, "exited");
      assert.equal(g.toTree().hash, deno.root, `split at ${split}`);
      assert.equal(restored.toTree().hash, deno.root, `restored at ${split}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/**
 * The C test programs of tests/linux/progs/ built without -static (so they
 * run with the root's ld.so and libc), and the signal that ends each (""
 * when it exits with 0): fork+wait and fork+exec (procs), pipes between
 * processes, a pthread pool with mutexes and condition variables
 * (threads), handlers for SIGUSR1, SIGSEGV recovered with siglongjmp and
 * more (signals), alarm and the other timers (timers), SIGCHLD and timers
 * among processes (children).
 */
const DYNAMIC: [string, number][] = [
  ["procs", 0],
  ["pipes", 0],
  ["threads", 0],
  ["signals", 15],
  ["timers", 14],
  ["children", 0],
];

/** Copies the dynamic build of each DYNAMIC program into `root` as /progs/NAME. */
function installDynamic(root: string): void {
  mkdirSync(join(root, "progs"));
  for (const [name] of DYNAMIC) {
    const exe = compile(`tests/linux/progs/${name}.c`, `debian/progs/${name}`, ["-Wall", "-pthread"]);
    spawnSync("cp", [exe, join(root, "progs", name)]);
  }
}

/** A DYNAMIC program started as fx86 exec --root starts it (AT_EXECFN and /proc/self/exe are its path in the root). */
function dynamicGuest(root: string, name: string): Guest {
  const fs = fileSystemFromHost(root);
  const path = `/progs/${name}`;
  return Guest.fromElf({ program: contents(fs.find(path) as FileNode), argv: [name], execfn: path, exe: path, fs });
}

test("debian i386: the C test programs built without -static print what they print under qemu-i386 -L", () => {
  const root = scratchRoot();
  const d = new TextDecoder();
  const comparable = (name: string, out: Uint8Array) =>
    d.decode(out).split("\n").filter((l) => !(QEMU_WRONG_SIGNALS[name] ?? []).some((w) => l.startsWith(w))).join("\n");
  try {
    installDynamic(root);
    for (const [name, signal] of DYNAMIC) {
      const want = reference(root, `/progs/${name}`, [], "");
      const expected = comparable(name, want.stdout);
      assert.equal(d.decode(want.stderr), "", `${name} under qemu-i386`);
      assert.equal(want.status, signal ? null : 0, `${name} under qemu-i386: ${expected}`);
      assert.ok(!expected.includes(": no\n"), `a property failed under qemu-i386:\n${expected}`);
      const g = dynamicGuest(root, name);
      const stop = g.run(Infinity);
      assert.equal(stop.status, "exited", `${name}: ${JSON.stringify(stop)}`);
      assert.equal(comparable(name, g.linux.stdout), expected, `${name}: stdout`);
      assert.equal(d.decode(g.linux.stderr), "", `${name}: stderr`);
      assert.equal(stop.exitCode, signal ? 128 + signal : 0, `${name}: exit status`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("debian i386: a dynamic build of children.c ends in the same root under Deno and Bun and for every budget split", () => {
  const root = scratchRoot();
  try {
    installDynamic(root);
    const args = ["exec", "--json", "--root", root, "/progs/children"];
    const [deno, bun] = (["deno", "bun"] as const).map((rt) => JSON.parse(fx86(rt, args).stdout));
    assert.equal(deno.status, "exited");
    assert.equal(deno.exit_code, 0);
    assert.equal(deno.root, bun.root);
    assert.equal(deno.instructions, bun.instructions);
    const whole = dynamicGuest(root, "children");
    whole.run(Infinity);
    assert.equal(whole.toTree().hash, deno.root, "in process as under the CLI");
    for (const split of [1, 1000, 150_000, Math.floor(deno.instructions / 3), Math.floor(deno.instructions / 2), deno.instructions - 1]) {
      const g = dynamicGuest(root, "children");
      assert.equal(g.run(split).status, "budget");
      const restored = Guest.fromTree(g.toTree());
      assert.equal(restored.run(Infinity).status, "exited");
      assert.equal(restored.toTree().hash, deno.root, `split at ${split}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
