/** struct rusage as the guest sees it: user time only (fx86 spends no system time on its behalf). */
import { Struct } from "../abi.ts";
import { sinceStart } from "../clock.ts";

/**
 * A 72-byte i386 struct rusage whose ru_utime is `instructions` at 10^9 a
 * second, everything else zero.
 *
 * @example
 * usage(1_500_000_000).write(mem, addr); // ru_utime = 1 s 500000 µs
 */
export function usage(instructions: number): Struct {
  const t = sinceStart(instructions);
  return new Struct(72).u32(0, t.sec).u32(4, Math.floor(t.nsec / 1000));
}
