/** A ShellView as a session would give it, and a scripted backend, for component tests. */
import type { CommandOutput, ExecuteOptions, ShellView } from "../../core/session/view.ts";
import type { ShellBackend } from "../../cli/shell/backend.ts";

/** A three-level nesting stopped inside the sub-sub-guest, just after a step. */
export function nestedView(): ShellView {
  const names = ["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp", "eip", "eflags"];
  return {
    guests: [
      { id: "nest", label: "nest", depth: 0, status: "running", exitCode: null, instructions: 1234567, budget: 100_000_000, budgetLeft: 98_765_433, active: false },
      { id: "nest/fs/child", label: "/child", depth: 1, status: "running", exitCode: null, instructions: 700000, budget: 700000, budgetLeft: 350000, active: false },
      { id: "nest/fs/child/fs/child", label: "/child", depth: 2, status: "running", exitCode: null, instructions: 4242, budget: 400000, budgetLeft: 395758, active: true },
    ],
    selected: "nest/fs/child/fs/child",
    registers: names.map((name, i) => ({ name, value: 0x1000 * i + 7, changed: name === "eax" || name === "eip" })),
    flags: [
      { name: "cf", set: false, changed: false },
      { name: "zf", set: true, changed: true },
      { name: "sf", set: false, changed: false },
      { name: "of", set: false, changed: false },
    ],
    vectors: [
      { name: "mxcsr", dwords: [0x1fa0], changed: true },
      ...[...Array(8).keys()].map((n) => ({
        name: `xmm${n}`,
        dwords: n === 1 ? [0x3ff00000, 0, 0xdeadbeef, 7] : [0, 0, 0, n],
        changed: n === 1,
      })),
    ],
    disasm: [0, 2, 5, 7, 10].map((off, i) => ({
      address: 0x08049000 + off,
      bytes: "89 d8",
      text: ["mov eax, ebx", "add eax, 1", "int 0x80", "nop", "ret"][i],
      current: i === 2,
      breakpoint: i === 3,
      label: "",
      targetLabel: "",
    })),
    memory: [{ address: 0x0804a000, bytes: [...[...Array(15).keys()].map((b) => 0x41 + b), null] }],
    treePath: "",
    tree: [
      { name: "child", kind: "dir", size: 4, guest: true },
      { name: "bin", kind: "dir", size: 1, guest: false },
      { name: "stdout", kind: "blob", size: 120, guest: false },
    ],
    timeline: { position: 4242, end: 10000, checkpoints: [0, 5000] },
    output: "[0] level 0 of 3\n  [1] level 1 of 3\n",
    breakpoints: ["1 address 0x08049007 in nest/fs/child/fs/child"],
    lastStop: "breakpoint 2: RUN entry of nest/fs/child/fs/child",
    progress: null,
  };
}

/** A backend that records command lines and answers from a script. */
export class ScriptedBackend implements ShellBackend {
  lines: string[] = [];
  constructor(
    public current: ShellView,
    private answer: (line: string, opts?: ExecuteOptions) => Promise<CommandOutput> | CommandOutput,
    private completions: (line: string) => string[] = () => [],
  ) {}
  async execute(line: string, opts?: ExecuteOptions): Promise<CommandOutput> {
    this.lines.push(line);
    return await this.answer(line, opts);
  }
  view(): ShellView {
    return this.current;
  }
  complete(line: string): string[] {
    return this.completions(line);
  }
}
