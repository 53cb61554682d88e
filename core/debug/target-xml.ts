/**
 * The target description gdb reads with `qXfer:features:read:target.xml`:
 * an i386 with the registers of core/debug/registers.ts (general, segment,
 * x87), EFLAGS as named flags so `info registers` shows them as gdb does
 * natively. Extended with XMM registers once the CPU has them.
 */
import { GDB_REGISTERS } from "./registers.ts";

const FLAGS: [string, number][] = [
  ["CF", 0], ["", 1], ["PF", 2], ["AF", 4], ["ZF", 6], ["SF", 7], ["TF", 8], ["IF", 9], ["DF", 10], ["OF", 11],
  ["NT", 14], ["RF", 16], ["VM", 17], ["AC", 18], ["VIF", 19], ["VIP", 20], ["ID", 21],
];

function typeOf(name: string): string {
  if (name === "esp" || name === "ebp") return "data_ptr";
  if (name === "eip") return "code_ptr";
  if (name === "eflags") return "i386_eflags";
  if (name.startsWith("st")) return "i387_ext";
  return "int32";
}

/**
 * target.xml, as one string.
 *
 * @example
 * targetXml().includes('<architecture>i386</architecture>'); // true
 */
export function targetXml(): string {
  const flags = FLAGS.map(([name, bit]) => `    <field name="${name}" start="${bit}" end="${bit}"/>`).join("\n");
  const regs = GDB_REGISTERS.map((name) => {
    const bits = name.startsWith("st") ? 80 : 32;
    const group = /^(st|f)/.test(name) ? ' group="float"' : "";
    return `  <reg name="${name}" bitsize="${bits}" type="${typeOf(name)}"${group}/>`;
  }).join("\n");
  return `<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
<architecture>i386</architecture>
<osabi>GNU/Linux</osabi>
<feature name="org.gnu.gdb.i386.core">
  <flags id="i386_eflags" size="4">
${flags}
  </flags>
${regs}
</feature>
</target>
`;
}
