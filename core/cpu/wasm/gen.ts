import { CS, FS, GS } from "../state.ts";
import type { Instr } from "../isa/instr.ts";
import { hasMemoryOperand } from "../isa/instr.ts";
import { immediateBytes, specSize } from "../isa/operands.ts";
import type { OperandSpec } from "../isa/operands.ts";
import { FRAME_BYTES, PAGE_MASK, PAGE_SIZE, PAGE_VALID, WASM_POOL, WASM_RI, WASM_SCRATCH, WASM_WI } from "../../memory/memory.ts";
import { type Code, MemOp, Op } from "./encoder.ts";
import { stackOperand, type StackWindow } from "./stack.ts";

/**
 * The wasm locals of a region function. The function's parameters are
 * the budget and the entry block; guest registers (EAX..EDI at REG + n) and the lazy flags
 * (core/cpu/flags.ts) live in locals for the whole region, read from the
 * scratch frame (WASM_SCRATCH, laid out as {@link Slot}) on entry and
 * written back on exit. What code reads rarely stays in the scratch frame
 * ({@link scratchGet}): EFLAGS' bits when the flags are materialised (FL),
 * the direction of string instructions (DIR) and the FS and GS bases. Each
 * local live across the region's loop costs the optimising compiler's
 * register allocator, which is most of a region's compile time.
 */
export const Local = {
  /** Parameter: instructions the region may retire. */
  BUDGET: 0,
  /** Parameter, then local: index of the next block to run. */
  PC: 1,
  /** Instructions still allowed: BUDGET minus what the blocks entered so far hold. */
  LEFT: 2,
  REG: 3, // 3..10: EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI
  FR: 11,
  FA: 12,
  FSZ: 13,
  /** Guest EIP when the region leaves, or the target of a dynamic jump. */
  EIP: 14,
  /** Linear address of the memory operand. */
  EA: 15,
  /** Memory helpers' temporaries: the address accessed, its frame, the value stored, the new ESP of a push. */
  ADDR: 16,
  FRAME: 17,
  VAL: 18,
  SP: 19,
  /** Emitters' temporaries. */
  A: 20,
  B: 21,
  V: 22,
  /** Operands of the last flag-setting instruction, for conditions known statically. */
  X: 23,
  Y: 24,
  /** The pool address of ESP at the block's start, when the block has a stack window (core/cpu/wasm/stack.ts). */
  SB: 25,
  /** i64 temporaries (the x87 arithmetic's significands). */
  W0: 26,
  W1: 27,
  W2: 28,
  W3: 29,
} as const;
/** i32 locals after the two parameters. */
export const LOCAL_COUNT = 24;
/** i64 locals after those. */
export const WIDE_LOCAL_COUNT = 4;

/**
 * Words of the scratch frame: the state the host and the region exchange.
 * REP is 1 when a region stopped for the budget inside a REP string
 * instruction (EIP on it, iterations left), which the host must know
 * (EFLAGS.RF, core/vm/guest.ts); the host clears it. HOT is set by the
 * dispatcher when an entry has become hot (core/cpu/wasm/dispatch.ts).
 * STACK is 1 when a block left before its first instruction because its
 * stack window was not in one fast page (core/cpu/wasm/stack.ts).
 */
export const Slot = { REG: 0, FR: 8, FA: 9, FSZ: 10, FL: 11, FSBASE: 12, GSBASE: 13, EIP: 14, DIR: 15, REP: 16, HOT: 17, STACK: 18 } as const;
/** Locals that hold guest state, in scratch-slot order. */
export const STATE = [3, 4, 5, 6, 7, 8, 9, 10, Local.FR, Local.FA, Local.FSZ];

/** Pushes a word of the scratch frame (see {@link Local}: state that stays there). */
export function scratchGet(code: Code, slot: number): void {
  code.i32Const(0).mem(MemOp.i32_load, WASM_SCRATCH + 4 * slot, 2);
}

