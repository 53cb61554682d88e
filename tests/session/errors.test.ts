/**
 * Bad commands and bad arguments: one line saying what is wrong, and the
 * whole state (trees, positions, histories, selection, breakpoints) as it
 * was.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { Session } from "../../core/session/mod.ts";
import { Store } from "../../core/store/mod.ts";
import { REPO } from "../support/guests.ts";
import { fingerprint, loaded, NESTING, ok } from "./support.ts";

const BAD: [string, RegExp][] = [
  ["bogus", /unknown command "bogus"/],
  ["stpe 2", /^unknown command "stpe"; did you mean "step"\? type help for the list$/],
  ["contnue", /^unknown command "contnue"; did you mean "continue"\?/],
  ["step x", /N must be a number/],
  ["step 0", /N must be between 1/],
  ["step 1 2", /at most one argument/],
  ["run -5", /N must be a number/],
  ["continue 5", /takes no arguments/],
  ["next 1", /takes no arguments/],
  ["goto", /goto takes one argument/],
  ["goto abc", /N must be a number/],
  ["back 0", /N must be between 1/],
  ["select nosuch", /no guest "nosuch"; guests: nest, nest\/fs\/child/],
  ["select a b", /one guest id/],
  ["select nest/fs", /"nest\/fs" is ambiguous: nest\/fs\/child, nest\/fs\/child\/fs\/child/],
  ["regs extra", /takes no arguments/],
  ["mem", /usage: mem ADDR/],
  ["mem zzz", /ADDR must be a number, a symbol or a register expression/],
  ["mem esp 0", /LEN must be between/],
  ["mem esp 99999999", /LEN must be between/],
  ["disasm 1 2 3", /usage: disasm/],
  ["disasm eip 0", /N must be between/],
  ["tree", /usage: tree ls/],
  ["tree rm x", /usage: tree ls/],
  ["tree ls nosuch", /no node "nosuch"/],
  ["tree ls status", /is a blob/],
  ["tree cat", /usage: tree cat PATH/],
  ["tree cat cpu", /is a directory/],
  ["set", /usage: set REG VALUE/],
  ["set eax", /usage: set REG VALUE/],
  ["set cs 1", /cannot set segment register cs/],
  ["set foo 1", /no register "foo"/],
  ["set eax 0x1ffffffff", /does not fit in 32 bits/],
  ["set eax ten", /VALUE must be a number/],
  ["poke", /usage: poke ADDR BYTE/],
  ["poke 0 1", /address 0x00000000 is not mapped/],
  ["poke esp 256", /BYTE must be between 0 and 255/],
  ["break icount", /usage: break icount N/],
  ["break icount x", /N must be a number/],
  ["break run-entry nest", /top-level guest: nothing RUNs it/],
  ["break run-entry a b", /usage: break run-entry/],
  ["break syscall nosuchcall", /no system call named "nosuchcall"/],
  ["break syscall write in nowhere", /no guest "nowhere"/],
  ["break 0x1000 in", /expected `in GUEST` at the end/],
  ["break 0x1000 0x2000", /usage: break ADDR/],
  ["delete 99", /no breakpoint 99/],
  ["delete 1 2", /usage: delete \[N\|all\]/],
  ["trace maybe", /usage: trace on\|off/],
  ["help nosuch", /unknown command "nosuch"/],
  ["load", /usage: load/],
  ["load /nonexistent.yaml", /cannot read manifest \/nonexistent.yaml: no such file or directory/],
  ["load /nonexistent", /cannot read program \/nonexistent: no such file or directory/],
  [`load ${join(REPO, "README.md")}`, /README.md: /],
  [`load ${join(REPO, "examples/nesting/nesting.yaml")} extra`, /takes no arguments/],
  ["load --root", /--root needs a host path/],
  ["load --root /tmp", /usage: load \[--root DIR\]/],
  [`load --bogus ${join(REPO, "examples/hello/hello")}`, /unknown option --bogus: load takes --root DIR and --stdin FILE/],
  [`load --root /tmp ${join(REPO, "examples/hello/hello")}`, /--root is not available: this session cannot read host directories/],
  [`load --stdin /nonexistent ${join(REPO, "examples/hello/hello")}`, /cannot read stdin file \/nonexistent: no such file or directory/],
  [`load --stdin /etc/hostname ${join(REPO, "examples/nesting/nesting.yaml")}`, /--root and --stdin are for a program/],
  ["snapshot", /usage: snapshot NAME/],
  ["snapshot bad/name", /not a valid snapshot name/],
  ["restore nosuch", /nosuch/],
  ["diff a", /usage: diff A B/],
  ["diff @99999999999 now", /has not been reached/],
  ["diff nosuch now", /nosuch/],
  ["quit now", /takes no arguments/],
  ['load "unterminated', /unterminated quote/],
];

test("errors: every bad command gives one line and leaves the state unchanged", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fx86-session-"));
  try {
    const s = await loaded(NESTING, { store: () => Store.open(dir, { write: true }) });
    await ok(s, "break run-entry nest/fs/child/fs/child");
    await ok(s, "continue");
    await ok(s, "step 3");
    for (const [line, message] of BAD) {
      const before = fingerprint(s);
      const r = await s.execute(line);
      assert.equal(r.ok, false, `${line} should fail`);
      assert.match(r.text, message, line);
      assert.ok(!r.text.includes("\n") && r.text.length > 0 && r.text.length < 300, `one line: ${r.text}`);
      assert.ok(!/ at .*\.ts:\d+/.test(r.text), `no stack: ${r.text}`);
      assert.equal(fingerprint(s), before, `state unchanged by ${line}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("errors: nothing loaded, and no store", async () => {
  const s = new Session();
  for (const line of ["step", "guests", "regs", "back", "goto 5", "break 0x1000", "snapshot a"]) {
    const r = await s.execute(line);
    assert.equal(r.ok, false, line);
    assert.match(r.text, /nothing loaded/, line);
  }
  assert.equal((await s.execute("")).ok, true);
  const t = await loaded(NESTING);
  const before = fingerprint(t);
  for (const line of ["snapshot a", "restore a", "diff a now"]) {
    const r = await t.execute(line);
    assert.equal(r.ok, false, line);
    assert.match(r.text, /no store/, line);
  }
  assert.equal(fingerprint(t), before);
  // The other commands still work.
  assert.match(await ok(t, "step"), /^\[1\] nest /);
});

test("errors: a store that cannot be opened fails the store commands with its one line", async () => {
  const s = await loaded(NESTING, { store: () => Store.open("/nonexistent/fx86-store") });
  const before = fingerprint(s);
  const r = await s.execute("snapshot a");
  assert.equal(r.ok, false);
  assert.ok(!r.text.includes("\n") && r.text.length > 0, r.text);
  assert.equal(fingerprint(s), before);
});
