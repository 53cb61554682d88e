/**
 * ELF symbols against binutils' `nm` (a reader nobody here wrote): every
 * function and object nm lists in the examples is found at nm's address,
 * and labels name the function an address falls in.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assert, test } from "../harness.ts";
import { SymbolTable } from "../../core/elf/symbols.ts";
import { REPO } from "../support/guests.ts";
import { hostTool } from "../support/tools.ts";

/** Thread-local symbols (readelf's TLS type): offsets, not addresses, so not labels. */
function tlsSymbols(file: string): Set<string> {
  const r = spawnSync(hostTool("readelf", "binutils"), ["-sW", file], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return new Set(r.stdout.split("\n").map((l) => l.trim().split(/\s+/)).filter((f) => f[3] === "TLS").map((f) => f[7]));
}

/** nm's defined text/data symbols but thread-local ones: name -> addresses. */
function nmSymbols(file: string): Map<string, Set<number>> {
  const r = spawnSync(hostTool("nm", "binutils"), ["--defined-only", file], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const tls = tlsSymbols(file);
  const out = new Map<string, Set<number>>();
  for (const line of r.stdout.split("\n")) {
    const m = /^([0-9a-f]{8}) ([TtDdBbRrWV]) (\S+)$/.exec(line);
    if (!m || tls.has(m[3])) continue;
    const set = out.get(m[3]) ?? new Set();
    set.add(parseInt(m[1], 16));
    out.set(m[3], set);
  }
  return out;
}

for (const prog of ["examples/hello/hello", "examples/nesting/nest", "examples/plugin/plugin"]) {
  test(`symbols: ${prog} names what nm names, at nm's addresses`, () => {
    const file = join(REPO, prog);
    const syms = SymbolTable.fromElf(readFileSync(file));
    const nm = nmSymbols(file);
    assert.ok(nm.size > 10, "nm lists symbols");
    let checked = 0;
    for (const [name, addrs] of nm) {
      const s = syms.lookup(name);
      assert.ok(s, `${name} is missing`);
      assert.ok(addrs.has(s.address), `${name}: ${s.address.toString(16)} not among nm's ${[...addrs].map((a) => a.toString(16))}`);
      checked++;
    }
    assert.ok(checked === nm.size);
  });
}

test("symbols: labels are function+offset, as gdb writes them", () => {
  const file = join(REPO, "examples/hello/hello");
  const syms = SymbolTable.fromElf(readFileSync(file));
  const main = syms.lookup("main")!;
  assert.equal(main.kind, "function");
  assert.equal(syms.label(main.address), "main");
  assert.equal(syms.label(main.address + 12), "main+12");
  assert.equal(syms.containing(main.address + main.size)?.name === "main", false);
});

test("symbols: a stripped program or garbage has none, without an error", () => {
  const busybox = SymbolTable.fromElf(readFileSync(join(REPO, "examples/bin/busybox")));
  assert.equal(busybox.size, 0);
  assert.equal(SymbolTable.fromElf(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1])).size, 0);
  const hello = readFileSync(join(REPO, "examples/hello/hello"));
  const cut = hello.subarray(0, hello.length - 100);
  SymbolTable.fromElf(cut); // a truncated section table: no throw
});