/**
 * Stores into a word of the scratch frame the value `value` pushes (the
 * address goes first on wasm's stack, so the value is emitted after it).
 */
export function scratchSet(code: Code, slot: number, value: () => void): void {
  code.i32Const(0);
  value();
  code.mem(MemOp.i32_store, WASM_SCRATCH + 4 * slot, 2);
}

/**
 * How a region continues at a guest address: the region compiler provides
 * it, so that instruction emitters can transfer control without knowing
 * the region's layout. `depth` is the nesting of blocks and ifs the caller
 * has opened in the instruction's code.
 */
export interface Dispatch {
  /** Continues at a constant address. */
  to(addr: number, depth: number): void;
  /** Continues at the address in Local.EIP. */
  toEip(depth: number): void;
  /** Leaves the region before the current instruction, which the host will run. */
  leaveBefore(depth: number): void;
  /**
   * Leaves the region with EIP on the current instruction and the budget
   * as the instruction has charged it: a REP string instruction charges
   * its iterations one by one, and may leave between them.
   */
  leaveHere(depth: number): void;
  /** Leaves the region after the current instruction, which has run (its code write dropped translations). */
  leaveAfter(depth: number): void;
}

/** Function index of the host's x87 import, which every region module imports first (core/cpu/wasm/x87.ts). */
export const X87_IMPORT = 0;
/** Function index of the host-call import, every region module's second (core/cpu/wasm/host.ts). */
export const HOST_IMPORT = 1;

/** What the last flag-setting instruction of the block left in X, Y and FR. */
export type KnownFlags =
  | { kind: "sub" | "add"; size: number } // X op Y, result in FR
  | { kind: "logic" | "result"; size: number }; // result in FR (logic: CF = OF = 0)

/**
 * The code-generation context of one instruction in a region: what a wasm
 * emitter (the opcode table's `wasm` column) uses to read and write
 * operands, memory and flags. It mirrors core/cpu/codegen/gen.ts: values
 * of 8 and 16 bits are unsigned and masked, 32-bit values are i32, and the
 * flags are left in exactly the lazy state the JavaScript backends leave.
 *
 * A memory access that cannot take the fast path (no frame in the page
 * table, crossing a page, a page not yet written, a page holding
 * translated code) leaves the region before the instruction: the host runs
 * it, faults included. So emitters must change nothing before their last
 * access that can leave, as the JavaScript emitters do before their last
 * access that can fault; a read-modify-write stores through the frame its
 * read found writable. Emitters open blocks with {@link if}/{@link end} so
 * that the region knows how deep a branch out is.
 */
export class WasmGen {
  /** Size in bits of the first operand (the usual operation size). */
  readonly size: number;
  /** Flags known from the block's previous instructions (undefined at a block's start). */
  known: KnownFlags | undefined;
  /** Blocks and ifs this instruction's code has open. */
  private depth = 0;
  /** The frame of the operand `update` read, which `set` writes. */
  private modified = false;

  /** The window offset of the operand `update` read, which `set` writes. */
  private stackModified: number | undefined;

  constructor(
    readonly code: Code,
    readonly i: Instr,
    private readonly dispatch: Dispatch,
    known: KnownFlags | undefined,
    private readonly stack?: StackWindow,
  ) {
    const first = i.def.operands[0];
    this.size = first ? specSize(first, i.opsize) : i.opsize;
    this.known = known;
  }

  /** Opens an `if` without a result. */
  if(): void {
    this.code.if();
    this.depth++;
  }

  /** Opens a `block`; `br(0)` from its body (at this depth) goes to its end. */
  block(): void {
    this.code.block();
    this.depth++;
  }

  /** Opens a `loop`; `br(0)` from its body (at this depth) continues it. */
  loop(): void {
    this.code.loop();
    this.depth++;
  }

  /** Branches to the innermost loop or block opened `levels` levels up (0: the innermost). */
  br(levels: number): void {
    this.code.br(levels);
  }

