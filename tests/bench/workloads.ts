/**
 * What the benchmark runs (issue 10, point 1): busybox applets on
 * generated input, an awk floating-point loop, zlib's minigzip and a Lua
 * script (programs built from Debian sources), and busybox's start-up.
 * The busybox inputs have the sizes issue 10 measured; awk and lua run
 * long enough for qemu-i386 to take a few tenths of a second.
 * FX86_BENCH_SCALE multiplies them (0.1 for a quick run).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_ENV } from "../../core/vm/guest.ts";
import { pseudoText } from "../support/guests.ts";
import { REPO } from "../support/paths.ts";
import { amd64Build, amd64Busybox } from "./amd64.ts";
import { childCpu } from "./measure.ts";

/** One program run, the same on every system. */
export interface Workload {
  /** What the table shows, sizes included. */
  name: string;
  /** The i386 program that fx86 and qemu-i386 run. */
  i386: string;
  /** The same program built for amd64, from the same sources. */
  amd64: string;
  /** Arguments after argv[0]. */
  args: string[];
  stdin: Uint8Array;
  /** A start-up row: measured as a process only (no warm run), and kept out of the mean of ratios. */
  startUp?: boolean;
  /** The standalone executable to start instead of the runtime and cli/main.ts. */
  binary?: string;
}

/** Debian's busybox for i386, as vendored for the examples (examples/bin/README.md). */
export const I386_BUSYBOX = join(REPO, "examples", "bin", "busybox");
/** zlib's minigzip for i386, built from Debian sources (examples/bin/README.md). */
export const I386_MINIGZIP = join(REPO, "examples", "bin", "minigzip");
/** Lua 5.4's interpreter for i386, built from Debian sources (examples/bin/README.md). */
export const I386_LUA = join(REPO, "examples", "bin", "lua");

const KiB = 1024, MiB = 1024 * KiB;

/** "8 MiB", "819 KiB", "12 B". */
function size(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  return bytes >= KiB ? `${Math.round(bytes / KiB)} KiB` : `${bytes} B`;
}

/**
 * The benchmark's workloads at a scale (1 is the default size), with their
 * inputs generated (deterministically) now.
 *
 * @example
 * for (const w of workloads(0.1)) console.log(w.name); // "md5sum 819 KiB", ...
 */
export function workloads(scale: number): Workload[] {
  const bytes = (n: number) => Math.max(1, Math.round(n * scale));
  const busybox = (name: string, args: string[], stdin: Uint8Array = new Uint8Array(0)): Workload => ({
    name,
    i386: I386_BUSYBOX,
    amd64: amd64Busybox(),
    args,
    stdin,
  });
  const text = (n: number) => pseudoText(bytes(n));
  const gunzipText = text(8 * MiB);
  // gunzip's input is busybox gzip's output, made by the fast build.
  const gzipped = childCpu([amd64Busybox(), "gzip", "-c"], { env: DEFAULT_ENV, stdin: gunzipText }).stdout;
  const loops = bytes(20_000);
  // busybox-static has no awk math functions (sin, sqrt): the loop uses the
  // four operations, on the x87 in the i386 build and SSE2 in the amd64 one.
  const awk = `BEGIN{for(i=0;i<${loops};i++){s+=(i%2?-4:4)/(2*i+1); x=i*0.001; t+=x*x/(1+x)}; printf "%.9f %.6f\\n", s, t}`;
  const rounds = bytes(30_000);
  return [
    busybox(`md5sum ${size(bytes(8 * MiB))}`, ["md5sum"], text(8 * MiB)),
    busybox(`sha256sum ${size(bytes(8 * MiB))}`, ["sha256sum"], text(8 * MiB)),
    busybox(`gzip -c ${size(bytes(8 * MiB))}`, ["gzip", "-c"], text(8 * MiB)),
    busybox(`gunzip -c ${size(gunzipText.length)}`, ["gunzip", "-c"], gzipped),
    busybox(`bzip2 -c ${size(bytes(2 * MiB))}`, ["bzip2", "-c"], text(2 * MiB)),
    busybox(`sort ${size(bytes(2 * MiB))}`, ["sort"], text(2 * MiB)),
    busybox(`awk float loop ${loops}`, ["awk", awk]),
    // minigzip with no file compresses stdin to stdout.
    { name: `minigzip ${size(bytes(8 * MiB))}`, i386: I386_MINIGZIP, amd64: amd64Build("minigzip"), args: [], stdin: text(8 * MiB) },
    // `lua -` runs the script read from stdin; its argument is arg[1].
    {
      name: `lua cpu.lua ${rounds}`,
      i386: I386_LUA,
      amd64: amd64Build("lua"),
      args: ["-", String(rounds)],
      stdin: new Uint8Array(readFileSync(join(REPO, "tests", "bench", "cpu.lua"))),
    },
    { ...busybox("start-up: busybox true", ["true"]), startUp: true },
  ];
}
