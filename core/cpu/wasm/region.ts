/**
 * Regions compiled to WebAssembly (docs/engine.md): blocks of a hot loop in
 * one wasm function, guest registers and lazy flags in wasm locals, memory
 * through the page tables in the guest's WebAssembly.Memory.
 *
 * First step: 32-bit MOV, LEA, ADD/OR/AND/SUB/XOR/CMP/TEST, PUSH/POP of
 * registers, Jcc and JMP. A block with anything else is not part of a
 * region (the region leaves before it).
 */
import { blockEnd } from "../blocks.ts";
import { hasMemoryOperand, type Instr } from "../isa/instr.ts";
import { WASM_POOL, WASM_RI, WASM_WI } from "../../memory/memory.ts";
import type { Memory } from "../../memory/memory.ts";
import type { Cpu } from "../state.ts";
import type { BlockFn } from "../codegen/compile.ts";
import { Code, I32, MemOp, ModuleBuilder, Op } from "./encoder.ts";

/** A block of a region and the addresses known to follow it. */
export interface WasmBlock {
  instrs: readonly Instr[];
  successors: readonly number[];
}

// Locals: the parameters first (registers, flags, budget), then the rest.
const FR = 8, FA = 9, FSZ = 10, FL = 11, LEFT = 12;
const DONE = 13, PC = 14, EIP = 15, EA = 16, T0 = 17, T1 = 18, T2 = 19;
const PARAMS = 13, LOCALS = 7;
const ALU = new Set(["add", "or", "and", "sub", "xor", "cmp", "test"]);

/** True if the region compiler translates this instruction. */
export function wasmSupported(i: Instr): boolean {
  if (i.opsize !== 32 || i.adsize !== 32 || i.rep !== 0 || i.lock) return false;
  if (i.seg === 1 || i.seg === 4 || i.seg === 5) return false; // CS writes fault; FS/GS have bases
  const m = i.def.mnemonic;
  const ops = i.def.operands.join(",");
  if (m === "mov") return ["Ev,Gv", "Gv,Ev", "Zv,Iz", "Ev,Iz"].includes(ops);
  if (m === "lea") return true;
  if (ALU.has(m as string)) {
    // A memory destination would need its write checked before the flags change: not yet.
    const writesMemory = m !== "cmp" && m !== "test" && ops[0] === "E" && hasMemoryOperand(i);
    return !writesMemory && ["Ev,Gv", "Gv,Ev", "eAX,Iz", "Ev,Iz", "Ev,Ibs"].includes(ops);
  }
  if (m === "push" || m === "pop") return ops === "Zv";
  if (m === "inc" || m === "dec") return ops === "Zv" || (ops === "Ev" && !hasMemoryOperand(i));
  if (typeof m === "string" && m[0] === "j" && (ops === "Jb" || ops === "Jz")) return m !== "jcxz";
  return false;
}

/** What a compiled region needs from the host while it runs. */
interface Imports {
  sync: (...state: number[]) => void;
  r32: (a: number) => number;
  w32: (a: number, v: number) => number;
  exit: (...state: number[]) => void;
}

/**
 * Compiles `blocks` (the first is the entry) for one CPU and memory. The
 * result has the BlockFn contract: it runs whole blocks while they fit in
 * `left`, leaves with EIP on the first block it does not run, and returns
 * the instructions retired; a fault leaves the CPU as the faulting
 * instruction found it, EIP on it.
 *
 * @example
 * const fn = compileWasmRegion([{ instrs, successors: [instrs[0].addr] }], cpu, mem, () => epoch);
 */
