/**
 * DWARF line tables (`.debug_line`, versions 2 to 5): which source line
 * each address of a program built with `-g` comes from, so a debugger can
 * take `break counter.c:17`. Only what that needs is read: file names and
 * the (address, file, line) rows the line-number program produces. A
 * malformed table gives the rows read so far, never an error.
 */
import { parseElf } from "./elf.ts";

/** One row of a line table: code at `address` is from `line` of `file`. */
export interface LineRow {
  address: number;
  /** The file's name as the table gives it (often without its directory). */
  file: string;
  line: number;
  /** A recommended breakpoint location (DWARF's is_stmt). */
  stmt: boolean;
  /** The end of a sequence: the first address after its code (no code of its own). */
  end?: true;
}

const SHT_NOBITS = 8;

/** The contents of named sections of an ELF image. */
function sections(image: Uint8Array): Map<string, Uint8Array> {
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const shoff = v.getUint32(32, true), shnum = v.getUint16(48, true), shstrndx = v.getUint16(50, true);
  const header = (i: number) => {
    const o = shoff + 40 * i;
    return { name: v.getUint32(o, true), type: v.getUint32(o + 4, true), offset: v.getUint32(o + 16, true), size: v.getUint32(o + 20, true) };
  };
  const out = new Map<string, Uint8Array>();
  if (shoff === 0 || shoff + 40 * shnum > image.length || shstrndx >= shnum) return out;
  const names = header(shstrndx);
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    if (h.type === SHT_NOBITS || h.offset + h.size > image.length) continue;
    out.set(cString(image, names.offset + h.name), image.subarray(h.offset, h.offset + h.size));
  }
  return out;
}

function cString(bytes: Uint8Array, at: number): string {
  let end = at;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(at, end));
}

