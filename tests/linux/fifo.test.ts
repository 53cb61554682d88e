/**
 * Named pipes beyond what tests/linux/progs/fifo.c compares with the
 * reference (which runs as root there): what mknod refuses a non-root
 * guest, and fifos, their queued bytes and an open waiting for its other
 * end surviving the guest's tree (docs/linux.md, "Named pipes").
 */
import { assert, test } from "../harness.ts";
import { EOPNOTSUPP, EPERM } from "../../core/linux/errno.ts";
import { O_NONBLOCK, O_RDONLY, O_WRONLY } from "../../core/linux/files.ts";
import { Linux } from "../../core/linux/linux.ts";
import { linuxToTree } from "../../core/linux/state.ts";
import { callIn, Sys } from "./sys.ts";

const S_IFIFO = 0o010000, S_IFCHR = 0o020000, S_IFBLK = 0o060000, S_IFSOCK = 0o140000;

/** A copy of `s`'s guest made from its tree, as a snapshot restores it. */
function restored(s: Sys): Sys {
  return new Sys({ linux: Linux.fromTree(linuxToTree(s.k)) });
}

test("fifo: a guest that is not root makes no device nodes (EPERM), and no sockets (EOPNOTSUPP)", () => {
  const s = new Sys();
  assert.equal(s.call("mknod", s.str("/null"), S_IFCHR | 0o666, 0x103), -EPERM);
  assert.equal(s.call("mknod", s.str("/sda"), S_IFBLK | 0o660, 0x800), -EPERM);
  assert.equal(s.call("mknod", s.str("/sock"), S_IFSOCK | 0o600, 0), -EOPNOTSUPP);
  assert.equal(s.fs.find("/null"), undefined);
});

test("fifo: the node, its mode and its queued bytes survive the guest's tree", () => {
  const s = new Sys();
  assert.equal(s.call("mknod", s.str("/f"), S_IFIFO | 0o640, 0), 0);
  const rd = s.open("/f", O_RDONLY | O_NONBLOCK);
  const wr = s.open("/f", O_WRONLY);
  assert.equal(s.write(wr, "queued"), 6);
  const t = linuxToTree(s.k);
  assert.match(new TextDecoder().decode(t.fsmeta.bytes), /"type":"fifo"/);
  const r = restored(s);
  const node = r.fs.find("/f");
  assert.equal(node?.kind, "fifo");
  assert.equal(node?.mode, 0o640 & ~0o022);
  assert.equal(r.read(rd), "queued");
  r.call("close", wr);
  assert.equal(r.read(rd), "", "end of file once the writer closed");
  assert.equal(linuxToTree(r.k).os.hash, linuxToTree(restored(r).k).os.hash);
});

test("fifo: an open waiting for a writer survives the tree, still counts as a reader, and completes", () => {
  const s = new Sys();
  s.call("mknod", s.str("/f"), S_IFIFO | 0o600, 0);
  const path = s.str("/f");
  s.call("open", path, O_RDONLY, 0);
  assert.equal(s.k.blocked, "opening a fifo nobody writes");
  const r = restored(s);
  assert.deepEqual(r.k.fifoWait, s.k.fifoWait);
  // Another process's writer that does not wait: the waiting reader counts.
  // The restored guest's memory is the harness's own: the arguments again.
  const again = r.str("/f");
  const hi = r.str("hi");
  const pid = r.call("fork");
  const child = r.k.machine.procs!.get(pid)!;
  const wr = callIn(child, "open", again, O_WRONLY | O_NONBLOCK, 0);
  assert.equal(wr, 3, "O_WRONLY|O_NONBLOCK");
  const rd = r.call("open", again, O_RDONLY, 0);
  assert.equal(rd, 3, "the retried open");
  assert.equal(r.k.fifoWait, undefined);
  assert.equal(callIn(child, "write", wr, hi, 2), 2);
  assert.equal(r.read(rd), "hi");
});