export function compileWasmRegion(
  blocks: readonly WasmBlock[],
  c: Cpu,
  m: Memory,
  codeEpoch: () => number,
): BlockFn {
  const memory = m.toWasm();
  const index = new Map(blocks.map((b, j) => [b.instrs[0].addr | 0, j]));
  const mb = new ModuleBuilder();
  const state = Array(13).fill(I32);
  const tRun = mb.type(state, [I32]);
  const tSync = mb.type(Array(13).fill(I32), []);
  const tExit = mb.type(Array(13).fill(I32), []);
  const tR = mb.type([I32], [I32]);
  const tW = mb.type([I32, I32], [I32]);
  mb.importMemory("m", "memory", memory.buffer.byteLength / 65536);
  const fSync = mb.importFunc("h", "sync", tSync);
  const fR32 = mb.importFunc("h", "r32", tR);
  const fW32 = mb.importFunc("h", "w32", tW);
  const fExit = mb.importFunc("h", "exit", tExit);
  const n = blocks.length;
  const code = new Code();
  code.block(); // $exit
  code.loop(); // $top
  for (let j = 0; j < n; j++) code.block();
  code.localGet(PC).brTable(blocks.map((_, j) => j), n + 1);
  blocks.forEach((b, j) => {
    code.op(Op.end);
    const toTop = n - 1 - j, toExit = n - j;
    const emit = new Emitter(code, { fSync, fR32, fW32 }, toExit);
    const start = b.instrs[0].addr | 0;
    // Budget: the whole block or nothing.
    code.localGet(LEFT).i32Const(b.instrs.length).op(Op.i32_lt_u).if()
      .i32Const(start).localSet(EIP).br(toExit + 1).op(Op.end);
    code.localGet(LEFT).i32Const(b.instrs.length).op(Op.i32_sub).localSet(LEFT);
    b.instrs.forEach((i, k) => emit.instruction(i, k));
    code.localGet(DONE).i32Const(b.instrs.length).op(Op.i32_add).localSet(DONE);
    const last = b.instrs[b.instrs.length - 1];
    if (last.def.flow === "next") {
      emit.goTo(blockEnd(b.instrs), index, toTop, toExit);
    } else {
      // EIP was set by the branch: continue inside the region when it can.
      for (const a of b.successors) {
        const t = index.get(a | 0);
        if (t === undefined) continue;
        code.localGet(EIP).i32Const(a).op(Op.i32_eq).if().i32Const(t).localSet(PC).br(toTop + 1).op(Op.end);
      }
      code.br(toExit);
    }
  });
  code.op(Op.end); // loop
  code.op(Op.end); // $exit
  for (let r = 0; r < 12; r++) code.localGet(r);
  code.localGet(EIP).call(fExit);
  code.localGet(DONE);
  mb.func(tRun, LOCALS, code, "run");

  let faultAt = 0, faultRetired = 0;
  const epochAtEntry = { value: 0 };
  const imports: Imports = {
    sync: (...s) => {
      c.r.set(s.slice(0, 8));
      c.fr = s[FR], c.fa = s[FA], c.fsz = s[FSZ];
      faultAt = s[11], faultRetired = s[12];
    },
    r32: (a) => m.r32(a),
    w32: (a, v) => {
      m.w32(a, v);
      return codeEpoch() !== epochAtEntry.value ? 1 : 0;
    },
    exit: (...s) => {
      c.r.set(s.slice(0, 8));
      c.fr = s[FR], c.fa = s[FA], c.fsz = s[FSZ];
      c.eip = s[12];
    },
  };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(mb.build()), { m: { memory }, h: { ...imports } });
  const run = instance.exports.run as (...args: number[]) => number;
  const r = c.r;
  return (c, _r, _m, left) => {
    epochAtEntry.value = codeEpoch();
    let done: number;
    try {
      done = run(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], c.fr, c.fa, c.fsz, c.fl, left);
    } catch (e) {
      c.icount += faultRetired;
      c.eip = faultAt;
      throw e;
    }
    c.icount += done;
    return done;
  };
}

/** Emits instructions into a region's code. */
class Emitter {
  constructor(
    private readonly code: Code,
    private readonly f: { fSync: number; fR32: number; fW32: number },
    /** Branch depth of the region's exit from a block's body. */
    private readonly toExit: number,
  ) {}

  goTo(addr: number, index: ReadonlyMap<number, number>, toTop: number, toExit: number): void {
    const t = index.get(addr | 0);
    if (t === undefined) this.code.i32Const(addr).localSet(EIP).br(toExit);
    else this.code.i32Const(t).localSet(PC).br(toTop);
  }

  instruction(i: Instr, k: number): void {
    const code = this.code;
    const m = i.def.mnemonic as string;
    const ops = i.def.operands;
    if (hasMemoryOperand(i) && m !== "lea") this.effectiveAddress(i);
    const next = (i.addr + i.len) | 0;
    if (m === "mov") {
      this.value(i, ops[1], k);
      this.store(i, ops[0], k, next);
    } else if (m === "lea") {
      this.offset(i);
      code.localSet(i.reg);
    } else if (ALU.has(m)) {
      this.value(i, ops[0], k);
      code.localSet(T1);
      this.value(i, ops[1], k);
      code.localSet(T2);
      this.alu(m);
      if (m !== "cmp" && m !== "test") {
        code.localGet(T0);
        this.store(i, ops[0], k, next);
      }
    } else if (m === "inc" || m === "dec") {
      this.incDec(m === "inc", ops[0] === "Zv" ? i.opcode & 7 : i.rm);
    } else if (m === "push") {
      code.localGet(4).i32Const(4).op(Op.i32_sub).localSet(EA);
      code.localGet(i.opcode & 7);
      this.storeAt(EA, k, next, i);
      code.localGet(EA).localSet(4);
    } else if (m === "pop") {
      code.localGet(4).localSet(EA);
      this.loadAt(EA, k, i);
      code.localGet(4).i32Const(4).op(Op.i32_add).localSet(4);
      code.localSet(i.opcode & 7);
    } else if (m === "jmp") {
      code.i32Const(jumpTarget(i)).localSet(EIP);
    } else {
      // Jcc: the condition code is the low nibble of the opcode.
      this.condition(i.opcode & 15);
      code.if().i32Const(jumpTarget(i)).localSet(EIP).op(Op.else).i32Const(next).localSet(EIP).op(Op.end);
    }
  }

