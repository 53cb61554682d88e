/**
 * The rows that exist only to stop the guest (privileged and
 * host-revealing instructions, far transfers, INT3/INT1) and INT n: fx86
 * must report the fault kind the table documents, with EIP at the
 * instruction and nothing else changed, in every backend.
 * Also a few encodings fx86 leaves undefined on purpose.
 */
import { assert, test } from "../harness.ts";
import { GuestFault } from "../../core/fault.ts";
import { eflags } from "../../core/cpu/flags.ts";
import { TRAP_SYSCALL } from "../../core/cpu/state.ts";
import { generateCase, type Variant } from "./generate.ts";
import { loadFlags, machine } from "./machine.ts";
import type { Host } from "./native.ts";
import { CODE_BASE, DATA_BASE, initialData, PREFIXES } from "./program.ts";
import { Rng } from "./rng.ts";
import { modes, tableRows } from "./rows.ts";
import type { Backend } from "../../core/cpu/engine.ts";
import { BACKENDS } from "./backends.ts";

/** Selectors as a Linux i386 process sees them (only used to shape operands). */
const HOST: Host = { ldt: false, cs: 0x23, ds: 0x2b, es: 0x2b, fs: 0, gs: 0x63, ss: 0x2b };

interface Stop {
  fault?: GuestFault;
  retired: number;
  eip: number;
  regs: number[];
  eflags: number;
  trap: number;
}

/** Runs `bytes` (followed by INT 0x80) once from the given state. */
function run(bytes: number[], regs: number[], flags: number, data: Uint8Array, backend: Backend): Stop {
  const m = machine(new Uint8Array([...bytes, 0xcd, 0x80]), backend);
  m.mem.poke(DATA_BASE, data);
  m.cpu.r.set(regs);
  loadFlags(m.cpu, flags);
  const stop = m.engine.run(10);
  return { fault: stop.fault, retired: stop.retired, eip: m.cpu.eip >>> 0, regs: [...m.cpu.r], eflags: eflags(m.cpu), trap: m.cpu.trap };
}

function hasLock(bytes: number[]): boolean {
  for (const b of bytes) {
    if (!PREFIXES.has(b)) return false;
    if (b === 0xf0) return true;
  }
  return false;
}

function hex(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

test("fault rows: every always-faulting row stops with its documented fault", () => {
  const rng = new Rng(0xfa17);
  const rows = tableRows().filter((r) => r.def.fault);
  const problems: string[] = [];
  let cases = 0;
  const kinds = new Map<string, number>();
  for (const row of rows) {
    for (const opsize of [32, 16] as const) {
      for (const mode of modes(row)) {
        const v: Variant = { row, opsize, mode };
        for (let k = 0; k < 8; k++) {
          const c = generateCase(rng, v, HOST, k);
          if (!c) continue;
          const bytes = c.bytes as number[];
          const data = initialData(c);
          for (const backend of BACKENDS) {
            const s = run(bytes, c.regs, c.eflags, data, backend);
            cases++;
            const what = `${row.name} [${hex(bytes)}] ${backend}`;
            // The generator puts LOCK on a few cases: none of these rows allows it (#UD first).
            const expected = hasLock(bytes) ? "undefined-opcode" : row.def.fault;
            if (s.fault?.kind !== expected) {
              problems.push(`${what}: expected ${expected}, got ${s.fault?.kind ?? "no fault"}`);
            } else if (s.eip !== CODE_BASE || s.retired !== 0 || s.regs.join() !== c.regs.map((r) => r | 0).join() || s.eflags !== c.eflags) {
              problems.push(`${what}: state changed (eip ${s.eip.toString(16)}, retired ${s.retired})`);
            }
          }
          kinds.set(row.def.fault!, (kinds.get(row.def.fault!) ?? 0) + 1);
        }
      }
    }
  }
  console.log(
    `fault rows: ${rows.length} rows, ${cases} runs (${[...kinds].map(([k, n]) => `${k}: ${n}`).join(", ")})`,
  );
  assert.deepEqual(problems.slice(0, 20), []);
});

test("fault rows: INT 0x80 traps after the instruction, other vectors are 'interrupt' faults", () => {
  for (const backend of BACKENDS) {
    const regs = [20, 1, 2, 3, 0x4000ff00, 5, 6, 7];
    const sys = run([0xcd, 0x80], regs, 0x202, new Uint8Array(0), backend);
    assert.equal(sys.fault, undefined);
    assert.equal(sys.trap, TRAP_SYSCALL);
    assert.equal(sys.eip, CODE_BASE + 2);
    assert.equal(sys.retired, 1);
    for (const vector of [0x00, 0x03, 0x04, 0x21, 0x81, 0xff]) {
      const s = run([0xcd, vector], regs, 0x202, new Uint8Array(0), backend);
      assert.equal(s.fault?.kind, "interrupt", `INT 0x${vector.toString(16)}`);
      assert.equal(s.eip, CODE_BASE);
      assert.deepEqual(s.regs, regs);
    }
  }
});

test("fault rows: encodings fx86 leaves undefined raise undefined-opcode", () => {
  const undefinedOnes = [
    [0x0f, 0x0b], // UD2
    [0x0f, 0xb9, 0xc0], // UD1
    [0x0f, 0x05], // SYSCALL (AMD)
    [0x0f, 0xaa], // RSM (#UD outside SMM)
    [0x0f, 0x0d, 0x00], // PREFETCH (3DNow!)
    [0x0f, 0x01, 0xd0], // XGETBV
    [0x66, 0x0f, 0x38, 0x00, 0xc0], // PSHUFB (SSSE3)
    [0xf2, 0x0f, 0xf0, 0x00], // LDDQU (SSE3)
    [0xf0, 0x90], // LOCK NOP
    [0xf0, 0x01, 0xc0], // LOCK on a register destination
    [0x8e, 0xc8], // MOV CS, AX
    [0x8d, 0xc0], // LEA with a register operand
    [0x0f, 0x20, 0xc8], // MOV EAX, CR1
    [...new Array(15).fill(0x66), 0x90], // longer than 15 bytes
  ];
  for (const bytes of undefinedOnes) {
    const s = run(bytes, [0, 0, 0, 0, 0x4000ff00, 0, 0, 0], 0x202, new Uint8Array(0), "tiered");
    assert.equal(s.fault?.kind, "undefined-opcode", hex(bytes));
    assert.equal(s.eip, CODE_BASE);
  }
});
