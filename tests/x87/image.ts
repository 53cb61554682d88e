/**
 * Builds and reads 108-byte 32-bit FNSAVE images, the state format the
 * differential test exchanges with the native runner.
 *
 * @example
 * const img = fsaveImage({ cw: 0x37f, st: [reg("3fff8000000000000000")] });
 * regOf(img, 0) === "3fff8000000000000000";
 */

/** An 80-bit value as 20 hex digits (sign/exponent, then significand). */
export type Reg80 = string;

export function reg(hex: string): Reg80 {
  if (!/^[0-9a-f]{20}$/.test(hex)) throw new Error(`bad reg80 ${hex}`);
  return hex;
}

/** Bytes (little-endian) of an 80-bit value. */
export function reg80Bytes(r: Reg80): Uint8Array {
  const b = new Uint8Array(10);
  for (let i = 0; i < 10; i++) {
    b[9 - i] = parseInt(r.slice(2 * i, 2 * i + 2), 16);
  }
  return b;
}

export function bytesReg80(b: Uint8Array, off = 0): Reg80 {
  let s = "";
  for (let i = 9; i >= 0; i--) s += b[off + i].toString(16).padStart(2, "0");
  return s;
}

export interface ImageSpec {
  cw?: number;
  /** Status word without TOP. */
  sw?: number;
  top?: number;
  /** ST(0)..ST(7); undefined = empty (its contents are then `junk`). */
  st?: (Reg80 | undefined)[];
  junk?: Reg80;
  fip?: number;
  fop?: number;
  fdp?: number;
}

/** A 32-bit protected-mode FNSAVE image. */
export function fsaveImage(s: ImageSpec): Uint8Array {
  const img = new Uint8Array(108);
  const dv = new DataView(img.buffer);
  const top = s.top ?? 0;
  dv.setUint16(0, s.cw ?? 0x37f, true);
  dv.setUint16(4, ((s.sw ?? 0) & ~0x3800) | (top << 11), true);
  let tw = 0;
  for (let i = 0; i < 8; i++) {
    const v = s.st?.[i];
    if (v === undefined) tw |= 3 << (((top + i) & 7) * 2);
    img.set(reg80Bytes(v ?? s.junk ?? "00000000000000000000"), 28 + 10 * i);
  }
  dv.setUint16(8, tw, true);
  dv.setUint32(12, s.fip ?? 0, true);
  dv.setUint32(16, (s.fop ?? 0) << 16, true);
  dv.setUint32(20, s.fdp ?? 0, true);
  return img;
}

/** ST(i) of an image. */
export function regOf(img: Uint8Array, i: number): Reg80 {
  return bytesReg80(img, 28 + 10 * i);
}

/** Human-readable summary of an image (for failure messages). */
export function describeImage(img: Uint8Array): string {
  const dv = new DataView(img.buffer, img.byteOffset, img.length);
  const h = (n: number, w: number) => n.toString(16).padStart(w, "0");
  const regs = [];
  for (let i = 0; i < 8; i++) regs.push(`st${i}=${regOf(img, i)}`);
  return `cw=${h(dv.getUint16(0, true), 4)} sw=${
    h(dv.getUint16(4, true), 4)
  } ` +
    `tw=${h(dv.getUint16(8, true), 4)} fip=${h(dv.getUint32(12, true), 8)} ` +
    `fcs/op=${h(dv.getUint32(16, true), 8)} fdp=${
      h(dv.getUint32(20, true), 8)
    } ` +
    `fds=${h(dv.getUint32(24, true), 8)} ${regs.join(" ")}`;
}
