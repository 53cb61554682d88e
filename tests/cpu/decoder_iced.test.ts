/**
 * Cross-checks fx86's decoder against iced-x86 (an independent decoder) on
 * random byte streams, on random instances of every table row with random
 * prefixes, ModRM/SIB/displacement/immediate bytes, and on the real code in
 * Debian's busybox-static for i386. iced-x86 decides what each instruction
 * is and iced_rules.ts what fx86 must make of it.
 */
import { Decoder, DecoderOptions, Instruction } from "iced-x86";
import { assert, test } from "../harness.ts";
import { GuestFault } from "../../core/fault.ts";
import { decode } from "../../core/cpu/isa/decoder.ts";
import type { Instr } from "../../core/cpu/isa/instr.ts";
import { describeX87 } from "../../core/cpu/x87/x87.ts";
import { busyboxText } from "./busybox.ts";
import { type Rule, I686_MEANING, opcodeOffset, ruleFor, x87OnI686 } from "./iced_rules.ts";
import { fx86Memory, fx86Normal, icedNormal, type Normal } from "./normal.ts";
import { Rng } from "./rng.ts";
import { hasModrm, simdRows, tableRows, X87_ESCAPES } from "./rows.ts";
import { checkDisassembly } from "./disasm_check.ts";

/** True once core/cpu/x87 describes x87 encodings (until then they are all undefined). */
const x87Implemented = X87_ESCAPES.some((esc) =>
  Array.from({ length: 256 }, (_, m) => m).some((m) => describeX87(esc, m) !== undefined)
);

interface Tally {
  total: number;
  byRule: Record<string, number>;
  failures: string[];
  disasmFailures: string[];
  disasmChecked: number;
}

function newTally(): Tally {
  return { total: 0, byRule: {}, failures: [], disasmFailures: [], disasmChecked: 0 };
}

