/**
 * The MMX, SSE and SSE2 rows of the two-byte opcode map (docs/sse.md),
 * keyed by mandatory prefix: none (MMX registers, or SSE single
 * precision), 66 (XMM integer, double precision), F3 (scalar single),
 * F2 (scalar double). Each row names its operation in core/cpu/sse, which
 * the shared emitter (core/cpu/sse/emit.ts) calls between the operand
 * moves.
 *
 * @example
 * for (const [code, slot] of simdSlots()) TWO_BYTE[code] = slot;
 */
import { vector, type VectorOptions } from "../sse/emit.ts";
import type { SimdOp } from "../sse/mod.ts";
import { param } from "../codegen/gen.ts";
import type { Emitter, OpDef } from "./instr.ts";
import type { OperandSpec } from "./operands.ts";
import type { Slot } from "./table.ts";

/** A row whose semantics are `L.V[op]` through the shared emitter. */
function v(mnemonic: string, operands: string, op: SimdOp = mnemonic as SimdOp, o: VectorOptions = {}): OpDef {
  return custom(mnemonic, operands, vector(op, o));
}

function custom(mnemonic: string, operands: string, emit: Emitter): OpDef {
  return { mnemonic, operands: operands ? operands.split(",") as OperandSpec[] : [], emit, flow: "next" };
}

const write: VectorOptions = { write: true };
const unaligned: VectorOptions = { unaligned: true };
const writeUnaligned: VectorOptions = { write: true, unaligned: true };

type Prefixed = Extract<Slot, { kind: "prefixed" }>;
const slots = new Map<number, Prefixed>();

/** Adds the instruction for `prefix` at 0F `code`. */
function at(code: number, prefix: "none" | "p66" | "pf3" | "pf2", slot: Slot | OpDef): void {
  let s = slots.get(code);
  if (s === undefined) slots.set(code, s = { kind: "prefixed" });
  if (s[prefix] !== undefined) throw new Error(`0f ${code.toString(16)} ${prefix} defined twice`);
  s[prefix] = slot !== undefined && "kind" in slot ? slot : { kind: "op", def: slot as OpDef };
}

/** An MMX instruction (Pq,Qq) with its SSE2 form on XMM registers (66, Vx,Wx). */
function both(code: number, name: string, op: SimdOp = name as SimdOp, mmx = "Pq,Qq"): void {
  at(code, "none", v(name, mmx, op));
  at(code, "p66", v(name, "Vx,Wx", op));
}

// ---- MMX and SSE2 packed integers ----------------------------------------

const LOW_UNPACKS = ["punpcklbw", "punpcklwd", "punpckldq"] as const;
LOW_UNPACKS.forEach((name, k) => both(0x60 + k, name, name, "Pq,Qd"));
const MORE: readonly SimdOp[] = [
  "packsswb", "pcmpgtb", "pcmpgtw", "pcmpgtd", "packuswb", "punpckhbw", "punpckhwd", "punpckhdq", "packssdw",
];
MORE.forEach((name, k) => both(0x63 + k, name));
at(0x6c, "p66", v("punpcklqdq", "Vx,Wx"));
at(0x6d, "p66", v("punpckhqdq", "Vx,Wx"));
at(0x6e, "none", v("movd", "Pq,Ed", "move"));
at(0x6e, "p66", v("movd", "Vx,Ed", "move"));
at(0x6f, "none", v("movq", "Pq,Qq", "move"));
at(0x6f, "p66", v("movdqa", "Vx,Wx", "move"));
at(0x6f, "pf3", v("movdqu", "Vx,Wx", "move", unaligned));
at(0x70, "none", v("pshufw", "Pq,Qq,Ib", "pshuflw"));
at(0x70, "p66", v("pshufd", "Vx,Wx,Ib"));
at(0x70, "pf3", v("pshufhw", "Vx,Wx,Ib"));
at(0x70, "pf2", v("pshuflw", "Vx,Wx,Ib"));

