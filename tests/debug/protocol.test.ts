/**
 * The pieces under the gdb server and the command language: packet
 * framing (checksums as gdb's documentation gives them), the stub's answers
 * to packets gdb sends on connecting, and gdb-style expressions.
 */
import { assert, test } from "../harness.ts";
import { checksum, frame, fromHex, RspReader, toHex } from "../../core/debug/rsp.ts";
import { evaluate, type ExprScope } from "../../core/session/expr.ts";
import { GdbStub } from "../../core/debug/gdb-stub.ts";
import { Session } from "../../core/session/mod.ts";
import { GDB_REGISTERS } from "../../core/debug/registers.ts";
import { PROGRAM } from "./brute.ts";

test("rsp: frames, checksums, escapes and the interrupt byte", () => {
  assert.equal(frame("OK"), "$OK#9a");
  assert.equal(frame("g"), "$g#67");
  assert.equal(checksum("qSupported"), 0x37);
  // $, #, } and * are escaped as } and the byte XOR 0x20; the reader undoes it.
  const escaped = frame("a$b#c}d*e");
  assert.equal(escaped.slice(0, -3), "$a}\x04b}\x03c}]d}\x0ae");
  const r = new RspReader();
  assert.deepEqual(r.push("+" + escaped.slice(0, 5)), []);
  assert.deepEqual(r.push(escaped.slice(5) + "\x03$m0,4#fd"), [
    { kind: "packet", payload: "a$b#c}d*e" },
    { kind: "interrupt" },
    { kind: "packet", payload: "m0,4" },
  ]);
  assert.deepEqual(r.push("$g#00"), [{ kind: "bad" }]);
  assert.deepEqual(fromHex(toHex([0, 255, 16])), new Uint8Array([0, 255, 16]));
});

test("stub: the connection handshake, registers and memory of a loaded program", async () => {
  const s = new Session();
  assert.ok((await s.execute(`load ${PROGRAM}`)).ok);
  const stub = new GdbStub(s.state);
  const ask = async (p: string) => (await stub.handle(p)).payload;
  assert.match((await ask("qSupported:multiprocess+;swbreak+"))!, /ReverseStep\+;ReverseContinue\+/);
  assert.deepEqual(await stub.handle("QStartNoAckMode"), { payload: "OK", noAck: true });
  // Thread ids are pids: the first process is 100.
  assert.equal(await ask("?"), "T05thread:64;");
  const xml = (await ask("qXfer:features:read:target.xml:0,ffff"))!;
  assert.match(xml, /^l<\?xml/);
  assert.equal([...xml.matchAll(/<reg name=/g)].length, GDB_REGISTERS.length);
  // g: 16 registers of 4 bytes, 8 of 10 (x87 stack), 8 of 4 (x87 control) = 176 bytes.
  const g = (await ask("g"))!;
  assert.equal(g.length, 176 * 2);
  const eip = s.state.machine().guest.cpu.eip >>> 0;
  assert.equal(g.slice(64, 72), toHex([eip & 255, (eip >>> 8) & 255, (eip >>> 16) & 255, eip >>> 24]));
  // fctrl after FNINIT state: 0x037f.
  assert.equal(await ask("p18"), "7f030000");
  assert.equal(await ask(`m${eip.toString(16)},2`), "31ed");
  assert.equal(await ask("m0,4"), "E14");
  assert.equal(await ask("vFile:open:" + toHex(new TextEncoder().encode("/nonexistent")) + ",0,0"), "F-1,2");
  assert.equal(await ask("qUnknownThing"), "");
  assert.equal(await ask("Z3,80ed2e0,4"), "OK", "read watchpoint");
  assert.equal(await ask("Z4,80ed2e0,4"), "OK", "access watchpoint");
  assert.equal(await ask("Z5,80ed2e0,4"), "", "an unknown kind: not supported, said so");
});

test("expressions: C precedence, unsigned 32-bit values, registers, symbols, memory", () => {
  const scope: ExprScope = {
    name: (n) => ({ eax: 3, esp: 0x1000, eip: 0x8049000, counter: 0x80ed2e0 } as Record<string, number>)[n],
    word: (a) => (a === 0x1000 ? 0xdeadbeef : a === 0x80ed2e0 ? 7 : undefined),
  };
  const ev = (t: string) => evaluate(t, scope);
  assert.equal(ev("1 + 2 * 3"), 7);
  assert.equal(ev("(1 + 2) * 3"), 9);
  assert.equal(ev("$eax == 3 && eax != 4"), 1);
  assert.equal(ev("-1"), 0xffffffff);
  assert.equal(ev("*$sp"), 0xdeadbeef);
  assert.equal(ev("*counter + 1"), 8);
  assert.equal(ev("$pc"), 0x8049000);
  assert.equal(ev("1 << 4 | 1"), 17);
  assert.equal(ev("~0 >> 28"), 15);
  assert.equal(ev("7 % 4 == 3"), 1);
  for (const bad of ["1 +", "(1", "nosuch", "*0", "1 / 0", "1 $ 2"]) assert.throws(() => ev(bad), bad);
});