function hex(bytes: Uint8Array, at: number, n: number): string {
  return Array.from(bytes.subarray(at, at + n), (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function fx86Decode(bytes: Uint8Array, at: number, addr: number): Instr | GuestFault {
  try {
    return decode((a) => {
      const k = at + ((a - addr) >>> 0);
      if (k >= bytes.length) throw new GuestFault("page", a, "past the test buffer");
      return bytes[k];
    }, addr);
  } catch (e) {
    if (e instanceof GuestFault) return e;
    throw e;
  }
}

function same(a: Normal, b: Normal): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** fx86's view of an x87 instruction: core/cpu/x87 names it, the ModRM gives the memory operand. */
function x87Normal(fx: Instr): Normal {
  const d = describeX87(fx.opcode, fx.modrm)!;
  return { len: fx.len, mnemonic: d.mnemonic, operands: fx.mod === 3 ? [] : [fx86Memory(fx)], lock: fx.lock };
}

/** The x87 part of the comparison: length, mnemonic and memory operand (st(i) operands are the x87 unit's business). */
function icedX87Normal(ice: Normal): Normal {
  const mem = ice.operands.filter((o) => o.kind === "mem").map((o) => ({ ...o, size: 0 }));
  return { ...ice, operands: mem };
}

/**
 * Checks one instruction at `bytes[at]` (address `addr`); returns iced's
 * length (1 for an invalid encoding) so a linear sweep can continue.
 */
function checkOne(
  d: Decoder,
  ins: Instruction,
  bytes: Uint8Array,
  at: number,
  addr: number,
  t: Tally,
): number {
  d.position = at;
  d.ip = BigInt(addr >>> 0);
  d.decodeOut(ins);
  const rule: Rule = ruleFor(ins, bytes, at);
  const fx = fx86Decode(bytes, at, addr);
  const ice = rule === "i686" || rule === "hint-nop" || rule === "x87" || rule === "simd" ? icedNormal(ins) : undefined;
  let ok: boolean;
  let key: string = rule;
  switch (rule) {
    case "i686": {
      if (fx instanceof GuestFault) {
        ok = false;
        break;
      }
      const meaning = I686_MEANING[ins.mnemonic];
      if (meaning) {
        ice!.mnemonic = meaning;
        key = "i686 (prefix ignored)";
      }
      if (ice!.mnemonic === "xlatb") ice!.operands = []; // XLAT's [EBX+AL] is implicit in fx86
      ok = same(fx86Normal(fx), ice!);
      break;
    }
    case "simd":
      ok = !(fx instanceof GuestFault) && same(fx86Normal(fx), ice!);
      break;
    case "hint-nop": {
      if (fx instanceof GuestFault || fx.def.mnemonic !== "nop") {
        ok = false;
        break;
      }
      const first = ice!.operands[0];
      const ours = fx86Normal(fx).operands[0];
      ok = fx.len === ice!.len &&
        (first?.kind !== "mem" || JSON.stringify({ ...ours, size: 0 }) === JSON.stringify({ ...first, size: 0 }));
      break;
    }
    case "x87":
      if (!x87Implemented) {
        ok = fx instanceof GuestFault && fx.kind === "undefined-opcode";
        key = "x87 (unit not implemented yet: undefined)";
      } else if (x87OnI686(ins)) {
        ok = !(fx instanceof GuestFault) && same(x87Normal(fx), icedX87Normal(ice!));
      } else {
        ok = fx instanceof GuestFault && fx.kind === "undefined-opcode";
        key = "x87 outside i686";
      }
      break;
    case "fx86":
      // LOCK makes any instruction without a memory destination #UD, FX86 included.
      ok = bytes.subarray(at, at + opcodeOffset(bytes, at)).includes(0xf0)
        ? fx instanceof GuestFault && fx.kind === "undefined-opcode"
        : !(fx instanceof GuestFault) && fx.def.mnemonic === "fx86" &&
          fx.len === opcodeOffset(bytes, at) + 3;
      break;
    default: // outside, invalid, undefined-by-choice
      ok = fx instanceof GuestFault && fx.kind === "undefined-opcode";
  }
  t.total++;
  t.byRule[key] = (t.byRule[key] ?? 0) + 1;
  if (!(fx instanceof GuestFault) && rule !== "fx86") {
    const problem = checkDisassembly(fx, bytes, at, addr, ins);
    t.disasmChecked++;
    if (problem && t.disasmFailures.length < 40) {
      t.disasmFailures.push(`${hex(bytes, at, fx.len)}: ${problem}`);
    }
  }
  if (!ok && t.failures.length < 60) {
    const ours = fx instanceof GuestFault
      ? `fault ${fx.kind}: ${fx.detail}`
      : JSON.stringify(rule === "x87" ? x87Normal(fx) : fx86Normal(fx));
    t.failures.push(
      `${hex(bytes, at, Math.max(ins.length, 6))} [${rule}] iced ${JSON.stringify(ice ?? "invalid")} fx86 ${ours}`,
    );
  }
  return rule === "invalid" || rule === "fx86" ? 1 : ins.length;
}

function report(name: string, t: Tally): void {
  const rules = Object.entries(t.byRule).sort().map(([k, v]) => `${k}: ${v}`).join(", ");
  console.log(`${name}: ${t.total} instructions cross-checked (${rules}); ${t.disasmChecked} disassembled`);
  assert.deepEqual(t.failures, [], `${name}: fx86's decoder disagrees with iced-x86`);
  assert.deepEqual(t.disasmFailures, [], `${name}: fx86's disassembler disagrees with iced-x86`);
}

const PREFIXES = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];

function randomPrefixes(rng: Rng): number[] {
  const out: number[] = [];
  while (out.length < 4 && rng.chance(0.35)) out.push(rng.pick(PREFIXES));
  return out;
}

/** A ModRM byte with a chosen reg field and a mod biased towards each form. */
function randomModrm(rng: Rng, reg: number | undefined, form: "any" | "register" | "memory"): number {
  const mod = form === "register" ? 3 : form === "memory" ? rng.below(3) : rng.below(4);
  return (mod << 6) | ((reg ?? rng.below(8)) << 3) | rng.below(8);
}

const CHUNK = 24;

test("decoder vs iced-x86: random byte streams", () => {
  const rng = new Rng(0x1ced);
  const bytes = new Uint8Array(1_200_000);
  for (let k = 0; k < bytes.length; k++) bytes[k] = rng.byte();
  // Two-byte opcodes are rare in uniform bytes: sprinkle 0F escapes.
  for (let k = 0; k < bytes.length; k += 1 + rng.below(12)) if (rng.chance(0.3)) bytes[k] = 0x0f;
  const d = new Decoder(32, bytes, DecoderOptions.None);
  const ins = new Instruction();
  const t = newTally();
  const base = 0x00400000;
  for (let at = 0; at < bytes.length - 16;) at += checkOne(d, ins, bytes, at, base + at, t);
  report("random bytes", t);
});

test("decoder vs iced-x86: random instances of every table row", () => {
  const rng = new Rng(0x7ab1e);
  const rows = [...tableRows(), ...simdRows()];
  const perRow = 640;
  const escapes = X87_ESCAPES.length;
  const count = (rows.length + escapes) * perRow;
  const bytes = new Uint8Array(count * CHUNK);
  let n = 0;
  let mandatory: number[] = [];
  const emit = (opcode: number[], modrm: number | undefined) => {
    const at = n * CHUNK;
    const head = [...randomPrefixes(rng), ...mandatory, ...opcode, ...(modrm === undefined ? [] : [modrm])];
    bytes.set(head, at);
    for (let k = head.length; k < CHUNK; k++) bytes[at + k] = rng.byte();
    n++;
  };
  for (const row of rows) {
    const opcode = row.twoByte ? [0x0f, row.opcode] : [row.opcode];
    mandatory = row.prefix ? [row.prefix] : [];
    for (let k = 0; k < perRow; k++) {
      emit(opcode, hasModrm(row) ? randomModrm(rng, row.reg, row.modForms) : undefined);
    }
  }
  mandatory = [];
  for (const esc of X87_ESCAPES) {
    for (let k = 0; k < perRow; k++) emit([esc], randomModrm(rng, undefined, "any"));
  }
  const d = new Decoder(32, bytes, DecoderOptions.None);
  const ins = new Instruction();
  const t = newTally();
  const base = 0x10000000;
  for (let k = 0; k < n; k++) checkOne(d, ins, bytes, k * CHUNK, base + k * CHUNK, t);
  console.log(`table rows: ${rows.length} rows + ${escapes} x87 escapes, ${perRow} instances each`);
  report("table rows", t);
});

test("decoder vs iced-x86: busybox-static i386 .text, decoded linearly", () => {
  const text = busyboxText();
  // Padding lets the last instructions decode; the sweep stops at the end of .text.
  const bytes = new Uint8Array(text.bytes.length + 16);
  bytes.set(text.bytes);
  const d = new Decoder(32, bytes, DecoderOptions.None);
  const ins = new Instruction();
  const t = newTally();
  for (let at = 0; at < text.bytes.length;) at += checkOne(d, ins, bytes, at, text.addr + at, t);
  report("busybox .text", t);
});
