/**
 * A store writer for the crash and concurrency tests: runs busybox gzip
 * over a large input in steps and saves a snapshot after every step (a new
 * guest when one finishes), printing `NAME ROOT` for each saved snapshot.
 * Each snapshot also carries `scratch/`: 64 fresh random 4 KiB blobs, so
 * most of the writer's time goes to writing objects, where kills should land.
 *
 * Usage: writer.ts STORE PREFIX COUNT
 */
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { Store } from "../../core/store/mod.ts";
import { blob, dirFromEntries } from "../../core/tree/mod.ts";
import { Guest } from "../../core/vm/guest.ts";
import { busybox, pseudoText } from "../support/guests.ts";

const [dir, prefix, count] = process.argv.slice(process.argv.length - 3);
const store = Store.open(dir, { write: true });
const program = busybox();
const text = pseudoText(200_000, 7);

function fresh(): Guest {
  const fs = new FileSystem();
  fs.writeFile("/in.txt", text);
  return Guest.fromElf({ program, argv: ["busybox", "gzip", "-c", "/in.txt"], fs });
}

let guest = fresh();
for (let i = 0; i < Number(count); i++) {
  if (guest.run(100_000).status !== "budget") guest = fresh();
  const scratch = dirFromEntries(
    Array.from({ length: 64 }, (_, j) => [String(j), blob(crypto.getRandomValues(new Uint8Array(4096)))]),
  );
  const tree = guest.toTree().with("scratch", scratch);
  store.putTree(tree);
  const name = `${prefix}-${i}`;
  store.putSnapshot(name, {
    root: tree.hash,
    origin: null,
    start: null,
    budget_used: 100_000,
    instructions: guest.instructions,
    status: guest.status.status,
    time_ms: 0,
    runtime: "Bun" in globalThis ? "bun" : "deno",
    created: new Date().toISOString(),
  });
  process.stdout.write(`${name} ${tree.hash}\n`);
}
