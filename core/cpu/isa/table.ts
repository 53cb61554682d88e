/**
 * The opcode table: the one place that says what every x86 opcode is. The
 * decoder reads its operand specifications, the disassembler its mnemonics
 * and operands, both execution backends its emitters, and the differential
 * tests enumerate its rows.
 */
import type { FaultKind } from "../../fault.ts";
import type { Emitter, Flow, OpDef } from "./instr.ts";
import type { OperandSpec } from "./operands.ts";
import * as A from "./semantics/arith.ts";
import * as C from "./semantics/control.ts";
import * as D from "./semantics/data.ts";
import { stringOp } from "./semantics/strings.ts";
import * as S from "./semantics/system.ts";
import * as W from "../wasm/semantics.ts";
import { DS, ES, FS, GS, SS } from "../state.ts";
import { simdSlots } from "./simd-table.ts";

/** A table slot: one instruction, a ModRM.reg-selected group, or the x87 escape. */
export type Slot =
  | { kind: "op"; def: OpDef }
  | {
    kind: "group";
    ops: readonly (OpDef | undefined)[];
    /** Group members when ModRM.mod = 3, where they differ. */
    registerForm?: readonly (OpDef | undefined)[];
  }
  | { kind: "x87" }
  /** Different instructions for the register (ModRM.mod = 3) and memory forms (MOVHLPS/MOVLPS). */
  | { kind: "split"; memory?: OpDef; register?: OpDef }
  /**
   * MMX/SSE opcodes whose mandatory prefix picks the instruction: none,
   * 66, F3 or F2 (F2/F3 take precedence over 66). A prefix with no entry
   * makes the encoding undefined.
   */
  | { kind: "prefixed"; none?: Slot; p66?: Slot; pf3?: Slot; pf2?: Slot }
  | undefined;

interface Extra {
  flow?: Flow;
  lockable?: boolean;
  string?: "rep" | "repcc";
  namedByAddressSize?: boolean;
  fault?: FaultKind;
  wasm?: W.WasmEmitter;
}

/** Builds a row: `operands` is a comma-separated list of specs. */
function op(
  mnemonic: OpDef["mnemonic"],
  operands: string,
  emit: Emitter,
  extra: Extra = {},
): OpDef {
  return {
    mnemonic,
    operands: operands ? (operands.split(",") as OperandSpec[]) : [],
    emit,
    flow: extra.flow ?? "next",
    lockable: extra.lockable,
    string: extra.string,
    namedByAddressSize: extra.namedByAddressSize,
    fault: extra.fault,
    wasm: extra.wasm,
  };
}

const jump: Extra = { flow: "jump" };
/** A row translated to WebAssembly by `wasm` (see core/cpu/wasm/semantics.ts). */
const wasm = (emitter: W.WasmEmitter, extra: Extra = {}): Extra => ({ ...extra, wasm: emitter });
const stop: Extra = { flow: "stop" };
const lockable: Extra = { lockable: true };

/** An instruction that always stops the guest with `kind`. */
function faulting(
  kind: FaultKind,
  mnemonic: OpDef["mnemonic"],
  operands: string,
  what: string,
): OpDef {
  return op(mnemonic, operands, C.fault(kind, what), { flow: "stop", fault: kind });
}

/** An instruction user code may not execute (or that would reveal the host). */
function privileged(mnemonic: OpDef["mnemonic"], operands = ""): OpDef {
  return faulting("privileged", mnemonic, operands, typeof mnemonic === "string" ? mnemonic : mnemonic[1]);
}

/** A far transfer, which would load CS: not available in a flat guest. */
function farTransfer(mnemonic: OpDef["mnemonic"], operands = ""): OpDef {
  const name = typeof mnemonic === "string" ? mnemonic : mnemonic[1];
  return faulting("general-protection", mnemonic, operands, `far ${name}`);
}

const ALU = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"] as const;
const SHIFTS = ["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"] as const;
const SHIFT_FN = ["rol", "ror", "rcl", "rcr", "shl", "shr", "shl", "sar"] as const;
const CC = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];

function aluOp(k: number, operands: string): OpDef {
  const name = ALU[k];
  return name === "cmp"
    ? op(name, operands, A.aluFlags("sub"), wasm(W.alu("sub", false)))
    : op(name, operands, A.alu(name), wasm(W.alu(name), operands.startsWith("E") ? lockable : {}));
}

