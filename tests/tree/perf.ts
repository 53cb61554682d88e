/**
 * Prints the performance figures quoted in docs/tree.md. Not a test (timings
 * vary by machine); run with
 *   npx deno run -A tests/tree/perf.ts
 *   npx bun tests/tree/perf.ts
 */
import {
  blob,
  diff,
  dirFromEntries,
  type DirNode,
  encode,
  get,
  intern,
  set,
} from "../../core/tree/mod.ts";

const PAGE = 4096;
const names = Array.from(
  { length: 1024 },
  (_, i) => i.toString(16).padStart(3, "0"),
);

/** Mean time per call of `fn` in microseconds, over `n` calls after a warm-up. */
function measure(n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 100); i++) fn(i);
  const start = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return ((performance.now() - start) / n) * 1000;
}

function report(what: string, us: number) {
  const figure = us >= 1000
    ? `${(us / 1000).toFixed(1)} ms`
    : `${us.toFixed(1)} µs`;
  console.log(`${what.padEnd(58)} ${figure}`);
}

const runtime = "Bun" in globalThis ? "bun" : "deno";
console.log(`core/tree performance (${runtime})`);

const pages = Array.from(
  { length: 256 },
  (_, i) => new Uint8Array(PAGE).fill(i),
);
report(
  "hash a 4 KiB blob",
  measure(20000, (i) => void blob(pages[i & 255]).digest),
);

const zero = blob(new Uint8Array(PAGE));
const level = dirFromEntries(names.map((n) => [n, zero]));
const unhashed = Array.from(
  { length: 2100 },
  () => dirFromEntries(names.map((n) => [n, zero])),
);
report(
  "hash a 1024-entry directory (children hashed)",
  measure(2000, (i) => void unhashed[i].digest),
);
report(
  "build a 1024-entry directory (dirFromEntries)",
  measure(2000, () => void dirFromEntries(names.map((n) => [n, zero]))),
);

let start = performance.now();
const root: DirNode = dirFromEntries(
  names.map((hi) => [hi, dirFromEntries(names.map((lo) => [lo, zero]))]),
);
report(
  "build the 1 GiB radix (1024 x 1024, 1025 directories)",
  (performance.now() - start) * 1000,
);
start = performance.now();
void root.hash;
report(
  "hash the 1 GiB radix from scratch (zero pages)",
  (performance.now() - start) * 1000,
);

let current = root;
report(
  "set one page in the 1 GiB radix",
  measure(20000, (i) => {
    current = set(
      current,
      [names[i & 1023], names[(i * 7) & 1023]],
      blob(pages[i & 255]),
    );
  }),
);
current = root;
report(
  "set one page and re-hash the root",
  measure(5000, (i) => {
    current = set(
      current,
      [names[i & 1023], names[(i * 7) & 1023]],
      blob(pages[i & 255]),
    );
    void current.digest;
  }),
);
const one = set(root, ["0a3", "1ff"], blob(pages[1]));
report(
  "diff two 1 GiB snapshots differing in one page",
  measure(2000, () => void [...diff(root, one)]),
);
intern(root);
report(
  "intern a 1 GiB snapshot after one page changed",
  measure(
    2000,
    (i) =>
      void intern(
        set(
          root,
          [names[i & 1023], "1ff"],
          blob(new Uint8Array(PAGE).fill(i & 255 | 1)),
        ),
      ),
  ),
);
report(
  "encode a 1024-entry directory",
  measure(2000, () => void encode(level)),
);
report(
  "lookup of a page by path (get)",
  measure(
    200000,
    (i) => void get(root, [names[i & 1023], names[(i >> 10) & 1023]]),
  ),
);