/** A little-endian reader over one section. */
class Reader {
  constructor(readonly b: Uint8Array, public at = 0) {}
  u8(): number {
    if (this.at >= this.b.length) throw new RangeError("past the end");
    return this.b[this.at++];
  }
  u16(): number {
    return this.u8() | (this.u8() << 8);
  }
  u32(): number {
    return (this.u16() | (this.u16() << 16)) >>> 0;
  }
  /** A LEB128 number read as unsigned, with the scale past its last byte and that byte (to sign it). */
  private leb(): { v: number; scale: number; last: number } {
    let v = 0, scale = 1, byte: number;
    do {
      byte = this.u8();
      v += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return { v, scale, last: byte };
  }
  uleb(): number {
    return this.leb().v;
  }
  sleb(): number {
    const { v, scale, last } = this.leb();
    return last & 0x40 ? v - scale : v;
  }
  str(): string {
    const s = cString(this.b, this.at);
    this.at += new TextEncoder().encode(s).length + 1;
    return s;
  }
}

const DW_LNCT_PATH = 1;
const FORM_SIZES: Record<number, number> = { 0x0b: 1, 0x05: 2, 0x06: 4, 0x07: 8, 0x1e: 16 };
const DW_FORM_STRING = 0x08, DW_FORM_LINE_STRP = 0x1f, DW_FORM_STRP = 0x0e, DW_FORM_UDATA = 0x0f, DW_FORM_BLOCK = 0x09;

/** DWARF 5 directory or file entries: the path of each. */
function entries5(r: Reader, strs: Map<string, Uint8Array>): string[] {
  const formats: [number, number][] = [];
  for (let n = r.u8(); n > 0; n--) formats.push([r.uleb(), r.uleb()]);
  const out: string[] = [];
  for (let n = r.uleb(); n > 0; n--) {
    let path = "";
    for (const [type, form] of formats) {
      let value = "";
      if (form === DW_FORM_STRING) value = r.str();
      else if (form === DW_FORM_LINE_STRP) value = cString(strs.get(".debug_line_str") ?? new Uint8Array(), r.u32());
      else if (form === DW_FORM_STRP) value = cString(strs.get(".debug_str") ?? new Uint8Array(), r.u32());
      else if (form === DW_FORM_UDATA) r.uleb();
      else if (form === DW_FORM_BLOCK) r.at += r.uleb();
      else if (FORM_SIZES[form]) r.at += FORM_SIZES[form];
      else throw new RangeError(`DWARF form ${form}`);
      if (type === DW_LNCT_PATH) path = value;
    }
    out.push(path);
  }
  return out;
}

/**
 * Every row of every line table of an ELF image, in table order (empty if
 * it has no `.debug_line`).
 *
 * @example
 * lineTable(readFileSync("examples/debug/counter")).find((r) => r.line === 17)!.address; // 0x0804970f
 */
export function lineTable(image: Uint8Array): LineRow[] {
  const rows: LineRow[] = [];
  try {
    parseElf(image);
    const secs = sections(image);
    const section = secs.get(".debug_line");
    if (!section) return rows;
    for (let unit = 0; unit + 4 <= section.length;) {
      const r: Reader = new Reader(section, unit);
      const length = r.u32();
      const end = r.at + length;
      unit = end;
      const version = r.u16();
      if (version >= 5) r.at += 2; // address_size, segment_selector_size
      const headerLength = r.u32();
      const program = r.at + headerLength;
      const minLength = r.u8();
      if (version >= 4) r.u8(); // maximum_operations_per_instruction
      const defaultStmt = r.u8() !== 0;
      const lineBase = (r.u8() << 24) >> 24;
      const lineRange = r.u8();
      const opcodeBase = r.u8();
      const lengths = [0];
      for (let i = 1; i < opcodeBase; i++) lengths.push(r.u8());
      let files: string[];
      if (version >= 5) {
        entries5(r, secs);
        files = entries5(r, secs);
      } else {
        while (r.str() !== "");
        files = [""]; // DWARF 2-4 number files from 1
        for (let name = r.str(); name !== ""; name = r.str()) {
          files.push(name);
          r.uleb(), r.uleb(), r.uleb();
        }
      }
      r.at = program;
      run(r, end, { minLength, defaultStmt, lineBase, lineRange, opcodeBase, lengths, files }, rows);
    }
  } catch {
    // Malformed: keep what was read.
  }
  return rows;
}

interface Header {
  minLength: number;
  defaultStmt: boolean;
  lineBase: number;
  lineRange: number;
  opcodeBase: number;
  lengths: number[];
  files: string[];
}

/** Runs one line-number program (DWARF 5, section 6.2), appending its rows. */
function run(r: Reader, end: number, h: Header, rows: LineRow[]): void {
  let address = 0, file = 1, line = 1, stmt = h.defaultStmt;
  const emit = () => rows.push({ address: address >>> 0, file: h.files[file] ?? "", line, stmt });
  while (r.at < end) {
    const op = r.u8();
    if (op >= h.opcodeBase) {
      const adjusted = op - h.opcodeBase;
      address += Math.floor(adjusted / h.lineRange) * h.minLength;
      line += h.lineBase + (adjusted % h.lineRange);
      emit();
      continue;
    }
    switch (op) {
      case 0: {
        const len = r.uleb();
        const next = r.at + len;
        const sub = r.u8();
        if (sub === 1) {
          rows.push({ address: address >>> 0, file: h.files[file] ?? "", line, stmt, end: true });
          address = 0, file = 1, line = 1, stmt = h.defaultStmt;
        } else if (sub === 2) address = r.u32();
        r.at = next;
        break;
      }
      case 1: emit(); break;
      case 2: address += r.uleb() * h.minLength; break;
      case 3: line += r.sleb(); break;
      case 4: file = r.uleb(); break;
      case 6: stmt = !stmt; break;
      case 8: address += Math.floor((255 - h.opcodeBase) / h.lineRange) * h.minLength; break;
      case 9: address += r.u16(); break;
      default:
        // Opcodes this reader needs nothing from: skip their ULEB operands.
        for (let i = 0; i < h.lengths[op]; i++) r.uleb();
    }
  }
}

/**
 * The source line of `address`: the row at or before it in its sequence,
 * or undefined outside every sequence.
 *
 * @example
 * lineOf(rows, 0x08049720); // { file: "counter.c", line: 17, … }
 */
export function lineOf(rows: readonly LineRow[], address: number): LineRow | undefined {
  let best: LineRow | undefined;
  for (const r of rows) {
    if (r.address <= address && (best === undefined || r.address >= best.address)) best = r;
  }
  return best?.end ? undefined : best;
}

/**
 * The address to break at for `FILE:LINE`: the lowest statement address of
 * that line in a file whose name ends with FILE; undefined if none.
 *
 * @example
 * lineAddress(rows, "counter.c", 17); // 0x0804970f
 */
export function lineAddress(rows: readonly LineRow[], file: string, line: number): number | undefined {
  let best: number | undefined;
  for (const r of rows) {
    if (r.end || r.line !== line || !r.stmt || !(r.file === file || r.file.endsWith("/" + file))) continue;
    if (best === undefined || r.address < best) best = r.address;
  }
  return best;
}
