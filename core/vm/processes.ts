/**
 * The processes of a guest that forked, as its subtree's `procs/`
 * (docs/guest-state.md): `procs/<pid>/cpu`, `procs/<pid>/mem` and
 * `procs/<pid>/os` for every process but the first, whose state stays
 * where a single-process guest keeps it; a thread (by its tid) has cpu/
 * and os (its memory is its process's). A process that has ended and
 * waits for its parent's wait4 has an os only.
 */
import type { Linux } from "../linux/linux.ts";
import { processOsBlob } from "../linux/state.ts";
import { Memory } from "../memory/memory.ts";
import { dirFromEntries, type DirNode, type TreeNode } from "../tree/mod.ts";
import { cpuFromTree, cpuToTree, dirAt, LayoutError, memoryFromTree, memoryToTree } from "./layout.ts";

/**
 * `procs/` for the guest whose first process is `main`; unchanged parts
 * come from `previous` (the last conversion).
 *
 * @example
 * const procs = processesToTree(guest.main, undefined);
 * procs.get("101"); // the first child: cpu/, mem/, os
 */
export function processesToTree(main: Linux, previous: TreeNode | undefined): DirNode {
  const entries: [string, TreeNode][] = [];
  for (const p of main.machine.procs!.values()) {
    if (p === main) continue;
    const name = String(p.pid);
    const old = previous?.kind === "dir" ? previous.get(name) : undefined;
    const oldCpu = old?.kind === "dir" ? old.get("cpu") : undefined;
    entries.push([
      name,
      dirFromEntries({
        os: processOsBlob(p),
        ...(p.cpu ? { cpu: cpuToTree(p.cpu, oldCpu?.kind === "dir" ? oldCpu : undefined) } : {}),
        // A thread's memory is its process's, stored there.
        ...(p.mem && p.tgid === p.pid ? { mem: memoryToTree(p.mem) } : {}),
      }),
    ]);
  }
  return dirFromEntries(entries);
}

/**
 * Gives the processes Linux.fromTree rebuilt from `procs/<pid>/os` their
 * CPUs and memories from the same directories.
 *
 * @example
 * restoreProcesses(linux, tree.get("procs") as DirNode);
 */
export function restoreProcesses(main: Linux, procs: DirNode): void {
  const table = main.machine.procs;
  for (const name of procs.names) {
    const p = table?.get(Number(name));
    if (p === undefined || String(p.pid) !== name) {
      throw new LayoutError(`procs/${name} does not hold the os of process ${name}`);
    }
    const dir = dirAt(procs, name, "procs");
    const cpu = dir.get("cpu"), mem = dir.get("mem");
    const thread = p.tgid !== p.pid;
    if ((cpu === undefined) !== (p.exit !== undefined) || (cpu !== undefined && !thread) !== (mem !== undefined)) {
      throw new LayoutError(`procs/${name} must have cpu/ (and mem/, unless a thread) exactly while it runs`);
    }
    if (cpu === undefined) continue;
    p.cpu = cpuFromTree(dirAt(dir, "cpu", `procs/${name}`));
    if (thread) {
      p.mem = table!.get(p.tgid)!.mem;
    } else {
      p.mem = new Memory();
      memoryFromTree(dirAt(dir, "mem", `procs/${name}`), p.mem);
    }
    p.attach(p.cpu);
  }
}