/** A shift-by-immediate group (0F 71..73): register operands only. */
function shiftGroup(code: number, members: [number, string, SimdOp][]): void {
  for (const [prefix, reg] of [["none", "Nq"], ["p66", "Ux"]] as const) {
    const ops: (OpDef | undefined)[] = new Array(8).fill(undefined);
    for (const [k, name, op] of members) {
      if (prefix === "none" && (name === "psrldq" || name === "pslldq")) continue;
      ops[k] = v(name, `${reg},Ib`, op);
    }
    at(code, prefix, { kind: "group", ops });
  }
}
shiftGroup(0x71, [[2, "psrlw", "psrlwi"], [4, "psraw", "psrawi"], [6, "psllw", "psllwi"]]);
shiftGroup(0x72, [[2, "psrld", "psrldi"], [4, "psrad", "psradi"], [6, "pslld", "pslldi"]]);
shiftGroup(0x73, [[2, "psrlq", "psrlqi"], [3, "psrldq", "psrldq"], [6, "psllq", "psllqi"], [7, "pslldq", "pslldq"]]);
both(0x74, "pcmpeqb");
both(0x75, "pcmpeqw");
both(0x76, "pcmpeqd");
at(0x77, "none", custom("emms", "", () => "L.V.checkMmx(c); L.V.emms(c);"));
at(0x7e, "none", v("movd", "Ed,Pq", "move", write));
at(0x7e, "p66", v("movd", "Ed,Vx", "move", write));
at(0x7e, "pf3", v("movq", "Vx,Wq", "movq"));
at(0x7f, "none", v("movq", "Qq,Pq", "move", write));
at(0x7f, "p66", v("movdqa", "Wx,Vx", "move", write));
at(0x7f, "pf3", v("movdqu", "Wx,Vx", "move", writeUnaligned));
at(0xc3, "none", v("movnti", "Md,Gd", "move", write));
at(0xc4, "none", v("pinsrw", "Pq,Ry/Mw,Ib"));
at(0xc4, "p66", v("pinsrw", "Vx,Ry/Mw,Ib"));
at(0xc5, "none", v("pextrw", "Gd,Nq,Ib"));
at(0xc5, "p66", v("pextrw", "Gd,Ux,Ib"));
both(0xd1, "psrlw");
both(0xd2, "psrld");
both(0xd3, "psrlq");
both(0xd4, "paddq");
both(0xd5, "pmullw");
at(0xd6, "p66", v("movq", "Wq,Vx", "movq", write));
at(0xd6, "pf3", v("movq2dq", "Vx,Nq", "move"));
at(0xd6, "pf2", v("movdq2q", "Pq,Ux", "move"));
at(0xd7, "none", v("pmovmskb", "Gd,Nq"));
at(0xd7, "p66", v("pmovmskb", "Gd,Ux"));
const D8: readonly SimdOp[] = [
  "psubusb", "psubusw", "pminub", "pand", "paddusb", "paddusw", "pmaxub", "pandn",
  "pavgb", "psraw", "psrad", "pavgw", "pmulhuw", "pmulhw",
];
D8.forEach((name, k) => both(0xd8 + k, name));
at(0xe7, "none", v("movntq", "Mq,Pq", "move", write));
at(0xe7, "p66", v("movntdq", "Mx,Vx", "move", write));
const E8: readonly SimdOp[] = ["psubsb", "psubsw", "pminsw", "por", "paddsb", "paddsw", "pmaxsw", "pxor"];
E8.forEach((name, k) => both(0xe8 + k, name));
const F1: readonly SimdOp[] = [
  "psllw", "pslld", "psllq", "pmuludq", "pmaddwd", "psadbw",
];
F1.forEach((name, k) => both(0xf1 + k, name));
/** MASKMOVQ/MASKMOVDQU store through DS:EDI (a segment override applies). */
const maskmov: Emitter = (g) => {
  const n = g.i.def.operands[0] === "Pq" ? 8 : 16;
  const load = n === 8 ? "loadMmx" : "loadXmm";
  const edi = g.withSegment(g.i.adsize === 16 ? "(r[7] & 65535)" : "r[7]");
  return `${n === 8 ? "L.V.checkMmx(c); " : ""}L.V.${load}(c, ${param(g.i.reg)}, L.V.A); L.V.${load}(c, ${param(g.i.rm)}, L.V.B); ` +
    `L.V.maskmov(m, ${edi}, L.V.A, L.V.B, ${n});${n === 8 ? " L.V.enterMmx(c);" : ""}`;
};
at(0xf7, "none", custom("maskmovq", "Pq,Nq", maskmov));
at(0xf7, "p66", custom("maskmovdqu", "Vx,Ux", maskmov));
const F8: readonly SimdOp[] = ["psubb", "psubw", "psubd", "psubq", "paddb", "paddw", "paddd"];
F8.forEach((name, k) => both(0xf8 + k, name));

