/**
 * A stand-in VM for unit tests of the manifest code: guest subtrees with the
 * real layout's shape (cpu/, mem/, status, fs/, stdout, …) whose "program"
 * is a little JSON script instead of i386 code. Fast, and independent of
 * the engine, so these tests pin down the manifest's own logic.
 *
 * A program is the bytes `FAKE` followed by JSON:
 *   { "steps": n,                 instructions until it stops (default 10)
 *     "stdout": "…",              written when it stops; "$@" = argv[1..] joined by spaces
 *     "stderr": "…",
 *     "exit": code,               exit status (default 0)
 *     "fault": "page",            fault instead of exiting
 *     "write": {"/path": "text"}, files it writes into its own file tree
 *     "run": [["/guests/x", budget]] sub-guests it runs (charged to it)
 *   }
 */
import { blob, type BlobNode, dirFromEntries, type DirNode, get, set, type TreeNode } from "../../core/tree/mod.ts";
import type { GuestStatus, GuestVm, NewGuest, RunningGuest, RunStop } from "../../core/manifest/mod.ts";

interface Script {
  steps?: number;
  stdout?: string;
  stderr?: string;
  exit?: number;
  fault?: string;
  write?: Record<string, string>;
  run?: [string, number][];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A fake program's bytes. */
export function fakeProgram(script: Script): Uint8Array {
  return enc.encode("FAKE" + JSON.stringify(script));
}

function json(v: unknown): BlobNode {
  return blob(JSON.stringify(v));
}

function readJson<T>(tree: DirNode, path: string): T {
  return JSON.parse(dec.decode((get(tree, path) as BlobNode).bytes)) as T;
}

class FakeGuest implements RunningGuest {
  constructor(private tree: DirNode) {}

  get instructions(): number {
    return readJson<GuestStatus>(this.tree, "status").instructions;
  }

  run(budget: number): RunStop {
    const t = this.tree;
    const status = readJson<GuestStatus>(t, "status");
    if (status.status === "exited" || status.status === "fault") {
      return { status: status.status, exitCode: status.exit_code, retired: 0 };
    }
    const script = readJson<Script>(t, "cpu/script");
    const pc = readJson<number>(t, "cpu/pc");
    const steps = script.steps ?? 10;
    const n = Math.min(budget, steps - pc);
    let charged = status.instructions + n;
    let tree = set(t, "cpu/pc", json(pc + n));
    if (pc + n < steps) {
      this.tree = set(tree, "status", json({ ...status, status: "budget", instructions: charged }));
      return { status: "budget", exitCode: null, retired: n };
    }
    const argv = readJson<string[]>(t, "cpu/argv");
    const out = (s: string) => s.replaceAll("$@", argv.slice(1).join(" "));
    let fs = tree.get("fs") as DirNode;
    for (const [path, budget] of script.run ?? []) {
      const child = new FakeGuest(get(fs, path) as DirNode);
      const stop = child.run(budget);
      charged += stop.retired;
      fs = set(fs, path, child.toTree());
    }
    for (const [path, text] of Object.entries(script.write ?? {})) fs = set(fs, path, blob(text), { parents: true });
    tree = set(tree, "fs", fs);
    tree = set(tree, "stdout", blob(out(script.stdout ?? "")));
    tree = set(tree, "stderr", blob(out(script.stderr ?? "")));
    const final: GuestStatus = script.fault
      ? { status: "fault", exit_code: null, instructions: charged, fault: { kind: script.fault, eip: 0x8048000, address: 0, detail: "fake" } }
      : { status: "exited", exit_code: script.exit ?? 0, instructions: charged };
    this.tree = set(tree, "status", json(final));
    return { status: final.status, exitCode: final.exit_code, retired: charged - status.instructions };
  }

  toTree(): DirNode {
    return this.tree;
  }
}

/** Calls made to the fake, for tests that check how it is driven. */
export const fakeCalls = { runs: [] as number[] };

/** The stand-in VM. */
export const fakeVm: GuestVm = {
  newGuestTree(o: NewGuest): DirNode {
    const text = dec.decode(o.program);
    if (!text.startsWith("FAKE")) throw new Error("not an ELF file (bad magic number).");
    return dirFromEntries({
      cpu: dirFromEntries({
        script: blob(text.slice(4)),
        pc: json(0),
        argv: json(o.argv),
        env: json(o.env ?? null),
        seed: json(o.seed ?? null),
      }),
      mem: dirFromEntries({}),
      fs: o.fs ?? dirFromEntries({}),
      stdin: blob(o.stdin ?? new Uint8Array(0)),
      stdout: blob(""),
      stderr: blob(""),
      status: json({ status: "new", exit_code: null, instructions: 0 }),
    });
  },
  fromTree(tree: DirNode): RunningGuest {
    const g = new FakeGuest(tree);
    return {
      get instructions() {
        return g.instructions;
      },
      run(budget: number) {
        fakeCalls.runs.push(budget);
        return g.run(budget);
      },
      toTree: () => g.toTree(),
    };
  },
  isGuestTree(node: TreeNode): boolean {
    return node.kind === "dir" && node.get("cpu")?.kind === "dir" && node.get("status")?.kind === "blob";
  },
  readStatus(tree: DirNode): GuestStatus {
    return readJson<GuestStatus>(tree, "status");
  },
};
