import { assert, test } from "../harness.ts";
import {
  EACCES,
  EBADF,
  EEXIST,
  EFAULT,
  EINVAL,
  ENODEV,
  ENOMEM,
} from "../../core/linux/errno.ts";
import { O_RDWR, O_WRONLY } from "../../core/linux/files.ts";
import { MMAP_TOP, TASK_SIZE } from "../../core/linux/layout.ts";
import { PROT_EXEC, PROT_READ, PROT_WRITE } from "../../core/memory/memory.ts";
import { enc, Sys } from "./sys.ts";

const RW = PROT_READ | PROT_WRITE;
const PRIVATE = 0x02,
  SHARED = 0x01,
  FIXED = 0x10,
  ANON = 0x20,
  NOREPLACE = 0x100000;

/** mmap2 returning an unsigned address or a negative errno. */
function mmap(
  s: Sys,
  addr: number,
  len: number,
  prot: number,
  flags: number,
  fd = -1,
  pgoff = 0,
) {
  const r = s.call("mmap2", addr, len, prot, flags, fd, pgoff);
  return r < 0 && r > -4096 ? r : r >>> 0;
}

test("memory: brk grows and shrinks the heap in whole pages", () => {
  const s = new Sys();
  s.k.brkStart = s.k.brk = 0x08100000;
  assert.equal(s.call("brk", 0), 0x08100000);
  assert.equal(s.call("brk", 0x08100880), 0x08100880);
  assert.equal(s.m.protOf(0x08100), RW);
  s.m.w32(0x08100870, 42);
  assert.equal(s.call("brk", 0x08103000), 0x08103000);
  assert.equal(s.m.isMapped(0x08102), true);
  assert.equal(s.m.isMapped(0x08103), false);
  assert.equal(
    s.call("brk", 0x08000000),
    0x08103000,
    "below the start: unchanged",
  );
  assert.equal(s.call("brk", 0x08101000), 0x08101000);
  assert.equal(s.m.isMapped(0x08101), false);
  assert.equal(s.m.r32(0x08100870), 42);
  s.m.map(0x08105000, 0x1000, PROT_READ);
  assert.equal(
    s.call("brk", 0x08106000),
    0x08101000,
    "refuses to overlap a mapping",
  );
  assert.equal(s.call("brk", 0x08102000), 0x08102000);
  assert.equal(s.m.r32(0x08101000), 0, "regrown pages are zero");
});

test("memory: anonymous mmap is placed top-down below MMAP_TOP", () => {
  const s = new Sys();
  const a = mmap(s, 0, 8192, RW, PRIVATE | ANON);
  assert.equal(a, MMAP_TOP - 8192);
  const b = mmap(s, 0, 100, PROT_READ, PRIVATE | ANON);
  assert.equal(b, MMAP_TOP - 12288, "lengths round up to pages");
  assert.equal(s.m.protOf(b >>> 12), PROT_READ);
  s.m.w32(a, 7);
  assert.equal(s.call("munmap", a, 8192), 0);
  assert.equal(s.m.isMapped(a >>> 12), false);
  const c = mmap(s, 0, 4096, RW, PRIVATE | ANON);
  assert.equal(c, MMAP_TOP - 4096, "freed space is reused");
  assert.equal(s.m.r32(c), 0);
  // a free hint is honoured, a taken one is not
  assert.equal(mmap(s, 0x50000000, 4096, RW, PRIVATE | ANON), 0x50000000);
  assert.notEqual(mmap(s, 0x50000000, 4096, RW, PRIVATE | ANON), 0x50000000);
  // MAP_FIXED replaces, MAP_FIXED_NOREPLACE refuses
  s.m.w32(0x50000000, 9);
  assert.equal(
    mmap(s, 0x50000000, 4096, RW, PRIVATE | ANON | FIXED),
    0x50000000,
  );
  assert.equal(s.m.r32(0x50000000), 0);
  assert.equal(
    mmap(s, 0x50000000, 4096, RW, PRIVATE | ANON | NOREPLACE),
    -EEXIST,
  );
  assert.equal(mmap(s, 0x50000001, 4096, RW, PRIVATE | ANON | FIXED), -EINVAL);
  assert.equal(
    mmap(s, TASK_SIZE - 4096, 8192, RW, PRIVATE | ANON | FIXED),
    -ENOMEM,
  );
  assert.equal(mmap(s, 0, 0, RW, PRIVATE | ANON), -EINVAL);
  assert.equal(
    mmap(s, 0, 4096, RW, ANON),
    -EINVAL,
    "neither shared nor private",
  );
  assert.equal(mmap(s, 0, 0xf0000000, RW, PRIVATE | ANON), -ENOMEM);
});

