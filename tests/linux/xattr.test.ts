import { assert, test } from "../harness.ts";
import { EBADF, ENODATA, ENOENT, EOPNOTSUPP, ERANGE } from "../../core/linux/errno.ts";
import { O_RDONLY } from "../../core/linux/files.ts";
import { Sys } from "./sys.ts";

test("xattr: none to read or list, none can be set; the target is resolved first", () => {
  const s = new Sys();
  s.fs.writeFile("/f", new Uint8Array(1));
  s.fs.symlink("missing", "/dangling");
  const buf = s.alloc(64), name = s.str("user.x");
  for (const call of ["getxattr", "lgetxattr"]) {
    assert.equal(s.call(call, s.str("/f"), name, buf, 64), -ENODATA, call);
    assert.equal(s.call(call, s.str("/nope"), name, buf, 64), -ENOENT, call);
  }
  // lgetxattr looks at the link itself, getxattr follows it.
  assert.equal(s.call("lgetxattr", s.str("/dangling"), name, buf, 64), -ENODATA);
  assert.equal(s.call("getxattr", s.str("/dangling"), name, buf, 64), -ENOENT);
  assert.equal(s.call("listxattr", s.str("/f"), buf, 64), 0);
  assert.equal(s.call("llistxattr", s.str("/dangling"), buf, 64), 0);
  assert.equal(s.call("setxattr", s.str("/f"), name, buf, 1, 0), -EOPNOTSUPP);
  assert.equal(s.call("removexattr", s.str("/f"), name), -ENODATA);
  assert.equal(s.call("getxattr", s.str("/f"), s.str(""), buf, 64), -ERANGE, "empty name");
  assert.equal(s.call("getxattr", s.str("/f"), s.str("u".repeat(256)), buf, 64), -ERANGE, "long name");
  const fd = s.call("open", s.str("/f"), O_RDONLY);
  assert.equal(s.call("fgetxattr", fd, name, buf, 64), -ENODATA);
  assert.equal(s.call("flistxattr", fd, buf, 64), 0);
  assert.equal(s.call("fsetxattr", fd, name, buf, 1, 0), -EOPNOTSUPP);
  assert.equal(s.call("fremovexattr", 99, name), -EBADF);
  assert.ok(s.trace.includes(`getxattr("/f", "user.x", ${"0x" + buf.toString(16)}, 64) = -1 ENODATA`), s.trace.join("\n"));
});
