/**
 * The amd64 builds of the programs that fx86 runs, made in tests/.build/
 * the first time, so the benchmark can say how far an emulator is from the
 * same program compiled for this CPU: Debian's busybox-static for amd64
 * (as tests/prepare.sh fetches the i386 one), and minigzip and lua built
 * from Debian sources by scripts/build-bench-guests.sh (which built the
 * vendored i386 ones).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILD, REPO } from "../support/paths.ts";

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
 * The path of the amd64 build of `program`, made with
 * `scripts/build-bench-guests.sh tests/.build amd64` (from apt-get source)
 * if it is not there yet; throws one line if that fails.
 *
 * @example
 * new TextDecoder().decode(childCpu([amd64Build("lua"), "-e", "print(6 * 7)"], { env: [] }).stdout); // "42\n"
 */
export function amd64Build(program: "minigzip" | "lua"): string {
  const path = join(BUILD, `${program}-amd64`);
  if (existsSync(path)) return path;
  const script = join(REPO, "scripts", "build-bench-guests.sh");
  const r = spawnSync(script, [BUILD, "amd64"], { encoding: "utf8" });
  if (r.status !== 0 || !existsSync(path)) {
    const why = (r.error?.message ?? r.stderr).trim().split("\n").pop();
    throw new Error(`${path} is missing and ${script} ${BUILD} amd64 failed: ${why}`);
  }
  return path;
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
