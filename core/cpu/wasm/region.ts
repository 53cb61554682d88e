/**
 * Regions compiled to WebAssembly (docs/engine.md): the blocks of a hot
 * loop or function in one wasm function, guest registers and lazy flags in
 * wasm locals, memory through the page tables in the guest's
 * WebAssembly.Memory. The function calls nothing but the host's x87 unit
 * (core/cpu/wasm/x87.ts): where the fast path ends (an instruction the
 * opcode table gives no `wasm` emitter, a memory access the page tables do
 * not allow) the region leaves, and the engine runs that instruction the
 * ordinary way, faults and traps included.
 */
import { blockEnd, branchTarget, isRepString } from "../blocks.ts";
import { hasMemoryOperand, type Instr } from "../isa/instr.ts";
import { PAGE_SHIFT, PAGE_SIZE, WASM_RI, WASM_SCRATCH, WASM_WI } from "../../memory/memory.ts";
import type { Memory } from "../../memory/memory.ts";
import type { RegionRun } from "./dispatch.ts";
import { Code, I32, MemOp, ModuleBuilder, Op } from "./encoder.ts";
import {
  type Dispatch,
  type KnownFlags,
  Local,
  LOCAL_COUNT,
  WIDE_LOCAL_COUNT,
  Slot,
  STATE,
  HOST_IMPORT,
  WasmGen,
  X87_IMPORT,
} from "./gen.ts";
import type { X87Host } from "./x87.ts";
import { emitHostCall, type HostCall, hostCallable } from "./host.ts";
import { StackWindow } from "./stack.ts";

/**
 * True if the region compiler translates the instruction (else a region
 * leaves before it): its row has a wasm emitter that accepts the form.
 */
export function translatable(i: Instr): boolean {
  return compiled(i) || hostCallable(i);
}

/** True if the opcode table's wasm emitter translates the instruction itself. */
function compiled(i: Instr): boolean {
  return i.def.wasm !== undefined && i.adsize === 32 && i.def.wasm.accepts(i);
}

/** What a region instance calls on the host: the x87 unit, and the host calls of its instructions. */
export interface RegionHost {
  x87: X87Host;
  calls(instrs: readonly Instr[]): HostCall;
}

/** A compiled region: the blocks it holds and its function. */
export interface WasmRegion {
  /** Block addresses (int32) and their indices in the region. */
  readonly index: ReadonlyMap<number, number>;
  /** The pages its code was read from. */
  readonly pages: readonly number[];
  /** By block index: the instructions that must remain to enter the block (see budgetNeeds). */
  readonly needs: readonly number[];
  /**
   * Runs whole blocks from block `pc` while they fit in `budget`, with the
   * guest state in the scratch frame (WASM_SCRATCH, laid out as Slot says)
   * before and after; returns the instructions retired, EIP in the frame.
   */
  readonly run: RegionRun;
}

/**
 * Compiles a region of basic blocks for one memory; any of them whose
 * first instruction is {@link translatable} can be an entry (see
 * core/cpu/wasm/dispatch.ts). Blocks at the addresses in `noWindow` give
 * their stack accesses no window (core/cpu/wasm/stack.ts): they check
 * each access's page instead.
 *
 * @example
 * const region = compileWasmRegion([instrs], mem, { x87: x87Host(cpu, mem), calls: (is) => hostCall(cpu, mem, is, () => 0) });
 * entries.add(instrs[0].addr, region.run, region.index.get(instrs[0].addr)!);
 */