// ---- SSE/SSE2 data movement and logic -------------------------------------

at(0x10, "none", v("movups", "Vx,Wx", "move", unaligned));
at(0x10, "p66", v("movupd", "Vx,Wx", "move", unaligned));
at(0x10, "pf3", v("movss", "Vx,Wd"));
at(0x10, "pf2", v("movsd", "Vx,Wq"));
at(0x11, "none", v("movups", "Wx,Vx", "move", writeUnaligned));
at(0x11, "p66", v("movupd", "Wx,Vx", "move", writeUnaligned));
at(0x11, "pf3", v("movss", "Wd,Vx", "movss", write));
at(0x11, "pf2", v("movsd", "Wq,Vx", "movsd", write));
at(0x12, "none", { kind: "split", memory: v("movlps", "Vx,Mq", "movlo"), register: v("movhlps", "Vx,Ux", "movhl") });
at(0x12, "p66", { kind: "split", memory: v("movlpd", "Vx,Mq", "movlo") });
at(0x13, "none", { kind: "split", memory: v("movlps", "Mq,Vx", "movlo", write) });
at(0x13, "p66", { kind: "split", memory: v("movlpd", "Mq,Vx", "movlo", write) });
at(0x14, "none", v("unpcklps", "Vx,Wx", "punpckldq"));
at(0x14, "p66", v("unpcklpd", "Vx,Wx", "punpcklqdq"));
at(0x15, "none", v("unpckhps", "Vx,Wx", "punpckhdq"));
at(0x15, "p66", v("unpckhpd", "Vx,Wx", "punpckhqdq"));
at(0x16, "none", { kind: "split", memory: v("movhps", "Vx,Mq", "movlh"), register: v("movlhps", "Vx,Ux", "movlh") });
at(0x16, "p66", { kind: "split", memory: v("movhpd", "Vx,Mq", "movlh") });
at(0x17, "none", { kind: "split", memory: v("movhps", "Mq,Vx", "movhl", write) });
at(0x17, "p66", { kind: "split", memory: v("movhpd", "Mq,Vx", "movhl", write) });
at(0x28, "none", v("movaps", "Vx,Wx", "move"));
at(0x28, "p66", v("movapd", "Vx,Wx", "move"));
at(0x29, "none", v("movaps", "Wx,Vx", "move", write));
at(0x29, "p66", v("movapd", "Wx,Vx", "move", write));
at(0x2b, "none", v("movntps", "Mx,Vx", "move", write));
at(0x2b, "p66", v("movntpd", "Mx,Vx", "move", write));
at(0x50, "none", v("movmskps", "Gd,Ux"));
at(0x50, "p66", v("movmskpd", "Gd,Ux"));
for (const [code, name, op] of [[0x54, "and", "pand"], [0x55, "andn", "pandn"], [0x56, "or", "por"], [0x57, "xor", "pxor"]] as const) {
  at(code, "none", v(name + "ps", "Vx,Wx", op));
  at(code, "p66", v(name + "pd", "Vx,Wx", op));
}
at(0xc6, "none", v("shufps", "Vx,Wx,Ib"));
at(0xc6, "p66", v("shufpd", "Vx,Wx,Ib"));

// ---- SSE/SSE2 floating point ---------------------------------------------

