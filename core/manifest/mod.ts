/**
 * YAML manifests (docs/manifest.md): a host tree of guests, sub-guests and
 * files, described in YAML, built into a data tree, run, and checked
 * against expectations.
 *
 * @example
 * import { buildManifest, fx86Vm, loadManifest, reportJson, runManifest } from "./core/manifest/mod.ts";
 * const m = loadManifest(file, text);               // ManifestError: "file:line:col: …"
 * const built = buildManifest(m, { vm: fx86Vm });   // reads the host files it names
 * const result = runManifest(built, { vm: fx86Vm }); // runs, then checks expectations
 * reportJson(result); // { ok, root, guests: [{ path, status, exit_code, instructions, root, children }] }
 */
export { type Location, ManifestError } from "./errors.ts";
export { describePath, type KeyPath, type ManifestSource, parseManifestText } from "./parse.ts";
export { MANIFEST_SCHEMA, validateManifest } from "./validate.ts";
export { loadManifest } from "./load.ts";
export type { Expect, FileEntry, FileExpect, GuestSpec, HostRef, Manifest, StdinSpec } from "./model.ts";
export { budgetValue, MAX_BUDGET } from "./budget.ts";
export { type HostFiles, type HostKind, memoryHostFiles, nodeHostFiles } from "./host.ts";
export { type BuildOptions, buildManifest, type BuiltManifest } from "./build.ts";
export { checkGuestCount, DEFAULT_MAX_GUESTS } from "./guest-limit.ts";
export type { GuestStatus, GuestVm, NewGuest, RunningGuest, RunStop } from "./vm.ts";
export { fx86Vm } from "./vm-fx86.ts";
export { type Check, checkGuest, defaultExpect, describeStatus, expectationTargets, type Target } from "./expect.ts";
export {
  findSubGuests,
  type GuestResult,
  manifestRun,
  type Progress,
  type RunOptions,
  runManifest,
  type RunResult,
  type RunStep,
} from "./run.ts";
export { formatReport, type GuestJson, reportJson, type RunJson } from "./report.ts";
