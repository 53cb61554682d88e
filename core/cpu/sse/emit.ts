/**
 * The JavaScript emitter of every MMX/SSE table row: destination into
 * `A`, source into `B`, the row's operation `L.V.<op>(c, A, B, imm, n,
 * mem)`, `A` back to the destination (core/cpu/sse/vec.ts explains why
 * nothing is written before the end). `n` is the vector width in bytes
 * (8 when an MMX register takes part, else 16), `mem` is 1 when the
 * source came from memory.
 *
 * @example
 * op("pxor", "Vx,Wx", vector("pxor"));   // 66 0F EF
 * op("movdqa", "Wx,Vx", vector("move", { write: true }));
 */
import { type Gen, param } from "../codegen/gen.ts";
import type { Emitter } from "../isa/instr.ts";
import { hasMemoryOperand } from "../isa/instr.ts";
import { isVectorSpec, type OperandSpec, VECTOR_BYTES } from "../isa/operands.ts";

/** How a row moves its operands. */
export interface VectorOptions {
  /** The destination is only written: a memory destination is not read first. */
  write?: boolean;
  /** The destination is not written at all (COMISS, UCOMISS: they set EFLAGS). */
  noStore?: boolean;
  /** A 16-byte memory operand may be misaligned (MOVUPS, MOVDQU...); otherwise it must be 16-byte aligned. */
  unaligned?: boolean;
}

const MMX_SPECS = new Set<OperandSpec>(["Pq", "Nq", "Qq", "Qd"]);

/**
 * True when the instruction uses an MMX register, which switches the x87
 * unit to MMX state (CVTPI2PS with a memory source does not).
 */
export function usesMmx(operands: readonly OperandSpec[], memory: boolean): boolean {
  return operands.some((s) => MMX_SPECS.has(s) && (s === "Pq" || s === "Nq" || !memory));
}

/**
 * The emitter for a row whose operation is `L.V[op]`.
 *
 * @example
 * vector("paddb"); // PADDB Pq,Qq / Vx,Wx
 */
export function vector(op: string, o: VectorOptions = {}): Emitter {
  return (g: Gen) => {
    const i = g.i;
    const [dst, src] = i.def.operands;
    const mem = hasMemoryOperand(i);
    const mmx = usesMmx(i.def.operands, mem);
    const lines: string[] = ["const A = L.V.A, B = L.V.B;"];
    if (mmx) lines.push("L.V.checkMmx(c);");
    const memSpec = mem ? i.def.operands.find(isModrmMemory) : undefined;
    if (memSpec !== undefined && VECTOR_BYTES[memSpec as keyof typeof VECTOR_BYTES] === 16 && !o.unaligned) {
      lines.push("L.V.checkAligned(ea, 16);");
    }
    const storesMemory = mem && !o.noStore && isModrmMemory(dst);
    if (storesMemory && g.readOnlySegment) lines.push("L.codeSegmentWrite();");
    if (!(o.write && storesMemory)) lines.push(load(g, dst, "A"));
    if (src !== undefined && src !== "Ib") lines.push(load(g, src, "B"));
    const imm = i.def.operands.includes("Ib") ? i.imm & 255 : 0;
    const width = i.def.operands.some((s) => MMX_SPECS.has(s)) ? 8 : 16;
    lines.push(`L.V.${op}(c, A, B, ${param(imm)}, ${width}, ${mem ? 1 : 0});`);
    if (!o.noStore) lines.push(store(g, dst, "A"));
    if (mmx) lines.push("L.V.enterMmx(c);");
    return lines.join(" ");
  };
}

/** Specs that name the ModRM r/m operand (a register or memory). */
function isModrmMemory(spec: OperandSpec): boolean {
  return ["Ux", "Wx", "Wq", "Wd", "Nq", "Qq", "Qd", "Ed", "Ry/Mw", "Mx", "Mq", "Md"].includes(spec);
}

function memoryBytes(spec: OperandSpec): number {
  if (spec === "Ed") return 4;
  if (spec === "Mq") return 8;
  return isVectorSpec(spec) ? VECTOR_BYTES[spec] : 0;
}

/** Statement loading operand `spec` into vector `v`. */
function load(g: Gen, spec: OperandSpec, v: string): string {
  const i = g.i;
  if (isModrmMemory(spec) && hasMemoryOperand(i)) return `L.V.loadMemory(m, ea, ${v}, ${memoryBytes(spec)});`;
  switch (spec) {
    case "Vx":
      return `L.V.loadXmm(c, ${param(i.reg)}, ${v});`;
    case "Pq":
      return `L.V.loadMmx(c, ${param(i.reg)}, ${v});`;
    case "Gd":
      return `${v}.i32.fill(0); ${v}.i32[0] = r[${param(i.reg)}];`;
    case "Ed": case "Ry/Mw":
      return `${v}.i32.fill(0); ${v}.i32[0] = r[${param(i.rm)}];`;
    case "Nq": case "Qq": case "Qd":
      return `L.V.loadMmx(c, ${param(i.rm)}, ${v});`;
    default:
      return `L.V.loadXmm(c, ${param(i.rm)}, ${v});`;
  }
}

/** Statement storing vector `v` to operand `spec`. */
function store(g: Gen, spec: OperandSpec, v: string): string {
  const i = g.i;
  if (isModrmMemory(spec) && hasMemoryOperand(i)) return `L.V.storeMemory(m, ea, ${v}, ${memoryBytes(spec)});`;
  switch (spec) {
    case "Vx":
      return `L.V.storeXmm(c, ${param(i.reg)}, ${v});`;
    case "Pq":
      return `L.V.storeMmx(c, ${param(i.reg)}, ${v});`;
    case "Gd":
      return `r[${param(i.reg)}] = ${v}.i32[0];`;
    case "Ed":
      return `r[${param(i.rm)}] = ${v}.i32[0];`;
    case "Nq": case "Qq": case "Qd":
      return `L.V.storeMmx(c, ${param(i.rm)}, ${v});`;
    default:
      return `L.V.storeXmm(c, ${param(i.rm)}, ${v});`;
  }
}