export function compileWasmRegion(
  unordered: readonly (readonly Instr[])[],
  m: Memory,
  host: RegionHost,
  noWindow: ReadonlySet<number> = NONE,
): WasmRegion {
  // In address order, a block's fall-through successor is mostly the next one: no dispatch between them.
  const blocks = [...unordered].sort((a, b) => (a[0].addr >>> 0) - (b[0].addr >>> 0));
  const memory = m.toWasm();
  const index = new Map(blocks.map((b, j) => [b[0].addr | 0, j]));
  const budget = budgetNeeds(blocks, index);
  const windowless = blocks.filter((b) => noWindow.has(b[0].addr | 0)).map((b) => b[0].addr | 0);
  const key = `${regionKey(blocks, m)}/${windowless.join(",")}`;
  let module = modules.get(key);
  if (module === undefined) {
    if (modules.size >= MAX_MODULES) modules.clear();
    module = buildModule(blocks, index, new Set(windowless), budget);
    modules.set(key, module);
  }
  const calls = host.calls(blocks.flatMap((b) => regionPart(b).filter((i) => !compiled(i))));
  const instance = new WebAssembly.Instance(module, { m: { memory, x87: host.x87, host: calls } });
  const pages = new Set<number>();
  for (const b of blocks) {
    for (const i of b) {
      pages.add((i.addr >>> 0) >>> PAGE_SHIFT);
      pages.add(((i.addr + i.len - 1) >>> 0) >>> PAGE_SHIFT);
    }
  }
  return { index, pages: [...pages], needs: budget.needs, run: instance.exports.run as RegionRun };
}

const NONE: ReadonlySet<number> = new Set();

/** The instructions of a block that the region runs: up to the first it does not translate. */
function regionPart(instrs: readonly Instr[]): readonly Instr[] {
  const stop = instrs.findIndex((i) => !translatable(i));
  return stop < 0 ? instrs : instrs.slice(0, stop);
}

/**
 * Compiled modules by their code (see regionKey), shared by every engine
 * in the process: guests running the same program (sub-guests at any
 * depth, repeated runs, restored snapshots) instantiate a module the
 * runtime has already compiled and optimised.
 */
const modules = new Map<string, WebAssembly.Module>();
const MAX_MODULES = 10_000;

/** What a region's module depends on: its blocks' addresses and bytes. */
function regionKey(blocks: readonly (readonly Instr[])[], m: Memory): string {
  return blocks.map((b) => {
    const start = b[0].addr, end = blockEnd(b);
    let bytes = "";
    for (let a = start; a !== end; a = (a + 1) | 0) bytes += String.fromCharCode(m.fetch8(a));
    return `${start}:${bytes}`;
  }).join(",");
}

/** The smallest memory a region runs on: the page tables and the scratch frame. */
const MIN_PAGES = (WASM_SCRATCH + PAGE_SIZE) / 65536;

function buildModule(
  blocks: readonly (readonly Instr[])[],
  index: ReadonlyMap<number, number>,
  noWindow: ReadonlySet<number>,
  budget: BudgetNeeds,
): WebAssembly.Module {
  const mb = new ModuleBuilder();
  mb.importMemory("m", "memory", Math.ceil(MIN_PAGES));
  const x87 = mb.importFunc("m", "x87", mb.type([I32, I32, I32], [I32]));
  const host = mb.importFunc("m", "host", mb.type([I32], [I32]));
  if (x87 !== X87_IMPORT || host !== HOST_IMPORT) throw new Error("the x87 and host imports must be the module's first functions");
  const findFn = mb.func(mb.type([I32], [I32]), 0, findCode([...index].sort((a, b) => a[0] - b[0])));
  mb.func(mb.type([I32, I32], [I32]), LOCAL_COUNT, runCode(blocks, index, findFn, noWindow, budget), "run", WIDE_LOCAL_COUNT);
  return new WebAssembly.Module(mb.build());
}

/**
 * The region function, `run(budget, pc)`: a loop around a br_table over
 * the blocks, starting at block `pc`; a block falls into the next one
 * laid out when that is its successor. Each block charges its
 * instructions, runs them and continues at its successor: inside the
 * region when the successor is one of its blocks, else it leaves with EIP
 * on it. Leaving before an instruction gives back the budget of the
 * block's instructions from there on.
 *
 * Blocks run whole or not at all, as the other backends count, but only
 * edges that may close a loop check the budget (see {@link budgetNeeds}):
 * whoever enters block j, the caller included, first makes sure that
 * `needs[j]` instructions remain, and a forward edge the needs account for
 * checks nothing. A check that fails leaves at the block, and the host
 * runs on from there one block at a time, so runs stop where they stop
 * without regions.
 */
