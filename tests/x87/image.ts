/**
 * Reading 108-byte 32-bit FNSAVE images (the state format the differential
 * test exchanges with the native runner) for failure messages.
 *
 * @example
 * describeImage(state); // "cw=037f sw=3800 tw=3fff fip=... st0=4000c90f..."
 */

/** ST(i) of an image as 20 hex digits (sign/exponent, then significand). */
function regOf(img: Uint8Array, i: number): string {
  let s = "";
  for (let k = 9; k >= 0; k--) {
    s += img[28 + 10 * i + k].toString(16).padStart(2, "0");
  }
  return s;
}

/** Human-readable summary of an image. */
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
