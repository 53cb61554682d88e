/**
 * Random (seeded) guest programs for the budget tests: arithmetic, loops,
 * calls, conditional branches, flags through the stack, read-modify-write
 * memory, RDTSC, long REP string instructions and x87 code, so that
 * budgets run out at every kind of place: mid-block, at block ends, inside
 * REP loops, around the x87 unit.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildDir } from "./native.ts";
import { CODE_BASE } from "./program.ts";
import { WORK_BASE, WORK_SIZE } from "./machine.ts";
import type { Rng } from "./rng.ts";

const REGS = ["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp"];
const ALU = ["add", "sub", "xor", "and", "or", "adc", "sbb", "cmp", "test"];
const UNARY = ["inc", "dec", "neg", "not"];
const SHIFTS = ["shl", "shr", "sar", "rol", "ror", "rcl", "rcr"];
const CONDS = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];

function hex(v: number): string {
  return "0x" + (v >>> 0).toString(16);
}

/** A workspace offset for data the program touches (below the stack). */
function spot(rng: Rng): string {
  return hex(WORK_BASE + 0x100 + rng.below(0xc000));
}

function aluLine(rng: Rng, avoid: string[] = []): string {
  const regs = REGS.filter((r) => !avoid.includes(r));
  const r = rng.pick(regs);
  switch (rng.below(6)) {
    case 0: return `${rng.pick(ALU)} ${r}, ${rng.pick(regs)}`;
    case 1: return `${rng.pick(ALU)} ${r}, ${hex(rng.u32())}`;
    case 2: return `${rng.pick(UNARY)} ${r}`;
    case 3: return `${rng.pick(SHIFTS)} ${r}, ${rng.below(40)}`;
    case 4: return `imul ${r}, ${rng.pick(regs)}, ${rng.below(1000) - 500}`;
    default: return `${rng.pick(ALU.slice(0, 7))} dword [${spot(rng)}], ${r}`;
  }
}

/** A workspace address for an x87 operand: anywhere, or across a page's end. */
function x87Spot(rng: Rng): string {
  return rng.chance(0.2) ? hex(WORK_BASE + 0x1000 * (1 + rng.below(11)) - 1 - rng.below(9)) : spot(rng);
}

/**
 * x87 loads, arithmetic, comparisons into EFLAGS and through AX, FCMOV and
 * stores (what regions hand to the host's x87 unit, and the integer state
 * they exchange with it).
 */
function x87Piece(rng: Rng): string[] {
  const size = () => rng.pick(["dword", "qword"]);
  const lines = [rng.pick([`fld ${size()} [${x87Spot(rng)}]`, `fild dword [${x87Spot(rng)}]`, "fld1", "fldpi", "fld st1"])];
  for (let k = rng.below(4); k >= 0; k--) {
    lines.push(rng.pick([
      "fadd st0, st1", "fmul st0, st1", "fsubr st1, st0", "fdiv st0, st1", "fxch st1", "fchs", "fsqrt",
      `fadd ${size()} [${x87Spot(rng)}]`, `fimul dword [${x87Spot(rng)}]`, "fcomi st0, st1", "fucomi st0, st2",
      `fcmov${rng.pick(["b", "e", "be", "u", "nb", "ne", "nbe", "nu"])} st0, st1`,
      "fnstsw ax\nsahf", "fcom st1\nfnstsw ax", "lahf",
    ]));
  }
  lines.push(rng.pick([`fstp ${size()} [${x87Spot(rng)}]`, `fistp dword [${x87Spot(rng)}]`, "fucomip st0, st1", "fstp st0"]));
  return lines.join("\n").split("\n");
}

/** The NASM source of one program; it ends with INT 0x80. */
export function workloadSource(rng: Rng, pieces: number): string {
  const out = ["bits 32", `org ${hex(CODE_BASE)}`, "main:", `mov esp, ${hex(WORK_BASE + WORK_SIZE - 0x100)}`];
  for (const r of REGS) out.push(`mov ${r}, ${hex(rng.u32())}`);
  const functions: string[][] = [];
  for (let n = 0; n < pieces; n++) {
    const label = `.p${n}`;
    switch (rng.below(11)) {
      case 0: case 1:
        for (let k = rng.below(6); k >= 0; k--) out.push(aluLine(rng));
        break;
      case 2: {
        const body = Array.from({ length: 1 + rng.below(3) }, () => aluLine(rng, ["ecx"]));
        out.push(`mov ecx, ${1 + rng.below(40)}`, `${label}:`, ...body);
        out.push(rng.chance(0.5) ? `dec ecx\njnz ${label}` : `loop ${label}`);
        break;
      }
      case 3: {
        const op = rng.pick(["rep movsb", "rep movsw", "rep movsd", "rep stosb", "rep stosw", "rep stosd", "rep lodsb", "repe cmpsb", "repne scasb", "repe scasd", "movsw", "stosb"]);
        // Sometimes the destination just ahead of the source: each element reads what the last one wrote.
        const overlap = rng.chance(0.3) ? `lea edi, [esi+${1 + rng.below(8)}]` : `mov edi, ${spot(rng)}`;
        out.push(
          `mov esi, ${spot(rng)}`,
          overlap,
          `mov ecx, ${rng.chance(0.2) ? 0 : rng.below(400)}`,
          rng.chance(0.3) ? "std" : "cld",
          op,
          "cld",
        );
        break;
      }
      case 4: {
        const f = `f${functions.length}`;
        functions.push([`${f}:`, ...Array.from({ length: 1 + rng.below(4) }, () => aluLine(rng)), rng.chance(0.5) ? "ret" : "ret 0"]);
        out.push(`call ${f}`);
        break;
      }
      case 5: {
        const r = rng.pick(REGS);
        out.push(`cmp ${r}, ${rng.pick(REGS)}`, `j${rng.pick(CONDS)} ${label}`, aluLine(rng), `${label}:`);
        break;
      }
      case 6:
        out.push(`push ${rng.pick(REGS)}`, "pushfd", aluLine(rng), "popfd", `pop ${rng.pick(REGS)}`);
        break;
      case 7:
        out.push("rdtsc", `xor ${rng.pick(REGS)}, eax`);
        break;
      case 8:
        out.push(`mov ecx, ${hex(1 + rng.below(0xffff))}`, "xor edx, edx", "div ecx", `bsf ${rng.pick(REGS)}, eax`);
        break;
      case 10:
        out.push(...x87Piece(rng));
        break;
      default:
        out.push(`lea ${rng.pick(REGS)}, [${rng.pick(REGS)}+${rng.pick(REGS)}*4+${rng.below(100)}]`, `xchg ${rng.pick(REGS)}, ${rng.pick(REGS)}`);
    }
  }
  out.push("int 0x80");
  for (const f of functions) out.push(...f);
  return out.join("\n") + "\n";
}

/** Assembles a workload with NASM. */
export function assembleWorkload(name: string, source: string): Uint8Array {
  mkdirSync(buildDir, { recursive: true });
  const src = join(buildDir, `${name}.asm`), bin = join(buildDir, `${name}.bin`);
  writeFileSync(src, source);
  const r = spawnSync("nasm", ["-f", "bin", src, "-o", bin], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(`nasm failed (the CPU tests need nasm: apt-get install nasm): ${r.error?.message ?? r.stderr}`);
  }
  return new Uint8Array(readFileSync(bin));
}