function runCode(
  blocks: readonly (readonly Instr[])[],
  index: ReadonlyMap<number, number>,
  findFn: number,
  noWindow: ReadonlySet<number>,
  { needs, covered }: BudgetNeeds,
): Code {
  const { BUDGET, LEFT, PC, EIP } = Local;
  const region = new Code();
  /** Where code goes: the region's, or a block's body while its stack window is not known yet. */
  let code = region;
  STATE.forEach((l, k) => code.i32Const(WASM_SCRATCH + 4 * k).mem(MemOp.i32_load, 0, 2).localSet(l));
  code.localGet(BUDGET).localSet(LEFT);
  const n = blocks.length;
  const mostNeeded = Math.max(...needs);
  let hostCalls = 0;
  code.block(); // $exit
  code.loop(); // $top
  for (let j = 0; j < n; j++) code.block();
  code.localGet(PC).brTable(blocks.map((_, j) => j), n + 1);
  blocks.forEach((instrs, j) => {
    code.op(Op.end);
    // A block that branches to its own start is a wasm loop of its own: its back-edge skips the br_table.
    const self = branchesToItself(instrs);
    if (self) code.loop();
    emitBlock(instrs, j, self ? 1 : 0);
    if (self) code.op(Op.end);
  });
  /** Emits block `j`'s code inside `inner` labels of its own. */
  function emitBlock(instrs: readonly Instr[], j: number, inner: number): void {
    const toTop = n - 1 - j + inner, toExit = n - j + inner;
    const len = instrs.length;
    let k = 0;
    const leave = (addr: number, depth: number) => {
      code.i32Const(addr).localSet(EIP);
      if (len - k > 0) code.localGet(LEFT).i32Const(len - k).op(Op.i32_add).localSet(LEFT);
      code.br(toExit + depth);
    };
    /** Leaves at `addr` unless `need` instructions remain. */
    const requireBudget = (need: number, addr: number, depth: number) => {
      code.localGet(LEFT).i32Const(need).op(Op.i32_lt_s).if().i32Const(addr).localSet(EIP).br(toExit + depth + 1).op(Op.end);
    };
    const dispatch: Dispatch = {
      to(addr, depth) {
        const t = index.get(addr | 0);
        if (t !== undefined && !covered[j].has(t)) requireBudget(needs[t], addr, depth);
        if (t === undefined) code.i32Const(addr).localSet(EIP).br(toExit + depth);
        // The block's last transfer, to the block laid out next: fall into it.
        else if (t === j + 1 && depth === 0 && k >= len - 1) return;
        // A block laid out later starts where one of the blocks around this one ends: branch there.
        else if (t > j) code.br(t - j - 1 + inner + depth);
        else if (t === j && inner > 0) code.br(depth);
        else code.i32Const(t).localSet(PC).br(toTop + depth);
      },
      toEip(depth) {
        // Which block is not known here: require what the neediest block needs.
        code.localGet(EIP).call(findFn).localTee(PC).i32Const(0).op(Op.i32_lt_s).brIf(toExit + depth)
          .localGet(LEFT).i32Const(mostNeeded).op(Op.i32_lt_s).brIf(toExit + depth)
          .br(toTop + depth);
      },
      leaveBefore(depth) {
        leave(instrs[k].addr, depth);
      },
      leaveHere(depth) {
        code.i32Const(instrs[k].addr).localSet(EIP).br(toExit + depth);
      },
      leaveAfter(depth) {
        code.i32Const(instrs[k].addr + instrs[k].len).localSet(EIP);
        if (len - k - 1 > 0) code.localGet(LEFT).i32Const(len - k - 1).op(Op.i32_add).localSet(LEFT);
        code.br(toExit + depth);
      },
    };
    code.localGet(LEFT).i32Const(len).op(Op.i32_sub).localSet(LEFT);
    const stack = noWindow.has(instrs[0].addr | 0) ? undefined : new StackWindow();
    // The body first, apart: the window check before it needs the offsets the body accesses.
    code = new Code();
    emitBody();
    const body = code;
    code = region;
    if (stack !== undefined && stack.count > 0) {
      k = 0;
      emitWindowCheck(stack);
    }
    code.append(body);

    function emitBody(): void {
      let known: KnownFlags | undefined;
      for (; k < len; k++) {
        const i = instrs[k];
        if (!translatable(i)) {
          leave(i.addr, 0);
          return;
        }
        const g = new WasmGen(code, i, dispatch, known, stack);
        if (!compiled(i)) {
          emitHostCall(g, hostCalls++);
          stack?.forget();
        } else {
          if (hasMemoryOperand(i) && i.def.mnemonic !== "lea") g.effectiveAddress();
          i.def.wasm!.emit(g);
          stack?.after(i);
        }
        known = g.known;
      }
      const last = instrs[len - 1];
      if (last.def.flow === "next") dispatch.to(blockEnd(instrs), 0);
    }

    /**
     * Sets Local.SB for the window, or leaves before the block's first
     * instruction (saying why in the scratch frame's STACK word) when the
     * window is not in one page the page tables allow.
     */
    function emitWindowCheck(w: StackWindow): void {
      code.localGet(Local.REG + 4).i32Const(w.lo).op(Op.i32_add).localSet(Local.ADDR);
      const g = new WasmGen(code, instrs[0], dispatch, undefined);
      g.fastPage(Local.ADDR, w.writes ? WASM_WI : WASM_RI, (w.hi - w.lo) * 8);
      code.op(Op.i32_eqz).if();
      code.i32Const(WASM_SCRATCH + 4 * Slot.STACK).i32Const(1).mem(MemOp.i32_store, 0, 2);
      leave(instrs[0].addr, 1);
      code.op(Op.end);
      g.poolAddress();
      code.i32Const(w.lo).op(Op.i32_sub).localSet(Local.SB);
    }
  }
  code.op(Op.end); // loop
  code.op(Op.end); // $exit
  STATE.forEach((l, k) => code.i32Const(WASM_SCRATCH + 4 * k).localGet(l).mem(MemOp.i32_store, 0, 2));
  code.i32Const(WASM_SCRATCH + 4 * Slot.EIP).localGet(EIP).mem(MemOp.i32_store, 0, 2);
  code.localGet(BUDGET).localGet(LEFT).op(Op.i32_sub);
  return region;
}