const ONE: Slot[] = new Array(256).fill(undefined);
const TWO: Slot[] = new Array(256).fill(undefined);

function one(code: number, def: OpDef): void {
  ONE[code] = { kind: "op", def };
}
function two(code: number, def: OpDef): void {
  TWO[code] = { kind: "op", def };
}

// ---- one-byte opcodes --------------------------------------------------

for (let k = 0; k < 8; k++) {
  const b = k * 8;
  one(b + 0, aluOp(k, "Eb,Gb"));
  one(b + 1, aluOp(k, "Ev,Gv"));
  one(b + 2, aluOp(k, "Gb,Eb"));
  one(b + 3, aluOp(k, "Gv,Ev"));
  one(b + 4, aluOp(k, "AL,Ib"));
  one(b + 5, aluOp(k, "eAX,Iz"));
}
one(0x06, op("push", "ES", D.pushSeg));
one(0x07, op("pop", "ES", D.popSeg));
one(0x0e, op("push", "CS", D.pushSeg));
one(0x16, op("push", "SS", D.pushSeg));
one(0x17, op("pop", "SS", D.popSeg));
one(0x1e, op("push", "DS", D.pushSeg));
one(0x1f, op("pop", "DS", D.popSeg));
one(0x27, op("daa", "", A.bcd("daa")));
one(0x2f, op("das", "", A.bcd("das")));
one(0x37, op("aaa", "", A.bcd("aaa")));
one(0x3f, op("aas", "", A.bcd("aas")));
for (let n = 0; n < 8; n++) {
  one(0x40 + n, op("inc", "Zv", A.unary("inc"), wasm(W.incDec("inc"))));
  one(0x48 + n, op("dec", "Zv", A.unary("dec"), wasm(W.incDec("dec"))));
  one(0x50 + n, op("push", "Zv", D.push, wasm(W.push)));
  one(0x58 + n, op("pop", "Zv", D.pop, wasm(W.pop)));
}
one(0x60, op(["pushaw", "pushad"], "", D.pusha));
one(0x61, op(["popaw", "popad"], "", D.popa));
one(0x62, op("bound", "Gv,Ma", S.bound));
one(0x63, op("arpl", "Rv/Mw,Gv", D.arpl));
one(0x68, op("push", "Iz", D.push, wasm(W.push)));
one(0x69, op("imul", "Gv,Ev,Iz", A.imul3, wasm(W.imul(1))));
one(0x6a, op("push", "Ibs", D.push, wasm(W.push)));
one(0x6b, op("imul", "Gv,Ev,Ibs", A.imul3, wasm(W.imul(1))));
one(0x6c, privileged("insb", "Yb,DX"));
one(0x6d, privileged(["insw", "insd"], "Yv,DX"));
one(0x6e, privileged("outsb", "DX,Xb"));
one(0x6f, privileged(["outsw", "outsd"], "DX,Xv"));
for (let cc = 0; cc < 16; cc++) {
  one(0x70 + cc, op("j" + CC[cc], "Jb", C.jcc(C.CONDITIONS[cc]), wasm(W.jcc(cc), jump)));
}
for (const [code, operands] of [[0x80, "Eb,Ib"], [0x81, "Ev,Iz"], [0x82, "Eb,Ib"], [0x83, "Ev,Ibs"]] as const) {
  ONE[code] = { kind: "group", ops: ALU.map((_, k) => aluOp(k, operands)) };
}
one(0x84, op("test", "Eb,Gb", A.aluFlags("and"), wasm(W.alu("and", false))));
one(0x85, op("test", "Ev,Gv", A.aluFlags("and"), wasm(W.alu("and", false))));
one(0x86, op("xchg", "Eb,Gb", D.xchg, wasm(W.xchg, lockable)));
one(0x87, op("xchg", "Ev,Gv", D.xchg, wasm(W.xchg, lockable)));
one(0x88, op("mov", "Eb,Gb", D.mov, wasm(W.mov)));
one(0x89, op("mov", "Ev,Gv", D.mov, wasm(W.mov)));
one(0x8a, op("mov", "Gb,Eb", D.mov, wasm(W.mov)));
one(0x8b, op("mov", "Gv,Ev", D.mov, wasm(W.mov)));
one(0x8c, op("mov", "Rv/Mw,Sw", D.movFromSeg));
one(0x8d, op("lea", "Gv,M", D.lea, wasm(W.lea)));
one(0x8e, op("mov", "Sw,Rv/Mw", D.movToSeg));
ONE[0x8f] = { kind: "group", ops: [op("pop", "Ev", D.pop, wasm(W.pop))] };
one(0x90, op("nop", "", S.nop, wasm(W.nop)));
for (let n = 1; n < 8; n++) one(0x90 + n, op("xchg", "Zv,eAX", D.xchg, wasm(W.xchg)));
one(0x98, op(["cbw", "cwde"], "", D.extendAccumulator, wasm(W.extendAccumulator)));
one(0x99, op(["cwd", "cdq"], "", D.extendIntoDx, wasm(W.extendIntoDx)));
one(0x9a, farTransfer("call", "Ap"));
one(0x9b, op("wait", "", S.fwait));
one(0x9c, op(["pushfw", "pushfd"], "", D.pushf));
one(0x9d, op(["popfw", "popfd"], "", D.popf));
one(0x9e, op("sahf", "", D.sahf, wasm(W.sahf)));
one(0x9f, op("lahf", "", D.lahf, wasm(W.lahf)));
one(0xa0, op("mov", "AL,Ob", D.mov, wasm(W.mov)));
one(0xa1, op("mov", "eAX,Ov", D.mov, wasm(W.mov)));
one(0xa2, op("mov", "Ob,AL", D.mov, wasm(W.mov)));
one(0xa3, op("mov", "Ov,eAX", D.mov, wasm(W.mov)));
one(0xa4, op("movsb", "Yb,Xb", stringOp("movs"), wasm(W.string("movs"), { string: "rep" })));
one(0xa5, op(["movsw", "movsd"], "Yv,Xv", stringOp("movs"), wasm(W.string("movs"), { string: "rep" })));
one(0xa6, op("cmpsb", "Xb,Yb", stringOp("cmps"), wasm(W.string("cmps"), { string: "repcc" })));
one(0xa7, op(["cmpsw", "cmpsd"], "Xv,Yv", stringOp("cmps"), wasm(W.string("cmps"), { string: "repcc" })));
one(0xa8, op("test", "AL,Ib", A.aluFlags("and"), wasm(W.alu("and", false))));
one(0xa9, op("test", "eAX,Iz", A.aluFlags("and"), wasm(W.alu("and", false))));
one(0xaa, op("stosb", "Yb,AL", stringOp("stos"), wasm(W.string("stos"), { string: "rep" })));
one(0xab, op(["stosw", "stosd"], "Yv,eAX", stringOp("stos"), wasm(W.string("stos"), { string: "rep" })));
one(0xac, op("lodsb", "AL,Xb", stringOp("lods"), wasm(W.string("lods"), { string: "rep" })));
one(0xad, op(["lodsw", "lodsd"], "eAX,Xv", stringOp("lods"), wasm(W.string("lods"), { string: "rep" })));
one(0xae, op("scasb", "AL,Yb", stringOp("scas"), wasm(W.string("scas"), { string: "repcc" })));
one(0xaf, op(["scasw", "scasd"], "eAX,Yv", stringOp("scas"), wasm(W.string("scas"), { string: "repcc" })));
for (let n = 0; n < 8; n++) {
  one(0xb0 + n, op("mov", "Zb,Ib", D.mov, wasm(W.mov)));
  one(0xb8 + n, op("mov", "Zv,Iz", D.mov, wasm(W.mov)));
}
const WASM_SHIFTS: Partial<Record<string, W.WasmEmitter>> = {
  shl: W.shift("shl"), shr: W.shift("shr"), sar: W.shift("sar"), rol: W.shift("rol"), ror: W.shift("ror"),
};
const shiftGroup = (count: string) =>
  SHIFTS.map((name, k) => op(name, count, A.shift(SHIFT_FN[k]), { wasm: WASM_SHIFTS[SHIFT_FN[k]] }));
