import type { Instr, OpDef } from "../isa/instr.ts";
import { isRepString } from "../blocks.ts";
import { runtime } from "../runtime/mod.ts";
import type { Cpu } from "../state.ts";
import type { Memory } from "../../memory/memory.ts";
import type { BlockFn } from "./compile.ts";
import { instructionSource } from "./compile.ts";
import { MARK } from "./gen.ts";

/**
 * One instruction's semantics with the numbers of its encoding (register
 * fields, immediates, displacements, addresses) taken from `K` at run
 * time: the same function serves every instruction whose code differs only
 * in those numbers. Returns the instructions retired (a REP count, else 1).
 */
type Template = (c: Cpu, r: Int32Array, m: Memory, left: number, K: readonly number[]) => number;

/**
 * Templates by canonical source, shared by every engine in the process. A
 * program's cold code needs a few hundred of them, where compiling each
 * block would need thousands of compilations.
 */
const templates = new Map<string, Template>();
const MAX_TEMPLATES = 20_000;

/**
 * Builds a block function that runs each instruction through its template:
 * the cold tier. Nothing is compiled for the block itself, so code that
 * runs a few times (start-up, error paths) costs a lookup per instruction
 * rather than a JavaScript compilation per block; the engine compiles the
 * blocks that turn out to be hot. Counting, fault and trap behaviour are
 * those of a compiled block (core/cpu/codegen/compile.ts).
 *
 * @example
 * const fn = templateBlock(decodeBlock(fetch, eip, 64));
 * fn(cpu, cpu.r, mem, 1000); // runs the block, returns instructions retired
 */
export function templateBlock(instrs: readonly Instr[]): BlockFn {
  const n = instrs.length;
  const fns = instrs.map((i, k) => template(i, k));
  const addrs = instrs.map((i) => i.addr | 0);
  const nexts = instrs.map((i) => (i.addr + i.len) | 0);
  const last = instrs[n - 1];
  const rep = isRepString(last);
  const fallThrough = last.def.flow === "next" && !rep ? (last.addr + last.len) | 0 : undefined;
  return (c, r, m, left) => {
    let k = 0, retired = n;
    try {
      for (; k < n; k++) {
        retired = fns[k].fn(c, r, m, left, fns[k].values);
        // A write into translated code ends the block (see compile.ts).
        if (m.codeWritten && k < n - 1) {
          m.codeWritten = false;
          c.eip = nexts[k];
          c.icount += k + 1;
          return k + 1;
        }
      }
    } catch (e) {
      c.icount += k;
      c.eip = addrs[k];
      throw e;
    }
    if (fallThrough !== undefined) c.eip = fallThrough;
    const count = rep ? retired : n;
    c.icount += count;
    return count;
  };
}

/**
 * One instruction's function, `(c, r, m, left) => retired`, from its
 * template: what a WebAssembly region calls for an instruction it does not
 * translate (core/cpu/wasm/host.ts). It neither counts nor moves EIP.
 *
 * @example
 * const run = instructionFunction(i);
 * run(cpu, cpu.r, mem, 1);
 */
export function instructionFunction(i: Instr): BlockFn {
  const { fn, values } = template(i, 0);
  return (c, r, m, left) => fn(c, r, m, left, values);
}

/**
 * Instantiated templates by everything that decides an instruction's
 * source (see instructionKey), shared by every engine in the process:
 * guests that run the same program (sub-guests, repeated runs, restored
 * snapshots) skip generating and canonicalising the source again.
 */
const instances = new WeakMap<OpDef, Map<string, { fn: Template; values: number[] }>>();
const MAX_INSTANCES = 100_000;

function template(i: Instr, k: number): { fn: Template; values: number[] } {
  let byKey = instances.get(i.def);
  if (byKey === undefined) instances.set(i.def, byKey = new Map());
  const key = instructionKey(i, k);
  let found = byKey.get(key);
  if (found === undefined) {
    if (byKey.size >= MAX_INSTANCES) byKey.clear();
    found = instantiate(i, k);
    byKey.set(key, found);
  }
  return found;
}

/** The decoded fields an instruction's generated source depends on, with its position in the block (RDTSC counts it). */
function instructionKey(i: Instr, k: number): string {
  return `${k},${i.addr},${i.len},${i.opcode},${i.twoByte ? 1 : 0},${i.opsize},${i.adsize},${i.seg},${i.rep},` +
    `${i.lock ? 1 : 0},${i.modrm},${i.base},${i.index},${i.scale},${i.disp},${i.imm},${i.imm2}`;
}

function instantiate(i: Instr, k: number): { fn: Template; values: number[] } {
  const { text, values } = canonical(instructionSource(i, k));
  let fn = templates.get(text);
  if (fn === undefined) {
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    fn = new Function("L", `return function template(c, r, m, left, K) {
  let n = 1, $i, $o;
  ${text}
  return n;
}`)(runtime) as Template;
    templates.set(text, fn);
  }
  return { fn, values };
}

/**
 * Replaces every parameter of an instruction's source (a number from its
 * encoding, marked by `param`, core/cpu/codegen/gen.ts) with `K[j]`,
 * returning the text and the values in order. Two instructions with the
 * same text run the same template.
 *
 * @example
 * canonical(`r[${param(3)}] = ${param(16)} + (a & 4095)`); // { text: "r[K[0]] = K[1] + (a & 4095)", values: [3, 16] }
 */
export function canonical(source: string): { text: string; values: number[] } {
  const values: number[] = [];
  let text = "", from = 0;
  for (let open = source.indexOf(MARK); open >= 0; open = source.indexOf(MARK, from)) {
    const close = source.indexOf(MARK, open + 1);
    values.push(Number(source.slice(open + 1, close)));
    text += source.slice(from, open) + `K[${values.length - 1}]`;
    from = close + 1;
  }
  return { text: text + source.slice(from), values };
}
