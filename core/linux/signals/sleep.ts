/**
 * Sleeping while a timer is armed. Guest time passes only by running
 * (clock.ts), so a sleep returns at once without moving the clock — unless
 * a timer fires before the sleep would end: then the guest waits for it
 * (timers.ts), and a signal caught by a handler interrupts the sleep with
 * EINTR, the time left going to `rem` as Linux does. While it waits, the
 * wake-up time is kept in the thread's record (`sleepUntil`, like Linux's
 * restart block), so that the retried call keeps it.
 *
 * @example
 * // nanosleep(req, rem): the handler of an alarm due within `req` interrupts it
 * return sleepUntil(s, s.k.now + ns, (left) => writeTimespec(rem, left));
 */
import { EAX } from "../../cpu/state.ts";
import { Blocked } from "../errno.ts";
import type { Call } from "../syscalls/types.ts";
import { interruptWait, records } from "./deliver.ts";
import { nextWakeup } from "./timers.ts";

/**
 * Sleeps until instruction count `end` as described above; `interrupted`
 * gets the nanoseconds left when a signal ends the sleep early. Returns
 * the call's result (0, or -EINTR).
 *
 * @example
 * sleepUntil(s, s.k.now + 1e9, (left) => console.log(left)); // a one-second sleep
 */
export function sleepUntil(s: Call, end: number, interrupted: (left: number) => void): number {
  const { thread } = records(s.k);
  const until = thread.sleepUntil ?? end;
  const result = interruptWait(s.k, s.c, s.c.r[EAX] >>> 0);
  if (result !== undefined) {
    delete thread.sleepUntil;
    interrupted(Math.max(0, until - s.k.now));
    return result;
  }
  if (nextWakeup(s.k) <= until) {
    thread.sleepUntil = until;
    throw new Blocked("sleeping until a timer fires");
  }
  delete thread.sleepUntil;
  return 0;
}
