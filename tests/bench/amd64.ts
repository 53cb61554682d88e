/**
 * The amd64 build of the busybox that fx86 runs: Debian's busybox-static
 * for amd64, fetched into tests/.build/ the first time (as tests/prepare.sh
 * fetches the i386 one), so the benchmark can say how far an emulator is
 * from the same program compiled for this CPU.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILD } from "../support/paths.ts";

export const AMD64_BUSYBOX = join(BUILD, "busybox-amd64");

/**
 * The path of the amd64 busybox, downloaded with `apt-get download
 * busybox-static:amd64` and unpacked with dpkg-deb if it is not there yet;
 * throws one line if that fails.
 *
 * @example
 * childCpu([amd64Busybox(), "true"], { env: [] }).status; // 0
 */
export function amd64Busybox(): string {
  if (existsSync(AMD64_BUSYBOX)) return AMD64_BUSYBOX;
  const tmp = mkdtempSync(join(tmpdir(), "fx86-busybox-amd64-"));
  try {
    execFileSync("apt-get", ["download", "busybox-static:amd64"], { cwd: tmp, stdio: ["ignore", "pipe", "pipe"] });
    const deb = readdirSync(tmp).find((f) => f.endsWith("_amd64.deb"));
    if (deb === undefined) throw new Error("no .deb was downloaded");
    execFileSync("dpkg-deb", ["-x", join(tmp, deb), join(tmp, "x")], { stdio: ["ignore", "pipe", "pipe"] });
    mkdirSync(BUILD, { recursive: true });
    copyFileSync(join(tmp, "x", "bin", "busybox"), AMD64_BUSYBOX);
    return AMD64_BUSYBOX;
  } catch (e) {
    const why = String((e as { stderr?: unknown }).stderr ?? (e as Error).message).trim().split("\n").pop();
    throw new Error(`${AMD64_BUSYBOX} is missing and apt-get download busybox-static:amd64 failed: ${why}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The version banner compiled into a busybox binary, read from its bytes
 * (so an i386 one needs no emulator).
 *
 * @example
 * busyboxVersion(amd64Busybox()); // "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1)"
 */
export function busyboxVersion(path: string): string {
  const text = new TextDecoder("latin1").decode(readFileSync(path));
  const banner = text.match(/BusyBox v[^\0]*?\)/)?.[0];
  if (banner === undefined) throw new Error(`${path}: no BusyBox version banner`);
  return banner;
}