  /** Opens an `if` whose arms leave an i32. */
  ifI32(): void {
    this.code.if_i32();
    this.depth++;
  }

  else(): void {
    this.code.op(Op.else);
  }

  end(): void {
    this.code.op(Op.end);
    this.depth--;
  }

  /** Address of the following instruction. */
  get next(): number {
    return (this.i.addr + this.i.len) | 0;
  }

  /** Size in bits of operand `k`. */
  sizeOf(k: number): number {
    return specSize(this.i.def.operands[k], this.i.opsize);
  }

  // ---- operands ----------------------------------------------------------

  /** Pushes the value of operand `k`. */
  get(k: number): void {
    const spec = this.i.def.operands[k];
    const i = this.i, code = this.code;
    const size = this.sizeOf(k);
    switch (spec) {
      case "Ib": case "Iw": case "Iz": case "Ibs": {
        const v = this.immediate(k);
        code.i32Const(size === 32 ? v | 0 : v & mask(size));
        return;
      }
      case "1":
        code.i32Const(1);
        return;
      case "AL": case "eAX":
        return this.reg(0, size);
      case "CL":
        return this.reg(1, 8);
      case "Zb": case "Zv":
        return this.reg(i.opcode & 7, size);
      case "Gb": case "Gw": case "Gv":
        return this.reg(i.reg, size);
      case "Ob": case "Ov":
        this.moffs();
        return this.load(size);
      default: {
        if (!hasMemoryOperand(i)) return this.reg(i.rm, size);
        const o = this.stackOffset(size, false);
        if (o !== undefined) return this.stackLoad(o, size);
        code.localGet(Local.EA);
        return this.load(size);
      }
    }
  }

  /**
   * Pushes operand `k`, which the instruction also writes: a memory operand
   * must be writable before anything changes (the processor faults on a
   * read-only page before it updates flags or registers).
   */
  update(k: number): void {
    if (!hasMemoryOperand(this.i) || !isModrmOperand(this.i.def.operands[k])) return this.get(k);
    const o = this.stackOffset(this.sizeOf(k), true);
    if (o !== undefined) {
      this.stackModified = o;
      return this.stackLoad(o, this.sizeOf(k));
    }
    this.code.localGet(Local.EA);
    this.access(this.sizeOf(k), WASM_WI);
    this.modified = true;
  }

  /** Pops a value into operand `k`. */
  set(k: number): void {
    const spec = this.i.def.operands[k];
    const i = this.i;
    const size = this.sizeOf(k);
    switch (spec) {
      case "AL": case "eAX":
        return this.setReg(0, size);
      case "Zb": case "Zv":
        return this.setReg(i.opcode & 7, size);
      case "Gb": case "Gw": case "Gv":
        return this.setReg(i.reg, size);
      case "Ob": case "Ov":
        this.code.localSet(Local.VAL);
        this.moffs();
        return this.store(size);
      default:
        if (!hasMemoryOperand(i)) return this.setReg(i.rm, size);
        this.code.localSet(Local.VAL);
        if (this.modified) return this.storeToFrame(size);
        const o = this.stackModified ?? this.stackOffset(size, true);
        if (o !== undefined) return this.stackStore(o, size);
        this.code.localGet(Local.EA);
        return this.store(size);
    }
  }

  /** True if operand `k` is in memory. */
  inMemory(k: number): boolean {
    const spec = this.i.def.operands[k];
    return spec === "Ob" || spec === "Ov" || (isModrmOperand(spec) && hasMemoryOperand(this.i));
  }

  /** The immediate of operand `k`: the decoder keeps the first in `imm`, a second in `imm2`. */
  private immediate(k: number): number {
    const ops = this.i.def.operands;
    for (let j = 0; j < k; j++) if (immediateBytes(ops[j], 32, 32) > 0) return this.i.imm2;
    return this.i.imm;
  }