/**
 * For each block of a region, in layout order: `needs[j]`, the most
 * instructions a run entering block j can retire before it checks the
 * budget again, and `covered[j]`, the blocks it may go on to without a
 * check: those laid out after it that it falls or jumps into directly.
 * Any other edge (back to an earlier block or itself, through a computed
 * address, out of a REP string instruction, which retires a count of its
 * own) checks `needs` of its target. Forward edges form no cycle, so
 * `needs` is a longest path, computed from the last block back.
 */
interface BudgetNeeds {
  needs: number[];
  covered: Set<number>[];
}

function budgetNeeds(blocks: readonly (readonly Instr[])[], index: ReadonlyMap<number, number>): BudgetNeeds {
  const n = blocks.length;
  const needs = new Array<number>(n).fill(0);
  const covered = blocks.map(() => new Set<number>());
  for (let j = n - 1; j >= 0; j--) {
    const instrs = blocks[j];
    let most = 0;
    if (!isRepString(instrs[0])) {
      for (const addr of [blockEnd(instrs), branchTarget(instrs)]) {
        const t = addr === undefined ? undefined : index.get(addr | 0);
        if (t === undefined || t <= j) continue;
        covered[j].add(t);
        most = Math.max(most, needs[t]);
      }
    }
    needs[j] = instrs.length + most;
  }
  return { needs, covered };
}

/** True if the block ends with a relative jump (not a call) to its own first instruction. */
function branchesToItself(instrs: readonly Instr[]): boolean {
  return instrs[instrs.length - 1].def.mnemonic !== "call" && branchTarget(instrs) === (instrs[0].addr | 0);
}

/**
 * `find(eip)`: the index of the block at `eip`, or -1, by binary search
 * over the blocks' addresses (sorted as int32).
 */
function findCode(sorted: readonly (readonly [number, number])[]): Code {
  const code = new Code();
  const search = (lo: number, hi: number) => {
    if (hi - lo <= 4) {
      for (let k = lo; k < hi; k++) {
        code.localGet(0).i32Const(sorted[k][0]).op(Op.i32_eq).if().i32Const(sorted[k][1]).op(Op.return).op(Op.end);
      }
      return;
    }
    const mid = (lo + hi) >> 1;
    code.localGet(0).i32Const(sorted[mid][0]).op(Op.i32_lt_s).if();
    search(lo, mid);
    code.op(Op.end);
    search(mid, hi);
  };
  search(0, sorted.length);
  code.i32Const(-1);
  return code;
}
