/**
 * A small WebAssembly binary encoder: what the region compiler needs to
 * build a module (one memory and some functions imported, functions of
 * i32 values, exports) and nothing more. The instruction helpers append
 * opcodes to a byte list, so generated code reads like the text format.
 *
 * @example
 * const m = new ModuleBuilder();
 * const add = m.type([I32, I32], [I32]);
 * const f = new Code().localGet(0).localGet(1).op(Op.i32_add);
 * m.func(add, [], f, "add");
 * const { add: fn } = new WebAssembly.Instance(new WebAssembly.Module(m.build())).exports;
 */

/** The value type i32 (fx86's parameters and most locals). */
export const I32 = 0x7f;
/** The value type i64 (the x87 arithmetic's significands). */
export const I64 = 0x7e;

/** Opcodes without immediates, by their text-format names. */
export const Op = {
  unreachable: 0x00,
  nop: 0x01,
  else: 0x05,
  end: 0x0b,
  return: 0x0f,
  drop: 0x1a,
  select: 0x1b,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_gt_u: 0x4b,
  i32_le_s: 0x4c,
  i32_le_u: 0x4d,
  i32_ge_s: 0x4e,
  i32_ge_u: 0x4f,
  i32_clz: 0x67,
  i32_ctz: 0x68,
  i32_popcnt: 0x69,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_div_s: 0x6d,
  i32_div_u: 0x6e,
  i32_rem_s: 0x6f,
  i32_rem_u: 0x70,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_xor: 0x73,
  i32_shl: 0x74,
  i32_shr_s: 0x75,
  i32_shr_u: 0x76,
  i32_rotl: 0x77,
  i32_rotr: 0x78,
  i32_wrap_i64: 0xa7,
  i64_extend_i32_s: 0xac,
  i64_extend_i32_u: 0xad,
  i64_eqz: 0x50,
  i64_lt_s: 0x53,
  i64_lt_u: 0x54,
  i64_ge_s: 0x59,
  i64_ge_u: 0x5a,
  i64_gt_u: 0x56,
  i64_clz: 0x79,
  i64_add: 0x7c,
  i64_sub: 0x7d,
  i64_and: 0x83,
  i64_mul: 0x7e,
  i64_div_s: 0x7f,
  i64_div_u: 0x80,
  i64_rem_s: 0x81,
  i64_rem_u: 0x82,
  i64_or: 0x84,
  i64_shl: 0x86,
  i64_eq: 0x51,
  i64_ne: 0x52,
  i64_shr_s: 0x87,
  i64_shr_u: 0x88,
  i32_extend8_s: 0xc0,
  i32_extend16_s: 0xc1,
} as const;

/** Memory access opcodes (each takes an alignment hint and an offset). */
export const MemOp = {
  i32_load: 0x28,
  i32_load8_u: 0x2d,
  i32_load16_s: 0x2e,
  i32_load16_u: 0x2f,
  i32_store: 0x36,
  i32_store8: 0x3a,
  i32_store16: 0x3b,
} as const;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of an int32. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/**
 * The body of a function: instructions appended in order to a growing
 * byte buffer (regions are tens of kilobytes: no intermediate arrays).
 */
export class Code {
  private buf = new Uint8Array(256);
  private n = 0;

  /** The bytes written so far. */
  get bytes(): Uint8Array {
    return this.buf.subarray(0, this.n);
  }

  private byte(b: number): this {
    if (this.n === this.buf.length) {
      const grown = new Uint8Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.n++] = b;
    return this;
  }

