/**
 * The reference machine for i386 code: which oracle a differential test
 * compares fx86 with. Three layers, best first (docs/testing.md):
 *
 * 1. the native CPU running i386 programs, where the kernel still can;
 * 2. the real CPU through a 64-bit harness (tests/cpu, tests/x87), which
 *    needs only an x86-64 Linux;
 * 3. Debian's qemu-i386 for whole programs and for what 64-bit mode
 *    cannot execute.
 *
 * Whether layer 1 exists is detected once per process by running a tiny
 * i386 program that reports CPUID's vendor and signature: it must run and
 * report this machine's processor (a qemu registered through binfmt_misc
 * would run it too, but reports its own). `FX86_I386=qemu` forces layer 3
 * where layer 1 would serve (to try on a machine that runs i386 code what
 * a machine without it does); `FX86_I386=native` insists on layer 1.
 *
 * A missing reference is a failure with one line saying what to install,
 * never a skip.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { BUILD } from "./paths.ts";
import { hostTool } from "./tools.ts";

/** How i386 programs run on this machine: natively or under qemu-i386. */
export type I386Runner = "native" | "qemu-i386";

let detected: I386Runner | undefined;

/**
 * A 32-bit ELF that writes CPUID leaf 0's vendor (EBX EDX ECX) and leaf 1's
 * EAX (the signature) to stdout and exits 0: 16 bytes.
 */
function probeElf(): Uint8Array {
  const base = 0x08048000, codeAt = 84;
  const code: number[] = [];
  const bufAt = codeAt + 96; // after the code, inside the one RWX segment
  const buf = base + bufAt;
  const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
  code.push(0x31, 0xc0, 0x0f, 0xa2); // xor eax,eax; cpuid
  code.push(0x89, 0x1d, ...u32(buf), 0x89, 0x15, ...u32(buf + 4), 0x89, 0x0d, ...u32(buf + 8));
  code.push(0xb8, ...u32(1), 0x0f, 0xa2, 0xa3, ...u32(buf + 12)); // mov eax,1; cpuid; mov [buf+12],eax
  code.push(0xb8, ...u32(4), 0xbb, ...u32(1), 0xb9, ...u32(buf), 0xba, ...u32(16), 0xcd, 0x80); // write
  code.push(0xb8, ...u32(1), 0x31, 0xdb, 0xcd, 0x80); // exit(0)
  if (code.length > bufAt - codeAt) throw new Error("probe code overlaps its buffer");
  const size = bufAt + 16;
  const elf = new Uint8Array(bufAt);
  const dv = new DataView(elf.buffer);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, 3, true); // EM_386
  dv.setUint32(20, 1, true);
  dv.setUint32(24, base + codeAt, true); // entry
  dv.setUint32(28, 52, true); // phoff
  dv.setUint16(40, 52, true); // ehsize
  dv.setUint16(42, 32, true); // phentsize
  dv.setUint16(44, 1, true); // phnum
  const ph = 52;
  dv.setUint32(ph, 1, true); // PT_LOAD
  dv.setUint32(ph + 8, base, true);
  dv.setUint32(ph + 12, base, true);
  dv.setUint32(ph + 16, bufAt, true); // filesz
  dv.setUint32(ph + 20, size, true); // memsz
  dv.setUint32(ph + 24, 7, true); // RWX
  dv.setUint32(ph + 28, 0x1000, true);
  elf.set(code, codeAt);
  return elf;
}

/** This machine's CPUID vendor and family/model/stepping, from /proc/cpuinfo. */
function hostSignature(): string {
  const info = readFileSync("/proc/cpuinfo", "utf8");
  const field = (name: string) => info.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, "m"))?.[1].trim();
  return `${field("vendor_id")} ${field("cpu family")} ${field("model")} ${field("stepping")}`;
}

function signatureOf(out: Uint8Array): string {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const vendor = new TextDecoder().decode(out.subarray(0, 12));
  const eax = dv.getUint32(12, true);
  const baseFamily = (eax >>> 8) & 0xf;
  const family = baseFamily === 0xf ? baseFamily + ((eax >>> 20) & 0xff) : baseFamily;
  const model = baseFamily === 6 || baseFamily === 0xf ? ((eax >>> 4) & 0xf) | (((eax >>> 16) & 0xf) << 4) : (eax >>> 4) & 0xf;
  return `${vendor} ${family} ${model} ${eax & 0xf}`;
}

/** Whether this machine executes i386 programs itself (checked once, see the module comment). */
function nativeWorks(): { ok: boolean; why: string } {
  mkdirSync(BUILD, { recursive: true });
  const path = join(BUILD, "i386-probe");
  writeFileSync(path, probeElf());
  chmodSync(path, 0o755);
  const r = spawnSync(path, [], { timeout: 30_000 });
  if (r.error) return { ok: false, why: `the kernel refuses i386 programs (${r.error.message})` };
  if (r.status !== 0 || r.stdout.length !== 16) {
    return { ok: false, why: `an i386 program does not run here (status ${r.status}: ${String(r.stderr).trim()})` };
  }
  const got = signatureOf(new Uint8Array(r.stdout)), host = hostSignature();
  if (got !== host) return { ok: false, why: `i386 programs run under an emulator here (CPUID says ${got}, not ${host})` };
  return { ok: true, why: "this kernel runs i386 programs on the CPU" };
}