  /** Pushes a general register at a size. */
  reg(n: number, size: number): void {
    const code = this.code;
    if (size === 32) code.localGet(Local.REG + n);
    else if (size === 16) code.localGet(Local.REG + n).i32Const(65535).op(Op.i32_and);
    else if (n < 4) code.localGet(Local.REG + n).i32Const(255).op(Op.i32_and);
    else code.localGet(Local.REG + n - 4).i32Const(8).op(Op.i32_shr_u).i32Const(255).op(Op.i32_and);
  }

  /** Pops a value into a general register at a size (the rest of the register is kept). */
  setReg(n: number, size: number): void {
    const code = this.code;
    if (size === 32) {
      code.localSet(Local.REG + n);
      return;
    }
    const [r, keep, shift, m] = size === 16
      ? [n, -65536, 0, 65535]
      : n < 4
      ? [n, -256, 0, 255]
      : [n - 4, -65281, 8, 255];
    code.i32Const(m).op(Op.i32_and);
    if (shift) code.i32Const(shift).op(Op.i32_shl);
    code.localGet(Local.REG + r).i32Const(keep).op(Op.i32_and).op(Op.i32_or).localSet(Local.REG + r);
  }

  // ---- addresses -----------------------------------------------------------

  /** Pushes the ModRM memory operand's offset (no segment base): what LEA computes. */
  offset(): void {
    const i = this.i, code = this.code;
    code.i32Const(i.disp);
    if (i.base >= 0) code.localGet(Local.REG + i.base).op(Op.i32_add);
    if (i.index >= 0) {
      code.localGet(Local.REG + i.index);
      if (i.scale) code.i32Const(i.scale).op(Op.i32_shl);
      code.op(Op.i32_add);
    }
  }

  /** Sets Local.EA to the linear address of the memory operand. */
  effectiveAddress(): void {
    this.offset();
    this.segmentBase();
    this.code.localSet(Local.EA);
  }

  /** Pushes the source address of a string instruction: ESI plus the base of an FS/GS override. */
  stringSource(): void {
    this.code.localGet(Local.REG + 6);
    this.segmentBase();
  }

  /** Adds `size` / 8 bytes, forward or backward as EFLAGS.DF says, to register `n`. */
  advance(n: number, size: number): void {
    this.code.localGet(Local.REG + n);
    scratchGet(this.code, Slot.DIR);
    this.code.i32Const(size / 8).op(Op.i32_mul).op(Op.i32_add).localSet(Local.REG + n);
  }

  /** Adds the FS or GS base of an override to the address on the stack. */
  private segmentBase(): void {
    const s = this.i.seg;
    if (s !== FS && s !== GS) return;
    scratchGet(this.code, s === FS ? Slot.FSBASE : Slot.GSBASE);
    this.code.op(Op.i32_add);
  }

  private moffs(): void {
    this.code.i32Const(this.i.imm | 0);
    this.segmentBase();
  }

  // ---- memory --------------------------------------------------------------

  /** Replaces the address on the stack with the `size`-bit value there. */
  load(size: number): void {
    this.access(size, WASM_RI);
  }

  /**
   * An inline lookup in a page table (`table`: reads or writes) and one
   * wasm load from the frame, or leaving the region.
   */
  private access(size: number, table: number): void {
    const code = this.code;
    code.localSet(Local.ADDR);
    this.fastPage(Local.ADDR, table, size);
    this.ifI32();
    this.poolAddress();
    code.mem(loadOp(size), WASM_POOL);
    this.else();
    this.dispatch.leaveBefore(this.depth);
    this.end();
  }

