/**
 * The test programs of program.ts as 64-bit code, for the real CPU in a
 * 64-bit process (native/runner64.c): layer 2 of the differential test,
 * for kernels that no longer run i386 programs. The addresses of the i386
 * batch (code, data, control page) are all below 4 GiB, so the runner maps
 * them at the same places; each case keeps its state block, data, labels
 * and dump layout, and only the code around and in it changes:
 *
 * - the prologue loads the registers with 32-bit moves (which clear the
 *   upper halves) and EFLAGS through POPFQ, the epilogue stores them with
 *   moves (POPAD and PUSHAD do not exist in 64-bit mode), and the case
 *   returns to the runner with RET (no `int 0x80`, which needs the i386
 *   system-call ABI);
 * - the instruction bytes get a 0x67 prefix wherever the address size
 *   matters, so that addresses, string pointers and counts stay 32-bit and
 *   wrap as in 32-bit mode; ModRM mod=00 rm=101, a disp32 address in
 *   32-bit mode but RIP-relative in 64-bit mode, becomes the SIB form of
 *   the same address (rm=100, SIB 0x25);
 * - 64-bit mode ignores CS overrides, so an access through CS goes
 *   through GS instead, loaded with ALIAS_SELECTOR: a segment that moves
 *   the data pages to a read-only alias, where a write faults as the
 *   runner reports a write through CS in 32-bit mode (#GP);
 * - cases long_mode.ts says 64-bit mode runs differently are left out
 *   (the caller runs them on qemu-i386).
 *
 * The instructions move, so `Translation.boundaries` maps each
 * instruction's 64-bit address back to the i386 one (fault addresses).
 */
import { CS } from "../../core/cpu/state.ts";
import { type LongModeCpu, lockFaults, obstacle, usesAddressSize } from "./long_mode.ts";
import {
  type Case,
  caseInstructions,
  CODE_BASE,
  CTRL_BASE,
  type Dialect,
  DUMP,
  DUMP_EFLAGS,
  DUMP_REGS,
  DUMP_SEGS,
  elementSize,
  LDT_SELECTOR,
  type Placed,
  REGISTERS,
  SAVE,
  SEGMENT_REGISTERS,
  STATE_WORDS,
} from "./program.ts";

/** The longest instruction the processor accepts. */
const MAX_LENGTH = 15;
/** A stack for PUSHFQ in the epilogue: the top of the control page, which nothing else uses. */
const STACK64 = CTRL_BASE + 0x1000;
const ADDRESS_SIZE = 0x67;
/** SIB byte for "no base, no index, disp32": an absolute address in 64-bit mode. */
const SIB_ABSOLUTE = 0x25;
const CS_OVERRIDE = 0x2e, GS_OVERRIDE = 0x65;
/** LDT entry 1 in runner64.c: the read-only alias of the data pages, for CS overrides. */
export const ALIAS_SELECTOR = 0xf;

/** A case's instruction bytes as 64-bit code. */
export interface Translation {
  /** Bytes for `bits 64`, with the case's NASM expressions (branch displacements) kept. */
  bytes: (number | string)[];
  /**
   * Instruction boundaries from the instruction label, as [offset in the
   * i386 batch, offset in the 64-bit batch], ending with the end of the
   * last instruction.
   */
  boundaries: [number, number][];
  /** GS holds ALIAS_SELECTOR for an access through CS. */
  alias: boolean;
}

/**
 * The 64-bit form of a case's instructions, or why there is none.
 *
 * @example
 * translate(c, { lahf64: true }); // mov eax, [0x20000100] -> 67 8b 04 25 00 01 00 20
 */
