/**
 * Timings of the file system's data-tree paths (docs/linux.md quotes them):
 * `npx deno run -A tests/linux/treeperf.ts`, `npx bun tests/linux/treeperf.ts`.
 */
import { blob, dirFromEntries, treeFromPaths } from "../../core/tree/mod.ts";
import { FileSystem } from "../../core/linux/fs/filesystem.ts";
import { fsMeta } from "../../core/linux/fs/meta.ts";
import { Linux } from "../../core/linux/linux.ts";
import { linuxToTree } from "../../core/linux/state.ts";
import { O_APPEND, O_WRONLY } from "../../core/linux/files.ts";
import { Sys } from "./sys.ts";

function time(what: string, n: number, f: () => unknown): void {
  f();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  const us = ((performance.now() - t0) / n) * 1000;
  console.log(`${what.padEnd(64)} ${us < 10 ? us.toFixed(2) : us.toFixed(0)} µs`);
}

const files = dirFromEntries(
  Array.from({ length: 10_000 }, (_, i) => [`f${i}`, blob(`file ${i}\n`)]),
);
const tree = treeFromPaths([["data", files], ["etc/hostname", blob("fx86\n")]]);

time("setTree of a 10 000-file tree", 1000, () => new FileSystem().setTree("/t", tree));
{
  const fs = new FileSystem();
  fs.setTree("/t", tree);
  fs.find("/t/data/f1");
  time("getTree of the unchanged tree (10 000 materialised files)", 100_000, () => fs.getTree("/"));
}
time("materialise a 10 000-entry directory (first lookup)", 20, () => {
  const fs = new FileSystem();
  fs.setTree("/t", tree);
  fs.find("/t/data/f1");
});
{
  const s = new Sys();
  s.fs.setTree("/t", tree);
  s.fs.find("/t/data/f1");
  const fd = s.open("/t/etc/hostname", O_WRONLY | O_APPEND);
  linuxToTree(s.k);
  console.log(`fsmeta of 10 000 materialised files with default metadata: ${fsMeta(s.fs).size} bytes`);
  time("linuxToTree, nothing changed", 10_000, () => linuxToTree(s.k));
  time("linuxToTree after appending to /t/etc/hostname (+ hashing)", 200, () => {
    s.write(fd, "x");
    linuxToTree(s.k).fs.hash;
  });
  time("linuxToTree after writing /t/data/f5 (+ hashing)", 50, () => {
    s.write(s.open("/t/data/f5", O_WRONLY), "y");
    s.call("close", 3 + 1);
    linuxToTree(s.k).fs.hash;
  });
  const parts = linuxToTree(s.k);
  time("Linux.fromTree of that guest (10 000 records in fsmeta)", 20, () => Linux.fromTree(parts));
}
{
  const s = new Sys();
  s.fs.setTree("/t", tree);
  const parts = linuxToTree(s.k);
  time("Linux.fromTree of a guest with the tree still lazy", 1000, () => Linux.fromTree(parts));
}