  /**
   * Sets Local.FRAME to the page table's entry for the address in local
   * `a` ORed with the address's offset in its page, and pushes non-zero if
   * an access of `size` bits there can use it. An entry is PAGE_VALID and
   * the frame's offset, or 0 (core/memory/memory.ts), so the result masked
   * with PAGE_VALID | PAGE_MASK is, as a signed number, at most
   * PAGE_VALID + PAGE_SIZE - size / 8 exactly when the page is there and
   * the access ends in it: one comparison for both.
   */
  fastPage(a: number, table: number, size: number): void {
    const code = this.code;
    code.localGet(a).i32Const(12).op(Op.i32_shr_u).i32Const(2).op(Op.i32_shl).mem(MemOp.i32_load, table, 2)
      .localGet(a).i32Const(PAGE_MASK).op(Op.i32_and).op(Op.i32_or).localTee(Local.FRAME);
    if (size === 8) code.i32Const(0).op(Op.i32_lt_s);
    else code.i32Const(PAGE_VALID | PAGE_MASK).op(Op.i32_and).i32Const(PAGE_VALID + PAGE_SIZE - size / 8 + 1).op(Op.i32_lt_s);
  }

  /** Pushes the pool offset (before WASM_POOL) of the access that fastPage found fast. */
  poolAddress(): void {
    this.code.localGet(Local.FRAME).i32Const(FRAME_BYTES).op(Op.i32_and);
  }

  /** Stores Local.VAL at the address on the stack, or leaves the region. */
  store(size: number): void {
    const code = this.code;
    code.localSet(Local.ADDR);
    this.fastPage(Local.ADDR, WASM_WI, size);
    this.if();
    this.storeToFrame(size);
    this.else();
    this.dispatch.leaveBefore(this.depth);
    this.end();
  }

  /** Stores Local.VAL where fastPage found the address writable (Local.FRAME). */
  private storeToFrame(size: number): void {
    this.poolAddress();
    this.code.localGet(Local.VAL)
      .mem(storeOp(size), WASM_POOL);
  }

  /**
   * The offset in the block's stack window of this instruction's memory
   * operand, `size` bits at [ESP + disp], if the window takes it.
   */
  private stackOffset(size: number, write: boolean): number | undefined {
    if (this.stack === undefined || !stackOperand(this.i) || (size !== 8 && size !== 16 && size !== 32)) return undefined;
    return this.stack.offsetOf(this.i.disp, size / 8, write);
  }

  /** Pushes the `size`-bit value at offset `o` of the stack window. */
  private stackLoad(o: number, size: number): void {
    this.code.localGet(Local.SB)
      .mem(loadOp(size), WASM_POOL + o);
  }

  /** Stores Local.VAL at offset `o` of the stack window. */
  private stackStore(o: number, size: number): void {
    this.code.localGet(Local.SB).localGet(Local.VAL)
      .mem(storeOp(size), WASM_POOL + o);
  }

  /** Pushes a `size`-bit value from the stack top (ESP). */
  pop(size: number): void {
    const o = this.stack?.offsetOf(0, size / 8, false);
    if (o !== undefined) {
      this.stackLoad(o, size);
      this.code.localGet(Local.REG + 4).i32Const(size / 8).op(Op.i32_add).localSet(Local.REG + 4);
      return;
    }
    this.code.localGet(Local.REG + 4);
    this.load(size);
    this.code.localGet(Local.REG + 4).i32Const(size / 8).op(Op.i32_add).localSet(Local.REG + 4);
  }

  /** Pushes Local.VAL onto the guest stack; ESP changes only once the store succeeded. */
  push(size: number): void {
    const code = this.code;
    const o = this.stack?.offsetOf(-size / 8, size / 8, true);
    if (o !== undefined) {
      this.stackStore(o, size);
      code.localGet(Local.REG + 4).i32Const(size / 8).op(Op.i32_sub).localSet(Local.REG + 4);
      return;
    }
    code.localGet(Local.REG + 4).i32Const(size / 8).op(Op.i32_sub).localTee(Local.SP);
    this.store(size);
    code.localGet(Local.SP).localSet(Local.REG + 4);
  }