export function translate(c: Case, cpu: LongModeCpu): Translation | string {
  const bytes: (number | string)[] = [];
  const boundaries: [number, number][] = [];
  let out = 0, end = 0, alias = false, stopped = false;
  for (const { instr, prefixes, at, len, elements } of caseInstructions(c)) {
    end = at + len;
    if (stopped) {
      // After a LOCK that raises #UD nothing runs: the rest stays as it is.
      bytes.push(...elements);
      out += len;
      continue;
    }
    const why = obstacle(instr, cpu);
    if (why) return why;
    const own = [...elements];
    const modrmAt = prefixes + (instr.twoByte ? 2 : 1);
    if (instr.seg === CS && usesAddressSize(instr)) {
      own.forEach((x, k) => k < prefixes && x === CS_OVERRIDE && (own[k] = GS_OVERRIDE));
      alias = true;
    }
    if (instr.modrm >= 0 && (instr.modrm & 0xc7) === 0x05) own.splice(modrmAt, 1, (instr.modrm & ~7) | 4, SIB_ABSOLUTE);
    if (usesAddressSize(instr)) own.unshift(ADDRESS_SIZE);
    const len64 = own.reduce((n: number, x) => n + elementSize(x), 0);
    if (len64 > MAX_LENGTH) return `the 64-bit encoding would be ${len64} bytes long`;
    boundaries.push([at, out]);
    bytes.push(...own);
    out += len64;
    stopped = lockFaults(instr);
  }
  boundaries.push([end, out]);
  return { bytes, boundaries, alias };
}

const hex = (v: number) => `0x${v.toString(16)}`;
const at = (addr: number) => `[${hex(addr)}]`;

/** Stores EAX..EDI and EFLAGS where the i386 epilogue's PUSHFD and PUSHAD put them, and the path taken. */
function epilogue(label: string, path: number): string[] {
  return [
    `${label}:`,
    ...REGISTERS.map((r, k) => `  mov ${at(DUMP + 4 * DUMP_REGS[k])}, ${r}`),
    `  mov esp, ${hex(STACK64)}`,
    "  pushfq",
    "  pop rax",
    `  mov ${at(DUMP + 4 * DUMP_EFLAGS)}, eax`,
    `  mov dword ${at(DUMP)}, ${path}`,
    "  jmp EXIT",
  ];
}

/**
 * Loads the state block (STATE_WORDS) with moves and POPFQ, ESP last as it
 * leaves the runner's stack, and returns through R11 (which no case uses).
 * One routine for all cases: NASM's time grows with the lines.
 */
function load(): string[] {
  const word = (w: string) => at(CTRL_BASE + 4 * STATE_WORDS.indexOf(w));
  return [
    "LOAD:",
    "  pop r11",
    ...["edi", "esi", "ebp", "ebx", "edx", "ecx"].map((r) => `  mov ${r}, ${word(r)}`),
    `  mov eax, ${word("eflags")}`,
    "  push rax",
    "  popfq",
    `  mov eax, ${word("eax")}`,
    `  mov esp, ${word("esp")}`,
    "  jmp r11",
  ];
}

/** Saves the runner's RSP, loads FS/GS for the case, then its state. */
function prologue(c: Case, t: Translation): string[] {
  return [
    `  mov ${at(SAVE)}, rsp`,
    ...(c.ldtSeg ? [`  mov ax, ${LDT_SELECTOR}`, `  mov ${c.ldtSeg}, ax`] : []),
    ...(t.alias ? [`  mov ax, ${ALIAS_SELECTOR}`, "  mov gs, ax"] : []),
    "  call LOAD",
  ];
}

/**
 * The 64-bit dialect of program.ts's batches, for cases translated in
 * this order (batchSource(cases, dialect64(translations, placed32, numbers32))).
 * `placed32` and `numbers32` are where the cases are in the i386 batch:
 * code addresses the cases store as data (a fixup's branch target) are the
 * i386 batch's, so that memory and registers compare equal.
 *
 * @example
 * const source = batchSource(cases, dialect64(translations, placed, cases.map((_, n) => n)));
 */
export function dialect64(translations: Translation[], placed32: Placed[], numbers32: number[]): Dialect {
  return {
    bits: 64,
    harness: [
      "EXIT:",
      ...SEGMENT_REGISTERS.map((s, k) => `  mov ${at(DUMP_SEGS + 2 * k)}, ${s}`),
      `  mov rsp, ${at(SAVE)}`,
      "  ret",
      ...epilogue("EPI_FALL", 1),
      ...epilogue("EPI_TAKEN", 2),
      ...load(),
    ],
    prologue: (c, n) => prologue(c, translations[n]),
    bytes: (_c, n) => translations[n].bytes,
    number: (n) => numbers32[n],
    // With the same padding, labels keep their distance from the case's entry (TB) and end (TF).
    labelValue: (label, n) =>
      label === "TF"
        ? `(TF${n} - J${n} + ${hex(CODE_BASE + placed32[n].next)})`
        : `(TB${n} - C${n} + ${hex(CODE_BASE + placed32[n].entry)})`,
  };
}
