/**
 * Framing of the GDB remote serial protocol: `$payload#checksum` packets,
 * `+`/`-` acknowledgements, and the interrupt byte (0x03) gdb sends to stop
 * a running target. Payloads are binary strings (one character per byte,
 * latin1), because some packets carry raw bytes (`X`, vFile replies).
 */

/** What arrived on the connection. */
export type RspEvent =
  | { kind: "packet"; payload: string }
  /** A packet whose checksum was wrong (gdb sends it again after our `-`). */
  | { kind: "bad" }
  | { kind: "interrupt" };

/**
 * Splits the byte stream from gdb into events.
 *
 * @example
 * const r = new RspReader();
 * r.push("+$g#67\x03"); // [{ kind: "packet", payload: "g" }, { kind: "interrupt" }]
 */
export class RspReader {
  private buffer = "";

  /** Adds received bytes (as a latin1 string); returns the complete events they make. */
  push(data: string): RspEvent[] {
    this.buffer += data;
    const out: RspEvent[] = [];
    for (;;) {
      // Acks and noise between packets are skipped; 0x03 is an interrupt.
      let i = 0;
      while (i < this.buffer.length && this.buffer[i] !== "$") {
        if (this.buffer[i] === "\x03") out.push({ kind: "interrupt" });
        i++;
      }
      this.buffer = this.buffer.slice(i);
      const hash = this.buffer.indexOf("#");
      if (this.buffer.length === 0 || hash < 0 || hash + 3 > this.buffer.length) return out;
      const body = this.buffer.slice(1, hash);
      const sum = parseInt(this.buffer.slice(hash + 1, hash + 3), 16);
      this.buffer = this.buffer.slice(hash + 3);
      out.push(checksum(body) === sum ? { kind: "packet", payload: unescape(body) } : { kind: "bad" });
    }
  }
}

/**
 * The modulo-256 sum of a packet body's bytes.
 *
 * @example
 * checksum("OK"); // 0x9a
 */
export function checksum(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum = (sum + body.charCodeAt(i)) & 0xff;
  return sum;
}

/** `}` escapes the next byte XOR 0x20. */
function unescape(body: string): string {
  if (!body.includes("}")) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    out += body[i] === "}" && i + 1 < body.length ? String.fromCharCode(body.charCodeAt(++i) ^ 0x20) : body[i];
  }
  return out;
}

/**
 * A payload framed for sending: escaped (`$`, `#`, `}` and `*`, which would
 * start run-length encoding) and checksummed.
 *
 * @example
 * frame("OK"); // "$OK#9a"
 */
export function frame(payload: string): string {
  const body = payload.replace(/[$#}*]/g, (c) => "}" + String.fromCharCode(c.charCodeAt(0) ^ 0x20));
  return `$${body}#${checksum(body).toString(16).padStart(2, "0")}`;
}

/**
 * Bytes as lowercase hex.
 *
 * @example
 * toHex([0x31, 0xed]); // "31ed"
 */
export function toHex(bytes: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, "0");
  return s;
}

/**
 * Hex back to bytes (an odd or non-hex string throws RangeError).
 *
 * @example
 * fromHex("31ed"); // Uint8Array [0x31, 0xed]
 */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) throw new RangeError(`not hex: ${hex.slice(0, 20)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