  /** Leaves the region after this instruction (see Dispatch.leaveAfter). */
  leaveAfter(): void {
    this.dispatch.leaveAfter(this.depth);
  }

  /** Leaves the region at this instruction with the budget as charged (see Dispatch.leaveHere). */
  leaveHere(): void {
    this.dispatch.leaveHere(this.depth);
  }

  /**
   * Leaves the region before this instruction unless `bytes` bytes from
   * the address in local `a` lie in one page the page table (reads, or
   * writes when `write`) maps: what an access made by the host (an x87
   * instruction) needs to find no fault and no translated code there.
   */
  requireFast(a: number, bytes: number, write: boolean): void {
    this.fastPage(a, write ? WASM_WI : WASM_RI, bytes * 8);
    this.code.op(Op.i32_eqz);
    this.leaveIf();
  }

  /** Pops a condition; if it holds, leaves the region before this instruction (the host runs it: a fault, say). */
  leaveIf(): void {
    this.if();
    this.dispatch.leaveBefore(this.depth);
    this.end();
  }

  // ---- flags ---------------------------------------------------------------

  /**
   * Sets the lazy flags of an ADD or SUB of X and Y whose result (masked
   * to `size`) is on the stack, as core/cpu/runtime/alu.ts does.
   */
  arithmeticFlags(kind: "add" | "sub", size: number): void {
    const code = this.code, { X, Y, FR, FA, FSZ } = Local;
    code.localSet(FR);
    // The carry vector, computed here rather than when a flag is read: the optimising compiler drops it
    // where the next flag-setting instruction of the block replaces it, and a lazy one would keep the
    // operands live across the region's loop instead (docs/engine.md).
    if (kind === "add") {
      // carries: (x & y) | ((x | y) & ~r)
      code.localGet(X).localGet(Y).op(Op.i32_and)
        .localGet(X).localGet(Y).op(Op.i32_or).localGet(FR).i32Const(-1).op(Op.i32_xor).op(Op.i32_and).op(Op.i32_or);
    } else {
      // borrows: (~x & y) | (~(x ^ y) & r)
      code.localGet(X).i32Const(-1).op(Op.i32_xor).localGet(Y).op(Op.i32_and)
        .localGet(X).localGet(Y).op(Op.i32_xor).i32Const(-1).op(Op.i32_xor).localGet(FR).op(Op.i32_and).op(Op.i32_or);
    }
    code.localSet(FA).i32Const(size).localSet(FSZ);
    this.known = { kind, size };
  }

  /** Sets the flags of a logical operation whose result is on the stack (CF = OF = AF = 0). */
  logicFlags(size: number): void {
    this.code.localSet(Local.FR).i32Const(0).localSet(Local.FA).i32Const(size).localSet(Local.FSZ);
    this.known = { kind: "logic", size };
  }

  /**
   * Sets the flags from explicit CF, OF and AF bits (pushed in that order)
   * and the result in Local.V (masked to `size`), as core/cpu/flags.ts
   * setFlagsFrom does.
   */
  flagsFrom(size: number): void {
    const code = this.code;
    // stack: carry, overflow, aux
    code.i32Const(3).op(Op.i32_shl).localSet(Local.Y); // aux << 3
    code.localSet(Local.X); // overflow
    code.localTee(Local.FA).i32Const(size - 1).op(Op.i32_shl); // carry << (size - 1)
    code.localGet(Local.X).localGet(Local.FA).op(Op.i32_xor).i32Const(size - 2).op(Op.i32_shl).op(Op.i32_or);
    code.localGet(Local.Y).op(Op.i32_or).localSet(Local.FA);
    code.localGet(Local.V).localSet(Local.FR).i32Const(size).localSet(Local.FSZ);
    this.known = { kind: "result", size };
  }

