/**
 * The process table at the personality's level (core/linux/process/):
 * fork gives the child its own descriptors over shared open files and
 * pipes and a copy-on-write memory, wait4 blocks until a child ends and
 * then reaps it, pipes between processes see each other's ends, and kill
 * reaches another process. busybox and C programs exercise the same
 * through real code in processes.test.ts.
 */
import { assert, test } from "../harness.ts";
import { ECHILD, EPERM, ESRCH } from "../../core/linux/errno.ts";
import { EAX } from "../../core/cpu/state.ts";
import { callIn, Sys } from "./sys.ts";

test("fork: the child has its own pid, descriptors and memory", () => {
  const s = new Sys();
  const addr = s.alloc(4);
  s.m.write(addr, new Uint8Array([1, 2, 3, 4]));
  const pid = s.call("fork");
  assert.equal(pid, 101);
  const child = s.k.machine.procs!.get(pid)!;
  assert.equal(child.ppid, 100);
  assert.equal(callIn(child, "getpid"), 101);
  assert.equal(callIn(child, "getppid"), 100);
  assert.equal(child.cpu!.r[EAX], 100, "the last call's result");
  assert.deepEqual([...child.fds.keys()], [0, 1, 2]);
  // Copy-on-write: each sees its own writes only.
  child.mem!.write(addr, new Uint8Array([9]));
  assert.equal(s.m.read(addr, 1)[0], 1);
  assert.equal(child.mem!.read(addr, 2)[1], 2);
});

test("fork: wait4 blocks until the child ends, then reaps it", () => {
  const s = new Sys();
  const status = s.alloc(4);
  assert.equal(s.call("wait4", -1, status, 1 /* WNOHANG */, 0), -ECHILD);
  const pid = s.call("fork");
  assert.equal(s.call("wait4", -1, status, 1, 0), 0, "WNOHANG: nobody has ended");
  s.call("wait4", -1, status, 0, 0);
  assert.ok(s.c.halted);
  assert.match(s.k.blocked!, /child/);
  const child = s.k.machine.procs!.get(pid)!;
  callIn(child, "exit_group", 7);
  assert.equal(child.cpu, undefined, "an ended process keeps no CPU or memory");
  assert.equal(child.fds.size, 0);
  assert.equal(s.call("wait4", pid, status, 0, 0), pid);
  assert.equal(s.u32(status), 7 << 8);
  assert.equal(s.k.machine.procs!.has(pid), false, "reaped");
  assert.equal(s.call("wait4", -1, status, 0, 0), -ECHILD);
});

test("fork: a pipe between parent and child", () => {
  const s = new Sys();
  const fds = s.alloc(8);
  s.call("pipe", fds);
  const [r, w] = [s.i32(fds), s.i32(fds + 4)];
  const msg = s.data(new TextEncoder().encode("from the child"));
  const pid = s.call("fork");
  const child = s.k.machine.procs!.get(pid)!;
  s.call("close", w);
  callIn(child, "close", r);
  assert.equal(callIn(child, "write", w, msg, 14), 14);
  const buf = s.alloc(64);
  assert.equal(s.call("read", r, buf, 64), 14);
  assert.equal(new TextDecoder().decode(s.m.read(buf, 14)), "from the child");
  s.call("read", r, buf, 64);
  assert.ok(s.c.halted, "the child still holds the write end: the read blocks");
  callIn(child, "exit_group", 0);
  s.c.halted = false;
  assert.equal(s.call("read", r, buf, 64), 0, "end of file once the child has gone");
});

test("fork: kill ends another process; process groups and sessions", () => {
  const s = new Sys();
  const pid = s.call("fork");
  const child = s.k.machine.procs!.get(pid)!;
  assert.equal(s.call("setsid"), -EPERM, "the first process leads its group");
  assert.equal(callIn(child, "setsid"), pid);
  assert.equal(s.call("getpgid", pid), pid);
  assert.equal(s.call("setpgid", pid, 100), -EPERM, "the child is in another session now");
  assert.equal(s.call("kill", 4242, 15), -ESRCH);
  assert.equal(s.call("kill", pid, 15), 0);
  assert.deepEqual(child.exit, { kind: "killed", signal: 15 });
  const status = s.alloc(4);
  assert.equal(s.call("wait4", pid, status, 0, 0), pid);
  assert.equal(s.u32(status), 15);
});
