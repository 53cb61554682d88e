/**
 * Instructions a region hands to the host without leaving: those the
 * opcode table gives no wasm emitter (SHLD/SHRD, CMPXCHG, XADD, BCD, the
 * SIMD units...) but whose JavaScript semantics touch only what a region
 * can exchange — general registers, lazy flags, memory, the x87 and SIMD
 * units — and end at the next instruction. The region writes its
 * registers and flags to the scratch frame, calls `host(k)` for its k-th
 * such instruction, and reads them back; the call runs the instruction's
 * template (core/cpu/codegen/template.ts).
 */
import { GuestFault } from "../../fault.ts";
import type { Memory } from "../../memory/memory.ts";
import { WASM_SCRATCH } from "../../memory/memory.ts";
import { isRepString } from "../blocks.ts";
import { instructionSource } from "../codegen/compile.ts";
import type { BlockFn } from "../codegen/compile.ts";
import { instructionFunction } from "../codegen/template.ts";
import type { Instr } from "../isa/instr.ts";
import type { Cpu } from "../state.ts";
import { MemOp } from "./encoder.ts";
import { HOST_IMPORT, Local, Slot, type WasmGen } from "./gen.ts";

/** The host function a region calls: `(k)` → one of the HostResult codes. */
export type HostCall = (k: number) => number;

/** What a host call reports: done; the host must run the instruction (it faults); code was written. */
export const HostResult = { DONE: 0, LEAVE_BEFORE: 1, LEAVE_AFTER: 2 } as const;

/**
 * What a host call may not see or change in JavaScript because a region
 * keeps it elsewhere or does not update it: EIP, the instruction count,
 * traps, EFLAGS' system bits and DF (a local of the region), segment
 * bases, and the helpers that read or write them.
 */
const OUT_OF_REACH =
  /\bc\.(eip|icount|trap|halted|ef)\b|segBase|Fx86Call|\bleft\b|L\.(rdtsc|loadSegment|eflags|setEflags|movs|stos|lods|cmps|scas)\b/;

const callable = new WeakMap<Instr, boolean>();

/** True if a region may run the instruction through a host call (see the module comment). */
export function hostCallable(i: Instr): boolean {
  let ok = callable.get(i);
  if (ok === undefined) {
    ok = i.def.flow === "next" && i.adsize === 32 && !isRepString(i) && i.def.mnemonic !== "x87" &&
      !OUT_OF_REACH.test(instructionSource(i, 0));
    callable.set(i, ok);
  }
  return ok;
}

/** The state a host call exchanges: locals and their scratch slots. */
const EXCHANGED: readonly [number, number][] = [
  ...Array.from({ length: 8 }, (_, n) => [Local.REG + n, Slot.REG + n] as [number, number]),
  [Local.FR, Slot.FR],
  [Local.FA, Slot.FA],
  [Local.FSZ, Slot.FSZ],
];

/** Emits the call of host instruction `k` of the region (the instruction of `g`). */
export function emitHostCall(g: WasmGen, k: number): void {
  const code = g.code;
  for (const [l, s] of EXCHANGED) code.i32Const(WASM_SCRATCH + 4 * s).localGet(l).mem(MemOp.i32_store, 0, 2);
  code.i32Const(k).call(HOST_IMPORT).localSet(Local.A);
  code.localGet(Local.A).i32Const(HostResult.LEAVE_BEFORE).op(0x46 /* i32.eq */);
  g.leaveIf();
  for (const [l, s] of EXCHANGED) code.i32Const(WASM_SCRATCH + 4 * s).mem(MemOp.i32_load, 0, 2).localSet(l);
  g.flagsUnknown();
  code.localGet(Local.A);
  g.if();
  g.leaveAfter();
  g.end();
}

/**
 * The host import of one region instance: runs its k-th host instruction
 * (`instrs`, in the order the region compiler met them) on the CPU with
 * the registers and flags of the scratch frame. A fault returns
 * LEAVE_BEFORE with nothing changed (a template changes nothing before its
 * last access that can fault), and the host then runs the instruction and
 * raises it; a write to a page holding translated code returns LEAVE_AFTER,
 * so that the region runs no stale code. `codeWrites` counts the engine's
 * code invalidations.
 *
 * @example
 * const host = hostCall(cpu, mem, instrs, () => engine.codeWrites);
 */
export function hostCall(c: Cpu, m: Memory, instrs: readonly Instr[], codeWrites: () => number): HostCall {
  const fns: (BlockFn | undefined)[] = [];
  return (k) => {
    const fn = fns[k] ??= instructionFunction(instrs[k]);
    const r = c.r;
    let s = m.scratch;
    for (let n = 0; n < 8; n++) r[n] = s[Slot.REG + n];
    c.fr = s[Slot.FR], c.fa = s[Slot.FA], c.fsz = s[Slot.FSZ], c.fl = s[Slot.FL];
    const writes = codeWrites();
    try {
      fn(c, r, m, 1);
    } catch (e) {
      if (e instanceof GuestFault) return HostResult.LEAVE_BEFORE;
      throw e;
    }
    // A write may have grown the memory, which replaces the scratch view.
    s = m.scratch;
    for (let n = 0; n < 8; n++) s[Slot.REG + n] = r[n];
    s[Slot.FR] = c.fr, s[Slot.FA] = c.fa, s[Slot.FSZ] = c.fsz, s[Slot.FL] = c.fl;
    return codeWrites() !== writes ? HostResult.LEAVE_AFTER : HostResult.DONE;
  };
}