/**
 * How i386 programs run here: "native" (layer 1) or "qemu-i386" (layer 3),
 * detected once per process and announced on the console.
 *
 * @example
 * if (i386Runner() === "native") console.log("the oracle is this CPU in 32-bit mode");
 */
export function i386Runner(): I386Runner {
  if (detected !== undefined) return detected;
  const forced = process.env.FX86_I386;
  if (forced !== undefined && forced !== "native" && forced !== "qemu") {
    throw new Error(`FX86_I386 must be "native" or "qemu", not "${forced}"`);
  }
  if (forced === "qemu") {
    detected = "qemu-i386";
    console.log("reference: qemu-i386 for i386 programs (FX86_I386=qemu)");
    return detected;
  }
  const native = nativeWorks();
  if (forced === "native" && !native.ok) throw new Error(`FX86_I386=native, but ${native.why}`);
  detected = native.ok ? "native" : "qemu-i386";
  console.log(`reference: ${native.ok ? "the native CPU in 32-bit mode" : "qemu-i386"} for i386 programs (${native.why})`);
  return detected;
}

/** The qemu-i386 binary; throws one line saying what to install if it is missing. */
export function qemuI386(): string {
  return hostTool("qemu-i386", "qemu-user");
}

/**
 * The command line that runs an i386 program on the reference: the program
 * itself, or qemu-i386 with it. `argv0` sets the program's argv[0].
 *
 * @example
 * const [cmd, ...args] = i386Command("tests/.build/busybox", ["echo", "hi"]);
 * spawnSync(cmd, args);
 */
export function i386Command(program: string, args: string[], argv0?: string): string[] {
  if (i386Runner() === "native") {
    return argv0 === undefined ? [program, ...args] : ["bash", "-c", 'a0=$1 p=$2; shift 2; exec -a "$a0" "$p" "$@"', "fx86", argv0, program, ...args];
  }
  return [qemuI386(), ...(argv0 === undefined ? [] : ["-0", argv0]), program, ...args];
}

/**
 * The binfmt_misc rule that makes the kernel run i386 ELF executables
 * through qemu-i386 (preserving argv[0]), with the magic and mask of
 * Debian's qemu-user-binfmt.
 */
const QEMU_I386_BINFMT =
  ":qemu-i386:M::\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x03\\x00:" +
  "\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:/usr/bin/qemu-i386:P";

/** Set once the namespace setup of withI386Exec has been seen to work. */
let i386ExecWorks = false;

/**
 * `command` such that the i386 programs it executes (a shell running
 * pipelines, busybox re-executing itself) run on the reference too: under
 * qemu-i386, qemu cannot follow execve into another i386 program by
 * itself, so the command runs in a private user and mount namespace whose
 * own binfmt_misc (Linux 6.7+) sends i386 executables to qemu-i386. The
 * host's registrations are not touched. Natively, the command as it is.
 *
 * @example
 * spawnSync(withI386Exec(["env", "-i", ...i386Command(busybox, ["sh", "-c", "echo a | wc -c"])])[0], ...);
 */
export function withI386Exec(command: string[]): string[] {
  if (i386Runner() === "native") return command;
  const setup = "mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && " +
    `printf '${QEMU_I386_BINFMT}' > /proc/sys/fs/binfmt_misc/register && exec "$@"`;
  const probe = i386ExecWorks ? undefined : spawnSync("unshare", ["--user", "--map-root-user", "--mount", "--fork", "sh", "-c", setup, "fx86", "true"]);
  if (probe && (probe.error || probe.status !== 0)) {
    throw new Error(
      "the qemu-i386 reference for programs that execute other i386 programs needs " +
        "unshare (util-linux) with user namespaces and binfmt_misc per namespace (Linux 6.7+): " +
        (probe.error?.message ?? probe.stderr.toString().trim()),
    );
  }
  i386ExecWorks = true;
  return ["unshare", "--user", "--map-root-user", "--mount", "--fork", "sh", "-c", setup, "fx86", ...command];
}

/**
 * The output lines compared through the reference: all of them natively;
 * under qemu-i386 without those starting with one of `qemuWrong` (lines
 * qemu gets wrong where a kernel and fx86 agree).
 *
 * @example
 * comparableOutput("a: 1\nb: 2\n", ["b: "]); // "a: 1\n" under qemu-i386
 */
export function comparableOutput(stdout: string, qemuWrong: string[]): string {
  if (i386Runner() === "native") return stdout;
  return stdout.split("\n").filter((line) => !qemuWrong.some((w) => line.startsWith(w))).join("\n");
}