ONE[0xc0] = { kind: "group", ops: shiftGroup("Eb,Ib") };
ONE[0xc1] = { kind: "group", ops: shiftGroup("Ev,Ib") };
one(0xc2, op("ret", "Iw", C.ret, wasm(W.ret, jump)));
one(0xc3, op("ret", "", C.ret, wasm(W.ret, jump)));
one(0xc4, op("les", "Gv,Mp", D.loadFarPointer(ES)));
one(0xc5, op("lds", "Gv,Mp", D.loadFarPointer(DS)));
ONE[0xc6] = { kind: "group", ops: [op("mov", "Eb,Ib", D.mov, wasm(W.mov))] };
ONE[0xc7] = { kind: "group", ops: [op("mov", "Ev,Iz", D.mov, wasm(W.mov))] };
one(0xc8, op("enter", "Iw,Ib", S.enter));
one(0xc9, op("leave", "", S.leave));
one(0xca, farTransfer("retf", "Iw"));
one(0xcb, farTransfer("retf"));
one(0xcc, faulting("breakpoint", "int3", "", "INT3"));
one(0xcd, op("int", "Ib", C.int, stop));
one(0xce, op("into", "", C.into));
one(0xcf, farTransfer(["iretw", "iretd"]));
ONE[0xd0] = { kind: "group", ops: shiftGroup("Eb,1") };
ONE[0xd1] = { kind: "group", ops: shiftGroup("Ev,1") };
ONE[0xd2] = { kind: "group", ops: shiftGroup("Eb,CL") };
ONE[0xd3] = { kind: "group", ops: shiftGroup("Ev,CL") };
one(0xd4, op("aam", "Ib", A.bcd("aam")));
one(0xd5, op("aad", "Ib", A.bcd("aad")));
one(0xd6, op("salc", "", D.salc));
one(0xd7, op("xlatb", "", D.xlat));
for (let n = 0; n < 8; n++) ONE[0xd8 + n] = { kind: "x87" };
one(0xe0, op("loopne", "Jb", C.loop("!L.zf(c)"), jump));
one(0xe1, op("loope", "Jb", C.loop("L.zf(c)"), jump));
one(0xe2, op("loop", "Jb", C.loop(null), jump));
one(0xe3, op(["jcxz", "jecxz"], "Jb", C.jecxz, { flow: "jump", namedByAddressSize: true }));
one(0xe4, privileged("in", "AL,Ib"));
one(0xe5, privileged("in", "eAX,Ib"));
one(0xe6, privileged("out", "Ib,AL"));
one(0xe7, privileged("out", "Ib,eAX"));
one(0xe8, op("call", "Jz", C.call, wasm(W.call, jump)));
one(0xe9, op("jmp", "Jz", C.jmp, wasm(W.jmp, jump)));
one(0xea, farTransfer("jmp", "Ap"));
one(0xeb, op("jmp", "Jb", C.jmp, wasm(W.jmp, jump)));
one(0xec, privileged("in", "AL,DX"));
one(0xed, privileged("in", "eAX,DX"));
one(0xee, privileged("out", "DX,AL"));
one(0xef, privileged("out", "DX,eAX"));
one(0xf1, faulting("breakpoint", "int1", "", "INT1"));
one(0xf4, privileged("hlt"));
one(0xf5, op("cmc", "", S.cmc, wasm(W.carry("cmc"))));
const unaryGroup = (size: "b" | "v") => {
  const E = "E" + size;
  return [
    op("test", `${E},${size === "b" ? "Ib" : "Iz"}`, A.aluFlags("and"), wasm(W.alu("and", false))),
    op("test", `${E},${size === "b" ? "Ib" : "Iz"}`, A.aluFlags("and"), wasm(W.alu("and", false))),
    op("not", E, A.not, wasm(W.not, lockable)),
    op("neg", E, A.unary("neg"), wasm(W.neg, lockable)),
    op("mul", E, A.accumulatorOp("mul"), wasm(W.mul32)),
    op("imul", E, A.accumulatorOp("imul1")),
    op("div", E, A.accumulatorOp("div"), wasm(W.divide(false))),
    op("idiv", E, A.accumulatorOp("idiv"), wasm(W.divide(true))),
  ];
};
ONE[0xf6] = { kind: "group", ops: unaryGroup("b") };
ONE[0xf7] = { kind: "group", ops: unaryGroup("v") };
one(0xf8, op("clc", "", S.clc, wasm(W.carry("clc"))));
one(0xf9, op("stc", "", S.stc, wasm(W.carry("stc"))));
one(0xfa, privileged("cli"));
one(0xfb, privileged("sti"));
one(0xfc, op("cld", "", S.cld, wasm(W.direction(1))));
one(0xfd, op("std", "", S.std, wasm(W.direction(-1))));
ONE[0xfe] = {
  kind: "group",
  ops: [op("inc", "Eb", A.unary("inc"), wasm(W.incDec("inc"), lockable)), op("dec", "Eb", A.unary("dec"), wasm(W.incDec("dec"), lockable))],
};
ONE[0xff] = {
  kind: "group",
  ops: [
    op("inc", "Ev", A.unary("inc"), wasm(W.incDec("inc"), lockable)),
    op("dec", "Ev", A.unary("dec"), wasm(W.incDec("dec"), lockable)),
    op("call", "Ev", C.callIndirect, wasm(W.callIndirect, jump)),
    farTransfer("call", "Mp"),
    op("jmp", "Ev", C.jmpIndirect, wasm(W.jmpIndirect, jump)),
    farTransfer("jmp", "Mp"),
    op("push", "Ev", D.push, wasm(W.push)),
  ],
};

