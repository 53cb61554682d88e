/**
 * /proc (core/linux/fs/proc/) through Debian's busybox: ps, free, df, top
 * and cat read it as they read a kernel's; it is written into the guest's
 * tree only when the guest looks at it, is read-only, and is part of the
 * state like any file (budget splits, restores, both runtimes: one root).
 * tests/linux/progs/proc.c checks its contents against the reference.
 */
import { assert, test } from "../harness.ts";
import { busybox, runFx86 } from "../support/guests.ts";
import { fx86 } from "../support/cli.ts";
import { Guest } from "../../core/vm/guest.ts";
import { BUSYBOX } from "../support/guests.ts";

const d = new TextDecoder();

function run(args: string[]) {
  const r = runFx86(busybox(), { argv: ["busybox", ...args] });
  return { out: d.decode(r.stdout), err: d.decode(r.stderr), status: r.status, guest: r.guest };
}

test("proc: ps, free, df, top, pidof, nproc, mount, sysctl and lsmod read it", () => {
  assert.equal(run(["ps"]).out, "PID   USER     COMMAND\n  100 1000     busybox ps\n");
  assert.equal(
    run(["ps", "-o", "pid,ppid,stat,args"]).out,
    "PID   PPID  STAT COMMAND\n  100     1 R    busybox ps -o pid,ppid,stat,args\n",
  );
  // The machine sysinfo describes: 1 GiB, half of it free.
  assert.equal(
    run(["free"]).out,
    "              total        used        free      shared  buff/cache   available\n" +
      "Mem:        1048576      524288      524288           0           0      524288\n" +
      "-/+ buffers/cache:       524288      524288\n" +
      "Swap:             0           0           0\n",
  );
  const df = run(["df", "-k"]).out.split("\n");
  assert.match(df[1], /^tmpfs +1048576 +\d+ +\d+ +\d+% \/$/);
  assert.match(run(["top", "-b", "-n1"]).out, /\n +100 +1 1000 +R +\d+ +\d+% +\d+% busybox top -b -n1\n/);
  assert.equal(run(["pidof", "busybox"]).out, "100\n");
  assert.equal(run(["nproc"]).out, "1\n");
  assert.equal(run(["mount"]).out, "tmpfs on / type tmpfs (rw,relatime)\n");
  assert.equal(run(["sysctl", "kernel.hostname", "kernel.osrelease"]).out, "kernel.hostname = fx86\nkernel.osrelease = 6.1.0-fx86\n");
  const lsmod = run(["lsmod"]);
  assert.equal(lsmod.err, "");
  assert.match(lsmod.out, /^Module +Size +Used by/);
});

test("proc: /proc/self/maps names the program, the heap and the stack, in address order", () => {
  const maps = run(["cat", "/proc/self/maps"]).out.trimEnd().split("\n");
  for (const line of maps) assert.match(line, /^[0-9a-f]{8}-[0-9a-f]{8} [r-][w-][x-]p [0-9a-f]{8} 00:00 0 +(\[heap\]|\[stack\]|busybox)?$/);
  assert.equal(maps.at(-1), "bf800000-c0000000 rw-p 00000000 00:00 0".padEnd(73) + "[stack]");
  assert.ok(maps.some((l) => l.endsWith("[heap]")));
  // busybox's code: its second PT_LOAD segment, from file offset 0x1000.
  assert.ok(maps.includes("08049000-081cd000 r-xp 00001000 00:00 0".padEnd(73) + "busybox"), maps.join("\n"));
  const starts = maps.map((l) => parseInt(l.slice(0, 8), 16));
  assert.deepEqual(starts, [...starts].sort((a, b) => a - b));
});

test("proc: only guests that look at it have it, read-only", () => {
  const quiet = run(["echo", "hi"]);
  assert.equal(quiet.guest.linux.fs.find("/proc"), undefined, "static glibc's start-up readlink of /proc/self/exe leaves the tree alone");
  assert.equal(run(["sh", "-c", "echo x > /proc/uptime"]).err, "sh: can't create /proc/uptime: Permission denied\n");
  assert.equal(run(["rm", "-f", "/proc/cpuinfo"]).err, "rm: can't remove '/proc/cpuinfo': Permission denied\n");
  assert.equal(run(["mkdir", "/proc/x"]).err, "mkdir: can't create directory '/proc/x': Permission denied\n");
  // A root whose /proc is a file of its own keeps it.
  const own = runFx86(busybox(), { argv: ["busybox", "cat", "/proc", "/proc/self/stat"], files: { proc: "mine\n" } });
  assert.equal(d.decode(own.stdout), "mine\n");
  assert.equal(d.decode(own.stderr), "cat: can't open '/proc/self/stat': Not a directory\n");
  assert.equal(run(["ls", "/proc"]).out, "100\ncpuinfo\nfilesystems\nloadavg\nmeminfo\nmodules\nmounts\nself\nstat\nsys\nuptime\nversion\n");
});

test("proc: the same root for every budget split, after a restore, and under Deno and Bun", () => {
  const args = ["sh", "-c", "ps; cat /proc/self/stat /proc/uptime /proc/self/status"];
  const whole = runFx86(busybox(), { argv: ["busybox", ...args] });
  const root = whole.guest.toTree().hash, total = whole.guest.instructions;
  for (const split of [1, 5000, Math.floor(total / 3), total - 1]) {
    const g = Guest.fromElf({ program: busybox(), argv: ["busybox", ...args] });
    assert.equal(g.run(split).status, "budget");
    const restored = Guest.fromTree(g.toTree());
    g.run(Infinity);
    restored.run(Infinity);
    assert.equal(g.toTree().hash, root, `split at ${split}`);
    assert.equal(restored.toTree().hash, root, `restored at ${split}`);
  }
  const cli = ["exec", "--json", BUSYBOX, ...args];
  const [deno, bun] = (["deno", "bun"] as const).map((rt) => JSON.parse(fx86(rt, cli).stdout));
  assert.equal(deno.root, bun.root);
  assert.equal(deno.stdout, bun.stdout);
});