/** An arithmetic operation in its four forms: ps, pd (66), ss (F3), sd (F2). */
function arithmetic(code: number, name: string, imm = ""): void {
  const forms = [["none", "ps", "Wx"], ["p66", "pd", "Wx"], ["pf3", "ss", "Wd"], ["pf2", "sd", "Wq"]] as const;
  for (const [prefix, suffix, source] of forms) {
    at(code, prefix, v(name + suffix, `Vx,${source}${imm}`, (name + suffix) as SimdOp));
  }
}
arithmetic(0x51, "sqrt");
at(0x52, "none", v("rsqrtps", "Vx,Wx"));
at(0x52, "pf3", v("rsqrtss", "Vx,Wd"));
at(0x53, "none", v("rcpps", "Vx,Wx"));
at(0x53, "pf3", v("rcpss", "Vx,Wd"));
arithmetic(0x58, "add");
arithmetic(0x59, "mul");
arithmetic(0x5c, "sub");
arithmetic(0x5d, "min");
arithmetic(0x5e, "div");
arithmetic(0x5f, "max");
arithmetic(0xc2, "cmp", ",Ib");
at(0x2a, "none", v("cvtpi2ps", "Vx,Qq"));
at(0x2a, "p66", v("cvtpi2pd", "Vx,Qq"));
at(0x2a, "pf3", v("cvtsi2ss", "Vx,Ed"));
at(0x2a, "pf2", v("cvtsi2sd", "Vx,Ed"));
for (const [code, t] of [[0x2c, "t"], [0x2d, ""]] as const) {
  at(code, "none", v(`cvt${t}ps2pi`, "Pq,Wq"));
  at(code, "p66", v(`cvt${t}pd2pi`, "Pq,Wx"));
  at(code, "pf3", v(`cvt${t}ss2si`, "Gd,Wd"));
  at(code, "pf2", v(`cvt${t}sd2si`, "Gd,Wq"));
}
const compareFlags: VectorOptions = { noStore: true };
at(0x2e, "none", v("ucomiss", "Vx,Wd", "ucomiss", compareFlags));
at(0x2e, "p66", v("ucomisd", "Vx,Wq", "ucomisd", compareFlags));
at(0x2f, "none", v("comiss", "Vx,Wd", "comiss", compareFlags));
at(0x2f, "p66", v("comisd", "Vx,Wq", "comisd", compareFlags));
at(0x5a, "none", v("cvtps2pd", "Vx,Wq"));
at(0x5a, "p66", v("cvtpd2ps", "Vx,Wx"));
at(0x5a, "pf3", v("cvtss2sd", "Vx,Wd"));
at(0x5a, "pf2", v("cvtsd2ss", "Vx,Wq"));
at(0x5b, "none", v("cvtdq2ps", "Vx,Wx"));
at(0x5b, "p66", v("cvtps2dq", "Vx,Wx"));
at(0x5b, "pf3", v("cvttps2dq", "Vx,Wx"));
at(0xe6, "p66", v("cvttpd2dq", "Vx,Wx"));
at(0xe6, "pf3", v("cvtdq2pd", "Vx,Wq"));
at(0xe6, "pf2", v("cvtpd2dq", "Vx,Wx"));

// ---- state, ordering and cache control ------------------------------------

const state = (name: string, operands: string, fn: "ldmxcsr" | "stmxcsr" | "fxsave" | "fxrstor" | "clflush") =>
  custom(name, operands, (g) => g.readOnlySegment && fn !== "ldmxcsr" && fn !== "fxrstor" && fn !== "clflush"
    ? "L.codeSegmentWrite();"
    : fn === "clflush" ? "L.V.clflush(m, ea);" : `L.V.${fn}(c, m, ea);`);
/** LFENCE, MFENCE, SFENCE: a single guest thread sees its own accesses in order; nothing to do. */
const fence = (name: string) => custom(name, "", () => "");
at(0xae, "none", {
  kind: "group",
  ops: [
    state("fxsave", "Mz", "fxsave"),
    state("fxrstor", "Mz", "fxrstor"),
    state("ldmxcsr", "Md", "ldmxcsr"),
    state("stmxcsr", "Md", "stmxcsr"),
    undefined,
    undefined,
    undefined,
    state("clflush", "Mb", "clflush"),
  ],
  registerForm: [undefined, undefined, undefined, undefined, undefined, fence("lfence"), fence("mfence"), fence("sfence")],
});

/** The MMX/SSE/SSE2 slots, by second opcode byte. */
export function simdSlots(): [number, Slot][] {
  return [...slots];
}