  /**
   * Replaces CF with Local.X and OF with Local.Y (0 or 1), keeping the
   * other flags, as core/cpu/flags.ts setCfOf does: only the carry
   * vector's top two bits change, or the EFLAGS bits when materialised.
   */
  setCarryOverflow(): void {
    const code = this.code, { FA, FSZ, X, Y } = Local;
    code.localGet(FSZ);
    this.if();
    // fa = (fa & ~(3 << (top - 1))) | (carry << top) | ((overflow ^ carry) << (top - 1)), top = fsz - 1
    code.localGet(FA).i32Const(3).localGet(FSZ).i32Const(2).op(Op.i32_sub).op(Op.i32_shl).i32Const(-1).op(Op.i32_xor)
      .op(Op.i32_and)
      .localGet(X).localGet(FSZ).i32Const(1).op(Op.i32_sub).op(Op.i32_shl).op(Op.i32_or)
      .localGet(Y).localGet(X).op(Op.i32_xor).localGet(FSZ).i32Const(2).op(Op.i32_sub).op(Op.i32_shl).op(Op.i32_or)
      .localSet(FA);
    this.else();
    scratchSet(code, Slot.FL, () => {
      scratchGet(code, Slot.FL);
      code.i32Const(~0x801).op(Op.i32_and).localGet(X).op(Op.i32_or).localGet(Y).i32Const(11).op(Op.i32_shl)
        .op(Op.i32_or);
    });
    this.end();
    this.known = undefined;
  }

  /** Forgets what the flags are (after code that set them some other way). */
  flagsUnknown(): void {
    this.known = undefined;
  }

  /** Pushes 1 if condition code `cc` (the low nibble of Jcc/SETcc/CMOVcc) holds, else 0. */
  condition(cc: number): void {
    if (!this.knownCondition(cc)) this.genericCondition(cc);
  }

  /** Conditions read directly from the operands of the last CMP/SUB/ADD/TEST/AND... of the block. */
  private knownCondition(cc: number): boolean {
    const k = this.known;
    if (k === undefined) return false;
    const code = this.code, { X, Y, FR } = Local;
    const base = cc >> 1, negate = (cc & 1) === 1;
    const signed = (l: number) => {
      code.localGet(l);
      if (k.size === 8) code.op(Op.i32_extend8_s);
      else if (k.size === 16) code.op(Op.i32_extend16_s);
    };
    const sign = () => {
      signed(FR);
      code.i32Const(0).op(Op.i32_lt_s);
    };
    switch (base) {
      case 2: // E
        code.localGet(FR).op(Op.i32_eqz);
        if (negate) code.op(Op.i32_eqz);
        return true;
      case 4: // S
        sign();
        if (negate) code.op(Op.i32_eqz);
        return true;
    }
    if (k.kind === "sub") {
      switch (base) {
        case 1: // B / AE
          code.localGet(X).localGet(Y).op(negate ? Op.i32_ge_u : Op.i32_lt_u);
          return true;
        case 3: // BE / A
          code.localGet(X).localGet(Y).op(negate ? Op.i32_gt_u : Op.i32_le_u);
          return true;
        case 6: // L / GE
          signed(X);
          signed(Y);
          code.op(negate ? Op.i32_ge_s : Op.i32_lt_s);
          return true;
        case 7: // LE / G
          signed(X);
          signed(Y);
          code.op(negate ? Op.i32_gt_s : Op.i32_le_s);
          return true;
      }
      return false;
    }
    if (k.kind === "logic") {
      switch (base) {
        case 0: // O / NO: OF is 0
        case 1: // B / AE: CF is 0
          code.i32Const(negate ? 1 : 0);
          return true;
        case 3: // BE / A: ZF
          code.localGet(FR).op(Op.i32_eqz);
          if (negate) code.op(Op.i32_eqz);
          return true;
        case 6: // L / GE: SF
          sign();
          if (negate) code.op(Op.i32_eqz);
          return true;
        case 7: // LE / G: ZF | SF
          code.localGet(FR).op(Op.i32_eqz);
          sign();
          code.op(Op.i32_or);
          if (negate) code.op(Op.i32_eqz);
          return true;
      }
    }
    return false;
  }

