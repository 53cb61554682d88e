/**
 * x87 instructions in regions: the region calls the host's x87 unit
 * (core/cpu/x87) through an import instead of leaving, since the unit's
 * 80-bit arithmetic lives in JavaScript. The region first makes sure the
 * memory operand is on the fast path (so the host access cannot fault or
 * write translated code); the instructions that read or write integer
 * state (FNSTSW AX, FCOMI and FUCOMI, FCMOVcc) exchange EAX and the lazy
 * flags through the scratch frame around the call.
 */
import { GuestFault } from "../../fault.ts";
import type { Memory } from "../../memory/memory.ts";
import { WASM_SCRATCH } from "../../memory/memory.ts";
import type { Instr } from "../isa/instr.ts";
import type { Cpu } from "../state.ts";
import { describeX87, x87MemoryAccess } from "../x87/table.ts";
import { MemOp } from "./encoder.ts";
import { Local, Slot, type WasmGen, X87_IMPORT } from "./gen.ts";
import { emitFnstswAx, emitInlineX87, inlineX87, isFnstswAx } from "./x87-inline.ts";
import { x87Resident } from "./x87-frame.ts";

/** The host function a region calls: `(operation, ea, eip)` → 0 when done, 1 when the host must run it. */
export type X87Host = (op: number, ea: number, eip: number) => number;

/** Operation word bits beside the escape's low bits (8..10) and the ModRM (0..7). */
const O16 = 1 << 16, INTEGER_STATE = 1 << 17;

/** Integer state the exchange carries: locals and their scratch slots. */
const EXCHANGED: readonly [number, number][] = [
  [Local.REG, Slot.REG],
  [Local.FR, Slot.FR],
  [Local.FA, Slot.FA],
  [Local.FSZ, Slot.FSZ],
];

/** True for the x87 forms that read or write EAX or EFLAGS. */
function touchesIntegerState(esc: number, modrm: number): boolean {
  const m = describeX87(esc, modrm)?.mnemonic ?? "";
  return (esc === 0xdf && modrm === 0xe0) || m.startsWith("fcmov") || /^fu?comip?$/.test(m);
}

/** Regions translate every defined x87 form with 32-bit addressing not through CS. */
export function x87Translatable(i: Instr): boolean {
  return i.mod === 3 || x87MemoryAccess(i.opcode, i.modrm, i.opsize === 16) !== undefined;
}

/** Emits a call of the host's x87 unit for the instruction (EA in Local.EA for memory forms). */
export function emitX87(g: WasmGen): void {
  const i = g.i, code = g.code;
  const o16 = i.opsize === 16;
  if (i.mod !== 3) {
    const access = x87MemoryAccess(i.opcode, i.modrm, o16)!;
    g.requireFast(Local.EA, access.bytes, access.writes);
  }
  if (isFnstswAx(i)) return emitFnstswAx(g);
  // The commonest data movement runs in the region when it can; the host runs the rest of its cases.
  const inline = inlineX87(i);
  if (inline !== undefined) {
    g.block();
    emitInlineX87(g, inline);
    // The inline forms use the locals that hold the last flag-setting instruction's operands.
    g.flagsUnknown();
    code.brIf(0);
  }
  const exchange = touchesIntegerState(i.opcode, i.modrm);
  if (exchange) for (const [l, s] of EXCHANGED) code.i32Const(WASM_SCRATCH + 4 * s).localGet(l).mem(MemOp.i32_store, 0, 2);
  code.i32Const(((i.opcode & 7) << 8) | i.modrm | (o16 ? O16 : 0) | (exchange ? INTEGER_STATE : 0));
  if (i.mod !== 3) code.localGet(Local.EA);
  else code.i32Const(0);
  code.i32Const(i.addr).call(X87_IMPORT);
  g.leaveIf();
  // Only the host's path exchanged them: the inline FCOMI sets the flags itself.
  if (exchange) for (const [l, s] of EXCHANGED) code.i32Const(WASM_SCRATCH + 4 * s).mem(MemOp.i32_load, 0, 2).localSet(l);
  if (inline !== undefined) g.end();
  if (exchange) g.flagsUnknown();
}

/**
 * The x87 import of an engine's regions: runs one instruction on the CPU's
 * x87 unit. A fault (a pending unmasked exception, found before anything
 * changes) returns 1, and the region leaves so that the host runs the
 * instruction and raises it with the exact EIP. The CPU's x87 state moves
 * into the memory's scratch frame, where regions run FLD and FST/FSTP
 * m64fp themselves (core/cpu/wasm/x87-inline.ts).
 *
 * @example
 * compileWasmRegion(blocks, mem, x87Host(cpu, mem));
 */
export function x87Host(c: Cpu, m: Memory): X87Host {
  // Regions run FLD and FST/FSTP m64fp on the CPU's x87 state themselves: it moves where they reach it.
  x87Resident(c.fpu, m);
  return (op, ea, eip) => {
    const exchange = (op & INTEGER_STATE) !== 0;
    const s = m.scratch;
    if (exchange) {
      c.r[0] = s[Slot.REG], c.fr = s[Slot.FR], c.fa = s[Slot.FA], c.fsz = s[Slot.FSZ], c.fl = s[Slot.FL];
    }
    try {
      c.fpu.exec(c, m, 0xd8 | ((op >> 8) & 7), op & 0xff, ea, (op & O16) !== 0, eip);
    } catch (e) {
      if (e instanceof GuestFault) return 1;
      throw e;
    }
    if (exchange) {
      s[Slot.REG] = c.r[0], s[Slot.FR] = c.fr, s[Slot.FA] = c.fa, s[Slot.FSZ] = c.fsz, s[Slot.FL] = c.fl;
    }
    return 0;
  };
}