  private uleb(v: number): this {
    v >>>= 0;
    while (v >= 0x80) {
      this.byte((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    return this.byte(v);
  }

  private sleb(v: number): this {
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  /** Appends the bytes of another Code (emitted apart, to be placed here). */
  append(other: Code): this {
    for (const b of other.bytes) this.byte(b);
    return this;
  }

  /** An instruction without immediates. */
  op(code: number): this {
    return this.byte(code);
  }

  i32Const(n: number): this {
    return this.byte(0x41).sleb(n);
  }

  /** An i64 constant (small values: the signed LEB128 of an int32 is the same). */
  i64Const(n: number): this {
    return this.byte(0x42).sleb(n);
  }

  localGet(i: number): this {
    return this.byte(0x20).uleb(i);
  }

  localSet(i: number): this {
    return this.byte(0x21).uleb(i);
  }

  localTee(i: number): this {
    return this.byte(0x22).uleb(i);
  }

  /** A load or store; `align` is log2 of the natural alignment hint. */
  mem(code: number, offset = 0, align = 0): this {
    return this.byte(code).byte(align).uleb(offset);
  }

  /** `block`, `loop` or `if` with no result (block type empty). */
  block(): this {
    return this.byte(0x02).byte(0x40);
  }

  loop(): this {
    return this.byte(0x03).byte(0x40);
  }

  if(): this {
    return this.byte(0x04).byte(0x40);
  }

  /** `if` whose arms leave one i32. */
  if_i32(): this {
    return this.byte(0x04).byte(I32);
  }

  br(depth: number): this {
    return this.byte(0x0c).uleb(depth);
  }

  brIf(depth: number): this {
    return this.byte(0x0d).uleb(depth);
  }

  /** Branches to `depths[i]` for i on the stack, else to `otherwise`. */
  brTable(depths: readonly number[], otherwise: number): this {
    this.byte(0x0e).uleb(depths.length);
    for (const d of depths) this.uleb(d);
    return this.uleb(otherwise);
  }

  call(func: number): this {
    return this.byte(0x10).uleb(func);
  }

  /** `memory.copy` in memory 0: (destination, source, bytes) on the stack; overlapping ranges copy as memmove. */
  memoryCopy(): this {
    return this.byte(0xfc).uleb(10).byte(0x00).byte(0x00);
  }

  /** `memory.fill` in memory 0: (destination, byte value, bytes) on the stack. */
  memoryFill(): this {
    return this.byte(0xfc).uleb(11).byte(0x00);
  }

  /** Calls the function at the index on the stack in table 0, of function type `type`. */
  callIndirect(type: number): this {
    return this.byte(0x11).uleb(type).byte(0x00);
  }
}

interface Func {
  type: number;
  /** Extra i32 locals after the parameters. */
  locals: number;
  /** i64 locals after those. */
  wideLocals: number;
  code: Code;
  exportAs?: string;
}

/**
 * Collects a module's types, imports and functions, then encodes it.
 * Imported functions come first in the function index space, as in the
 * binary format: import them all before defining functions.
 */
export class ModuleBuilder {
  private readonly types: number[][] = [];
  private readonly imports: number[][] = [];
  private importedFuncs = 0;
  private readonly funcs: Func[] = [];

  /** The index of a function type of i32 parameters and results. */
  type(params: readonly number[], results: readonly number[]): number {
    const encoded = [0x60, ...uleb(params.length), ...params, ...uleb(results.length), ...results];
    const key = encoded.join(",");
    const found = this.types.findIndex((t) => t.join(",") === key);
    if (found >= 0) return found;
    this.types.push(encoded);
    return this.types.length - 1;
  }

  /** Imports a memory of at least `minPages` 64 KiB pages. */
  importMemory(module: string, field: string, minPages: number): void {
    this.imports.push([...name(module), ...name(field), 0x02, 0x00, ...uleb(minPages)]);
  }

  /** Imports a table of functions (funcref) of at least `min` elements. */
  importTable(module: string, field: string, min: number): void {
    this.imports.push([...name(module), ...name(field), 0x01, 0x70, 0x00, ...uleb(min)]);
  }

  /** Imports a function; returns its index. */
  importFunc(module: string, field: string, type: number): number {
    if (this.funcs.length > 0) throw new Error("import functions before defining any");
    this.imports.push([...name(module), ...name(field), 0x00, ...uleb(type)]);
    return this.importedFuncs++;
  }

  /** Defines a function with `locals` extra i32 locals, then `wideLocals` i64 ones; returns its index. */
  func(type: number, locals: number, code: Code, exportAs?: string, wideLocals = 0): number {
    this.funcs.push({ type, locals, wideLocals, code, exportAs });
    return this.importedFuncs + this.funcs.length - 1;
  }

  build(): Uint8Array<ArrayBuffer> {
    const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
    const exports = this.funcs.flatMap((f, k) =>
      f.exportAs === undefined ? [] : [[...name(f.exportAs), 0x00, ...uleb(this.importedFuncs + k)]]
    );
    const head = [
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      ...section(1, vector(this.types)),
      ...section(2, vector(this.imports)),
      ...section(3, vector(this.funcs.map((f) => uleb(f.type)))),
      ...section(7, vector(exports)),
    ];
    // The code section: each body is its size, its locals, its code and `end`.
    const bodies = this.funcs.map((f) => {
      const groups = [[f.locals, I32], [f.wideLocals, I64]].filter(([n]) => n > 0);
      const locals = vector(groups.map(([n, type]) => [...uleb(n), type]));
      const size = locals.length + f.code.bytes.length + 1;
      return { prefix: [...uleb(size), ...locals], code: f.code.bytes };
    });
    const count = uleb(bodies.length);
    const sectionSize = bodies.reduce((a, b) => a + b.prefix.length + b.code.length + 1, count.length);
    const sectionHead = [10, ...uleb(sectionSize), ...count];
    const out = new Uint8Array(head.length + sectionHead.length + sectionSize - count.length);
    out.set(head);
    let at = head.length;
    out.set(sectionHead, at);
    at += sectionHead.length;
    for (const b of bodies) {
      out.set(b.prefix, at);
      at += b.prefix.length;
      out.set(b.code, at);
      at += b.code.length;
      out[at++] = Op.end;
    }
    return out;
  }
}