  /** ADD..TEST of T1 and T2 into T0 and the lazy flags. */
  private alu(m: string): void {
    const code = this.code;
    const op = { add: Op.i32_add, sub: Op.i32_sub, cmp: Op.i32_sub, and: Op.i32_and, test: Op.i32_and, or: Op.i32_or, xor: Op.i32_xor }[m]!;
    code.localGet(T1).localGet(T2).op(op).localTee(T0).localSet(FR);
    if (m === "add") {
      // carries: (x & y) | ((x | y) & ~v)
      code.localGet(T1).localGet(T2).op(Op.i32_and)
        .localGet(T1).localGet(T2).op(Op.i32_or).localGet(T0).i32Const(-1).op(Op.i32_xor).op(Op.i32_and)
        .op(Op.i32_or).localSet(FA);
    } else if (m === "sub" || m === "cmp") {
      // borrows: (~x & y) | (~(x ^ y) & v)
      code.localGet(T1).i32Const(-1).op(Op.i32_xor).localGet(T2).op(Op.i32_and)
        .localGet(T1).localGet(T2).op(Op.i32_xor).i32Const(-1).op(Op.i32_xor).localGet(T0).op(Op.i32_and)
        .op(Op.i32_or).localSet(FA);
    } else {
      code.i32Const(0).localSet(FA);
    }
    code.i32Const(32).localSet(FSZ);
  }

  /**
   * INC/DEC of a register: CF is kept, the other flags set from the
   * result, encoded in the carry vector as core/cpu/flags.ts setFlagsFrom
   * does (CF in bit 31, OF ^ CF in bit 30, AF in bit 3).
   */
  private incDec(inc: boolean, reg: number): void {
    const code = this.code;
    this.flag("cf");
    code.localSet(T1);
    code.localGet(reg).localTee(T2).i32Const(1).op(inc ? Op.i32_add : Op.i32_sub).localTee(reg).localSet(FR);
    // overflow: the result is 0x80000000 (inc) or 0x7fffffff (dec)
    code.localGet(reg).i32Const(inc ? -0x80000000 : 0x7fffffff).op(Op.i32_eq).localGet(T1).op(Op.i32_xor)
      .i32Const(30).op(Op.i32_shl)
      .localGet(T1).i32Const(31).op(Op.i32_shl).op(Op.i32_or);
    // aux: a carry out of the low nibble (inc: it was 0xf) or a borrow (dec: it was 0)
    code.localGet(T2).i32Const(15).op(Op.i32_and).i32Const(inc ? 15 : 0).op(Op.i32_eq).i32Const(3).op(Op.i32_shl)
      .op(Op.i32_or).localSet(FA);
    code.i32Const(32).localSet(FSZ);
  }

  /** Pushes the value of a condition code (0 or 1) from the lazy flags. */
  private condition(cc: number): void {
    const code = this.code;
    const flag = (which: "cf" | "zf" | "sf" | "of" | "pf") => this.flag(which);
    const base = cc >> 1;
    switch (base) {
      case 0: flag("of"); break;
      case 1: flag("cf"); break;
      case 2: flag("zf"); break;
      case 3: flag("cf"); flag("zf"); code.op(Op.i32_or); break;
      case 4: flag("sf"); break;
      case 5: flag("pf"); break;
      case 6: flag("sf"); flag("of"); code.op(Op.i32_xor); break;
      default: flag("sf"); flag("of"); code.op(Op.i32_xor); flag("zf"); code.op(Op.i32_or); break;
    }
    if (cc & 1) code.op(Op.i32_eqz);
  }

