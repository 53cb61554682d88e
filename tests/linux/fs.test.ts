import { assert, test } from "../harness.ts";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import type { DirNode } from "../../core/linux/fs/node.ts";
import { standardLayout } from "../../core/linux/fs/layout.ts";
import { fromHost, toHost } from "../../core/linux/fs/names.ts";
import { Linux } from "../../core/linux/linux.ts";
import { O_CREAT, O_RDWR } from "../../core/linux/files.ts";
import { dec, enc, Sys } from "./sys.ts";

test("fs: host API builds a tree with deterministic inode numbers", () => {
  const build = () => {
    const fs = new FileSystem();
    fs.writeFile("/etc/hostname", enc.encode("fx86\n"));
    fs.mkdirp("/usr/bin", { mode: 0o700 });
    fs.symlink("../etc/hostname", "/usr/name");
    fs.writeFile("/usr/bin/tool", enc.encode("#!"), {
      mode: 0o755,
      uid: 0,
      gid: 0,
    });
    return fs;
  };
  const fs = build();
  assert.deepEqual(
    [...fs.walkTree()].map(({ path, node }) =>
      `${path || "/"} ${node.kind} ${node.ino}`
    ),
    [
      "/ dir 1",
      "/etc dir 2",
      "/etc/hostname file 3",
      "/usr dir 4",
      "/usr/bin dir 5",
      "/usr/bin/tool file 7",
      "/usr/name symlink 6",
    ],
  );
  assert.deepEqual(build().dump(), fs.dump(), "same calls, same tree");
  assert.equal(dec.decode(fs.readFile("/usr/name")), "fx86\n");
  assert.equal(fs.find("/usr/bin")!.mode, 0o700);
  assert.equal(fs.find("/usr/bin/tool")!.uid, 0);
  assert.equal(fs.find("/usr/name", false)!.kind, "symlink");
  assert.equal(fs.find("/nope"), undefined);
  assert.throws(() => fs.writeFile("/usr/bin", enc.encode("")), /not a file/);
  assert.throws(() => fs.readFile("/usr"), /no such file/);
  fs.writeFile("/etc/hostname", enc.encode("other\n"));
  assert.equal(fs.find("/etc/hostname")!.ino, 3, "rewriting keeps the inode");
});

test("fs: walking a very deep tree needs no host recursion", () => {
  const fs = new FileSystem();
  let dir = fs.get(fs.root);
  for (let i = 0; i < 50000; i++) {
    const next = fs.create<DirNode>({
      kind: "dir",
      mode: 0o755,
      entries: new Map(),
      parent: dir.ino,
    });
    fs.link(dir as DirNode, "d", next);
    dir = next;
  }
  let n = 0;
  for (const _ of fs.walkTree()) n++;
  assert.equal(n, 50001);
  assert.equal(FileSystem.load(fs.dump()).nodes.size, 50001);
});

test("fs: names are bytes; host strings are UTF-8", () => {
  assert.equal(fromHost("é"), "\xc3\xa9");
  assert.equal(toHost("\xc3\xa9"), "é");
  const fs = new FileSystem();
  fs.writeFile("/café", enc.encode("x"));
  assert.deepEqual([...fs.walkTree()].map((e) => e.path), ["", "/caf\xc3\xa9"]);
  assert.equal(dec.decode(fs.readFile("/café")), "x");
});

test("fs: dump and load round-trip exactly, unlinked open files included", () => {
  const s = new Sys();
  standardLayout(s.fs);
  s.fs.writeFile("/a", enc.encode("hello"));
  s.fs.symlink("a", "/l");
  s.call("link", s.str("/a"), s.str("/tmp/hard"));
  const fd = s.open("/gone", O_CREAT | O_RDWR);
  s.write(fd, "still open");
  s.call("unlink", s.str("/gone"));
  const dump = s.fs.dump();
  const copy = FileSystem.load(dump);
  assert.deepEqual(copy.dump(), dump);
  assert.equal(copy.nodes.size, s.fs.nodes.size);
  assert.equal(copy.find("/a")!.nlink, 2);
  // the copy is independent
  copy.writeFile("/a", enc.encode("changed"));
  assert.equal(dec.decode(s.fs.readFile("/a")), "hello");
  // the dump is plain data: it survives structuredClone
  assert.deepEqual(FileSystem.load(structuredClone(dump)).dump(), dump);
});

test("fs: Linux dump/load resumes exactly where it was", () => {
  const s = new Sys({ stdin: enc.encode("abcdef") });
  standardLayout(s.fs);
  s.fs.mkdirp("/d");
  s.read(0, 2);
  const fd = s.open("/d/f", O_CREAT | O_RDWR);
  s.write(fd, "0123456789");
  s.call("lseek", fd, 4, 0);
  const fds = s.alloc(8);
  s.call("pipe", fds);
  s.write(s.i32(fds + 4), "queued");
  s.call("chdir", s.str("/d"));
  s.call("umask", 0o027);
  s.write(1, "out so far\n");
  s.k.brkStart = s.k.brk = 0x9000000;

  const dump = s.k.dump();
  const k2 = Linux.load(structuredClone(dump));
  assert.deepEqual(k2.dump(), dump);
  // continue both the same way and compare
  const s2 = new Sys({ linux: k2 });
  for (const t of [s, s2]) {
    assert.equal(t.read(0), "cdef", "stdin position");
    assert.equal(t.read(fd, 3), "456", "file offset");
    assert.equal(t.read(s.i32(fds), 100), "queued", "pipe contents");
    assert.equal(t.open("f"), fd + 3, "cwd and fd numbering");
    t.write(1, "more\n");
  }
  assert.deepEqual(s2.trace, s.trace.slice(-s2.trace.length));
  assert.equal(dec.decode(k2.stdout), "out so far\nmore\n");
  assert.equal(k2.umask, 0o027);
  assert.deepEqual(k2.dump().fs, s.k.dump().fs);
});