test("memory: file mappings copy the file; writable shared ones are refused", () => {
  const s = new Sys();
  const content = new Uint8Array(6000).map((_, i) => i & 0xff);
  s.fs.writeFile("/f", content);
  const fd = s.open("/f");
  const a = mmap(s, 0, 8192, PROT_READ, PRIVATE, fd);
  assert.deepEqual(s.bytes(a, 6000), content);
  assert.equal(s.m.r8(a + 6000), 0, "past the end of file: zeros");
  const b = mmap(s, 0, 4096, RW, PRIVATE, fd, 1);
  assert.equal(s.m.r8(b), content[4096], "offset in pages");
  s.m.w8(b, 0xee);
  assert.equal(
    s.fs.readFile("/f")[4096],
    content[4096],
    "private: the file is unchanged",
  );
  assert.ok(
    mmap(s, 0, 4096, PROT_READ, SHARED, fd) > 0,
    "read-only shared is fine",
  );
  assert.equal(mmap(s, 0, 4096, RW, SHARED, s.open("/f", O_RDWR)), -ENODEV);
  assert.equal(mmap(s, 0, 4096, RW, SHARED, fd), -EACCES);
  assert.equal(
    mmap(s, 0, 4096, PROT_READ, PRIVATE, s.open("/f", O_WRONLY)),
    -EACCES,
  );
  assert.equal(mmap(s, 0, 4096, PROT_READ, PRIVATE, 77), -EBADF);
  assert.equal(
    mmap(s, 0, 4096, PROT_READ, PRIVATE, 0),
    -ENODEV,
    "stdin is a pipe",
  );
  // old mmap takes a struct with a byte offset
  const args = s.data(
    new Uint8Array(
      new Uint32Array([0, 4096, PROT_READ, PRIVATE, fd, 4096]).buffer,
    ),
  );
  const c = s.call("mmap", args) >>> 0;
  assert.equal(s.m.r8(c), content[4096]);
  const unaligned = s.data(
    new Uint8Array(
      new Uint32Array([0, 4096, PROT_READ, PRIVATE, fd, 10]).buffer,
    ),
  );
  assert.equal(s.call("mmap", unaligned), -EINVAL);
});

test("memory: mprotect, mremap, madvise, mincore", () => {
  const s = new Sys();
  const a = mmap(s, 0, 3 * 4096, RW, PRIVATE | ANON);
  assert.equal(s.call("mprotect", a + 4096, 4096, PROT_READ | PROT_EXEC), 0);
  assert.equal(s.m.protOf((a >>> 12) + 1), PROT_READ | PROT_EXEC);
  assert.equal(s.call("mprotect", a + 1, 4096, PROT_READ), -EINVAL);
  assert.equal(s.call("mprotect", 0x60000000, 4096, PROT_READ), -ENOMEM);
  assert.equal(
    s.call("mprotect", a, 4096, 0x01000000 | PROT_READ),
    0,
    "PROT_GROWSDOWN is accepted",
  );
  s.m.poke(a, enc.encode("keep me"));
  // growing with no room after it moves the mapping, contents and all
  const blocker = a + 3 * 4096;
  s.m.map(blocker, 4096, PROT_READ);
  assert.equal(
    s.call("mremap", a, 3 * 4096, 5 * 4096, 0),
    -ENOMEM,
    "may not move",
  );
  const b = s.call("mremap", a, 3 * 4096, 5 * 4096, 1) >>> 0;
  assert.notEqual(b, a);
  assert.equal(s.text(b, 7), "keep me");
  assert.equal(s.m.isMapped(a >>> 12), false);
  assert.equal(s.m.protOf((b >>> 12) + 1), PROT_READ | PROT_EXEC);
  assert.equal(s.m.r32(b + 4 * 4096), 0);
  // shrinking in place, growing in place
  assert.equal(s.call("mremap", b, 5 * 4096, 4096, 0) >>> 0, b);
  assert.equal(s.m.isMapped((b >>> 12) + 1), false);
  assert.equal(s.call("mremap", b, 4096, 2 * 4096, 0) >>> 0, b);
  assert.equal(s.call("mremap", 0x60000000, 4096, 8192, 1), -EFAULT);
  // MREMAP_FIXED
  assert.equal(
    s.call("mremap", b, 4096, 4096, 3, 0x70000000) >>> 0,
    0x70000000,
  );
  assert.equal(s.text(0x70000000, 7), "keep me");
  // MADV_DONTNEED zeroes; others change nothing
  assert.equal(s.call("madvise", 0x70000000, 4096, 4), 0);
  assert.equal(s.m.r32(0x70000000), 0);
  assert.equal(s.call("madvise", 0x70000001, 4096, 4), -EINVAL);
  const vec = s.alloc(2);
  assert.equal(s.call("mincore", 0x70000000, 4096, vec), 0);
  assert.equal(s.m.r8(vec), 1);
  assert.equal(s.call("mincore", 0x70001000, 4096, vec), -ENOMEM);
  assert.equal(s.call("munmap", 0x70000001, 4096), -EINVAL);
});