  /**
   * One flag as 0 or 1, as core/cpu/flags.ts computes it: from the carry
   * vector and result when FSZ is not 0, else from the materialised bits.
   */
  private flag(which: "cf" | "zf" | "sf" | "of" | "pf"): void {
    const code = this.code;
    const bit = { cf: 0, pf: 2, zf: 6, sf: 7, of: 11 }[which];
    code.localGet(FSZ).if_i32();
    switch (which) {
      case "cf":
        code.localGet(FA).localGet(FSZ).i32Const(1).op(Op.i32_sub).op(Op.i32_shr_u);
        break;
      case "of":
        code.localGet(FA).localGet(FSZ).i32Const(2).op(Op.i32_sub).op(Op.i32_shr_u)
          .localGet(FA).localGet(FSZ).i32Const(1).op(Op.i32_sub).op(Op.i32_shr_u).op(Op.i32_xor);
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
    code.i32Const(1).op(Op.i32_and).op(Op.else)
      .localGet(FL).i32Const(bit).op(Op.i32_shr_u).i32Const(1).op(Op.i32_and).op(Op.end);
  }

  private effectiveAddress(i: Instr): void {
    this.offset(i);
    this.code.localSet(EA);
  }

  /** Pushes base + index << scale + disp. */
  private offset(i: Instr): void {
    const code = this.code;
    code.i32Const(i.disp);
    if (i.base >= 0) code.localGet(i.base).op(Op.i32_add);
    if (i.index >= 0) code.localGet(i.index).i32Const(i.scale).op(Op.i32_shl).op(Op.i32_add);
  }

  /** Pushes the value of an operand. */
  private value(i: Instr, spec: string, k: number): void {
    const code = this.code;
    if (spec === "Iz" || spec === "Ibs") code.i32Const(i.imm);
    else if (spec === "eAX") code.localGet(0);
    else if (spec === "Gv") code.localGet(i.reg);
    else if (spec === "Zv") code.localGet(i.opcode & 7);
    else if (hasMemoryOperand(i)) this.loadAt(EA, k, i);
    else code.localGet(i.rm);
  }

  /** Stores the value on the stack to an operand. */
  private store(i: Instr, spec: string, k: number, next: number): void {
    const code = this.code;
    if (spec === "eAX") code.localSet(0);
    else if (spec === "Gv") code.localSet(i.reg);
    else if (spec === "Zv") code.localSet(i.opcode & 7);
    else if (hasMemoryOperand(i)) this.storeAt(EA, k, next, i);
    else code.localSet(i.rm);
  }

  /** Writes the state back and records where a fault would be, before a call that may throw. */
  private sync(i: Instr, k: number): void {
    const code = this.code;
    for (let r = 0; r < 11; r++) code.localGet(r);
    code.i32Const(i.addr).localGet(DONE).i32Const(k).op(Op.i32_add).call(this.f.fSync);
  }

  /** Pushes the 32-bit value at the address in local `a`. */
  private loadAt(a: number, k: number, i: Instr): void {
    const code = this.code;
    code.localGet(a).i32Const(12).op(Op.i32_shr_u).i32Const(2).op(Op.i32_shl).mem(MemOp.i32_load, WASM_RI, 2).localSet(T0);
    code.localGet(T0).op(Op.i32_eqz).localGet(a).i32Const(4095).op(Op.i32_and).i32Const(4092).op(Op.i32_gt_u).op(Op.i32_or);
    code.if_i32();
    this.sync(i, k);
    code.localGet(a).call(this.f.fR32);
    code.op(Op.else);
    code.localGet(T0).i32Const(12).op(Op.i32_shl).localGet(a).i32Const(4095).op(Op.i32_and).op(Op.i32_or)
      .mem(MemOp.i32_load, WASM_POOL, 0);
    code.op(Op.end);
  }

  /**
   * Stores the value on the stack at the address in local `a`. A slow
   * store that wrote a page holding translated code ends the region after
   * this instruction (the code that follows may have changed).
   */
  private storeAt(a: number, k: number, next: number, i: Instr): void {
    const code = this.code;
    code.localSet(T2);
    code.localGet(a).i32Const(12).op(Op.i32_shr_u).i32Const(2).op(Op.i32_shl).mem(MemOp.i32_load, WASM_WI, 2).localSet(T0);
    code.localGet(T0).op(Op.i32_eqz).localGet(a).i32Const(4095).op(Op.i32_and).i32Const(4092).op(Op.i32_gt_u).op(Op.i32_or);
    code.if();
    this.sync(i, k);
    code.localGet(a).localGet(T2).call(this.f.fW32).if()
      .i32Const(next).localSet(EIP).localGet(DONE).i32Const(k + 1).op(Op.i32_add).localSet(DONE).br(this.toExit + 2)
      .op(Op.end);
    code.op(Op.else);
    code.localGet(T0).i32Const(12).op(Op.i32_shl).localGet(a).i32Const(4095).op(Op.i32_and).op(Op.i32_or)
      .localGet(T2).mem(MemOp.i32_store, WASM_POOL, 0);
    code.op(Op.end);
  }
}

function jumpTarget(i: Instr): number {
  return (i.addr + i.len + i.imm) | 0;
}