// ---- two-byte opcodes (0F xx) ------------------------------------------

// Descriptor-table and system instructions. SLDT, STR, SMSW, LAR, LSL,
// VERR and VERW are legal at CPL 3 but reveal the host: fx86 stops on them
// too. SYSCALL/SYSRET (AMD) and RSM (#UD outside SMM) are left undefined.
TWO[0x00] = {
  kind: "group",
  ops: ["sldt", "str", "lldt", "ltr", "verr", "verw"].map((n) => privileged(n, "Rv/Mw")),
};
const descriptorTable = (n: string) => privileged(n, "Ms");
TWO[0x01] = {
  kind: "group",
  ops: [
    descriptorTable("sgdt"),
    descriptorTable("sidt"),
    descriptorTable("lgdt"),
    descriptorTable("lidt"),
    privileged("smsw", "Rv/Mw"),
    undefined,
    privileged("lmsw", "Rv/Mw"),
    privileged("invlpg", "M"),
  ],
  // With mod = 3 the /0../3 and /7 encodings are VMX, MONITOR, XGETBV, SWAPGS... (not i686).
  registerForm: [
    undefined,
    undefined,
    undefined,
    undefined,
    privileged("smsw", "Rv/Mw"),
    undefined,
    privileged("lmsw", "Rv/Mw"),
    undefined,
  ],
};
two(0x02, privileged("lar", "Gv,Rv/Mw"));
two(0x03, privileged("lsl", "Gv,Rv/Mw"));
two(0x06, privileged("clts"));
two(0x08, privileged("invd"));
two(0x09, privileged("wbinvd"));
// 0F 0A is reserved on every x86 processor; fx86 uses it for its own instructions (docs/abi.md).
two(0x0a, op("fx86", "Ib", S.fx86, stop));
// The hint-NOP space: PREFETCHh, ENDBR32, CLDEMOTE... are NOPs on an i686.
for (let n = 0x18; n <= 0x1f; n++) two(n, op("nop", "Ev", S.nop, wasm(W.nop)));
two(0x20, privileged("mov", "Rd,Cd"));
two(0x21, privileged("mov", "Rd,Dd"));
two(0x22, privileged("mov", "Cd,Rd"));
two(0x23, privileged("mov", "Dd,Rd"));
two(0x30, privileged("wrmsr"));
two(0x31, op("rdtsc", "", S.rdtsc));
two(0x32, privileged("rdmsr"));
two(0x33, privileged("rdpmc"));
two(0x34, privileged("sysenter"));
two(0x35, privileged("sysexit"));
for (let cc = 0; cc < 16; cc++) {
  two(0x40 + cc, op("cmov" + CC[cc], "Gv,Ev", D.cmov(C.CONDITIONS[cc]), wasm(W.cmov(cc))));
  two(0x80 + cc, op("j" + CC[cc], "Jz", C.jcc(C.CONDITIONS[cc]), wasm(W.jcc(cc), jump)));
  two(0x90 + cc, op("set" + CC[cc], "Eb", D.setcc(C.CONDITIONS[cc]), wasm(W.setcc(cc))));
}
two(0xa0, op("push", "FS", D.pushSeg));
two(0xa1, op("pop", "FS", D.popSeg));
two(0xa2, op("cpuid", "", S.cpuid));
two(0xa3, op("bt", "Ev,Gv", A.bitTest(0), wasm(W.bitTest(0))));
two(0xa4, op("shld", "Ev,Gv,Ib", A.doubleShift("shld")));
two(0xa5, op("shld", "Ev,Gv,CL", A.doubleShift("shld")));
two(0xa8, op("push", "GS", D.pushSeg));
two(0xa9, op("pop", "GS", D.popSeg));
two(0xab, op("bts", "Ev,Gv", A.bitTest(1), wasm(W.bitTest(1), lockable)));
two(0xac, op("shrd", "Ev,Gv,Ib", A.doubleShift("shrd")));
two(0xad, op("shrd", "Ev,Gv,CL", A.doubleShift("shrd")));
two(0xaf, op("imul", "Gv,Ev", A.imul2, wasm(W.imul(0))));
two(0xb0, op("cmpxchg", "Eb,Gb", A.cmpxchg, lockable));
two(0xb1, op("cmpxchg", "Ev,Gv", A.cmpxchg, lockable));
two(0xb2, op("lss", "Gv,Mp", D.loadFarPointer(SS)));
two(0xb3, op("btr", "Ev,Gv", A.bitTest(2), wasm(W.bitTest(2), lockable)));
two(0xb4, op("lfs", "Gv,Mp", D.loadFarPointer(FS)));
two(0xb5, op("lgs", "Gv,Mp", D.loadFarPointer(GS)));
two(0xb6, op("movzx", "Gv,Eb", D.movzx, wasm(W.movzx)));
two(0xb7, op("movzx", "Gv,Ew", D.movzx, wasm(W.movzx)));
TWO[0xba] = {
  kind: "group",
  ops: [
    undefined,
    undefined,
    undefined,
    undefined,
    op("bt", "Ev,Ib", A.bitTest(0), wasm(W.bitTest(0))),
    op("bts", "Ev,Ib", A.bitTest(1), wasm(W.bitTest(1), lockable)),
    op("btr", "Ev,Ib", A.bitTest(2), wasm(W.bitTest(2), lockable)),
    op("btc", "Ev,Ib", A.bitTest(3), wasm(W.bitTest(3), lockable)),
  ],
};
two(0xbb, op("btc", "Ev,Gv", A.bitTest(3), wasm(W.bitTest(3), lockable)));
two(0xbc, op("bsf", "Gv,Ev", A.bitScan("bsf")));
two(0xbd, op("bsr", "Gv,Ev", A.bitScan("bsr")));
two(0xbe, op("movsx", "Gv,Eb", D.movsx, wasm(W.movsx)));
two(0xbf, op("movsx", "Gv,Ew", D.movsx, wasm(W.movsx)));
two(0xc0, op("xadd", "Eb,Gb", A.xadd, lockable));
two(0xc1, op("xadd", "Ev,Gv", A.xadd, lockable));
TWO[0xc7] = {
  kind: "group",
  ops: [undefined, op("cmpxchg8b", "Mq", A.cmpxchg8b, lockable)],
};
for (let n = 0; n < 8; n++) two(0xc8 + n, op("bswap", "Zv", D.bswap, wasm(W.bswap)));

// MMX, SSE and SSE2 (core/cpu/isa/simd-table.ts).
for (const [code, slot] of simdSlots()) {
  if (TWO[code] !== undefined) throw new Error(`SIMD opcode 0f ${code.toString(16)} is taken`);
  TWO[code] = slot;
}

/** The row every x87 instruction decodes to; core/cpu/x87 describes it further. */
export const X87_DEF: OpDef = op("x87", "", S.x87, wasm(W.x87));

/** One-byte opcode map. */
export const ONE_BYTE: readonly Slot[] = ONE;
/** Two-byte (0F xx) opcode map. */
export const TWO_BYTE: readonly Slot[] = TWO;
