/** Symbol tables of test programs, read by binutils' nm (an oracle fx86 did not write). */
import { spawnSync } from "node:child_process";
import { hostTool } from "./tools.ts";

/**
 * The text (function) symbols of the ELF file `exe` and their addresses,
 * as nm lists them.
 *
 * @example
 * const main = functionSymbols("examples/bin/cjpeg").get("main");
 */
export function functionSymbols(exe: string): Map<string, number> {
  const r = spawnSync(hostTool("nm", "binutils"), [exe], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.error || r.status !== 0) throw new Error(`nm ${exe} failed: ${r.stderr ?? r.error}`);
  const symbols = new Map<string, number>();
  for (const line of r.stdout.split("\n")) {
    const [address, kind, name] = line.split(" ");
    if (name && (kind === "T" || kind === "t")) symbols.set(name, parseInt(address, 16));
  }
  return symbols;
}

/**
 * The address of the function `symbol` in `exe`; throws if it has none.
 *
 * @example
 * bps.addAddress("", symbolAddress(exe, "__memchr_sse2"));
 */
export function symbolAddress(exe: string, symbol: string): number {
  const address = functionSymbols(exe).get(symbol);
  if (address === undefined) throw new Error(`${symbol} is not in ${exe}`);
  return address;
}