  private genericCondition(cc: number): void {
    const code = this.code;
    switch (cc >> 1) {
      case 0: this.flag("of"); break;
      case 1: this.flag("cf"); break;
      case 2: this.flag("zf"); break;
      case 3: this.flag("cf"); this.flag("zf"); code.op(Op.i32_or); break;
      case 4: this.flag("sf"); break;
      case 5: this.flag("pf"); break;
      case 6: this.flag("sf"); this.flag("of"); code.op(Op.i32_xor); break;
      default: this.flag("sf"); this.flag("of"); code.op(Op.i32_xor); this.flag("zf"); code.op(Op.i32_or); break;
    }
    if (cc & 1) code.op(Op.i32_eqz);
  }

  /**
   * Pushes one flag as 0 or 1, as core/cpu/flags.ts computes it: from the
   * carry vector and result when FSZ is not 0, else from the EFLAGS bits.
   */
  flag(which: "cf" | "zf" | "sf" | "of" | "pf" | "af"): void {
    const code = this.code, { FR, FA, FSZ } = Local;
    const bit = { cf: 0, pf: 2, af: 4, zf: 6, sf: 7, of: 11 }[which];
    code.localGet(FSZ);
    this.ifI32();
    switch (which) {
      case "cf":
        code.localGet(FA).localGet(FSZ).i32Const(1).op(Op.i32_sub).op(Op.i32_shr_u);
        break;
      case "of":
        code.localGet(FA).localGet(FSZ).i32Const(2).op(Op.i32_sub).op(Op.i32_shr_u)
          .localGet(FA).localGet(FSZ).i32Const(1).op(Op.i32_sub).op(Op.i32_shr_u).op(Op.i32_xor);
        break;
      case "af":
        code.localGet(FA).i32Const(3).op(Op.i32_shr_u);
        break;
      case "zf":
        code.localGet(FR).op(Op.i32_eqz);
        break;
      case "sf":
        code.localGet(FR).localGet(FSZ).i32Const(1).op(Op.i32_sub).op(Op.i32_shr_u);
        break;
      case "pf":
        code.localGet(FR).i32Const(255).op(Op.i32_and).op(Op.i32_popcnt).i32Const(1).op(Op.i32_xor);
        break;
    }
    code.i32Const(1).op(Op.i32_and);
    this.else();
    scratchGet(code, Slot.FL);
    code.i32Const(bit).op(Op.i32_shr_u).i32Const(1).op(Op.i32_and);
    this.end();
  }

  // ---- control ---------------------------------------------------------------

  /** Continues at a constant address. */
  jumpTo(addr: number): void {
    this.dispatch.to(addr, this.depth);
  }

  /** Continues at the address on the stack. */
  jumpToValue(): void {
    this.code.localSet(Local.EIP);
    this.dispatch.toEip(this.depth);
  }

  /** True if the memory operand is addressed through CS (writes fault). */
  get readOnlySegment(): boolean {
    return this.i.seg === CS;
  }
}

function isModrmOperand(spec: OperandSpec): boolean {
  return spec[0] === "E" || spec[0] === "M" || spec === "Rv/Mw";
}

/** The wasm load of an unsigned `size`-bit value (8, 16 or 32). */
function loadOp(size: number): number {
  return size === 32 ? MemOp.i32_load : size === 16 ? MemOp.i32_load16_u : MemOp.i32_load8_u;
}

/** The wasm store of the low `size` bits of a value (8, 16 or 32). */
function storeOp(size: number): number {
  return size === 32 ? MemOp.i32_store : size === 16 ? MemOp.i32_store16 : MemOp.i32_store8;
}

/** All-ones mask for a size in bits (-1 for 32). */
export function mask(size: number): number {
  return size === 32 ? -1 : (1 << size) - 1;
}
