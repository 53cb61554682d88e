/**
 * Reading `ar` archives, the container of Debian packages (deb(5)): a
 * `!<arch>\n` magic, then members, each a 60-byte header (name, …, size in
 * decimal at 48, "`\n" at 58) followed by its bytes, padded to even length.
 */

/** One member of an archive. */
export interface ArMember {
  name: string;
  data: Uint8Array;
}

const MAGIC = "!<arch>\n";
const HEADER = 60;

/**
 * The members of an ar archive; throws Error with a one-line message if it
 * is not one.
 *
 * @example
 * readAr(debBytes).map((m) => m.name); // ["debian-binary", "control.tar.xz", "data.tar.xz"]
 */
export function readAr(bytes: Uint8Array): ArMember[] {
  const text = (from: number, len: number) => String.fromCharCode(...bytes.subarray(from, from + len));
  if (bytes.length < MAGIC.length || text(0, MAGIC.length) !== MAGIC) throw new Error("not an ar archive");
  const members: ArMember[] = [];
  let at = MAGIC.length;
  while (at < bytes.length) {
    if (at + HEADER > bytes.length || text(at + 58, 2) !== "`\n") {
      throw new Error(`truncated or corrupt ar member header at byte ${at}`);
    }
    const name = text(at, 16).trimEnd().replace(/\/$/, "");
    const size = Number(text(at + 48, 10).trim());
    if (!Number.isInteger(size) || size < 0 || at + HEADER + size > bytes.length) {
      throw new Error(`ar member ${JSON.stringify(name)} has a bad size`);
    }
    members.push({ name, data: bytes.subarray(at + HEADER, at + HEADER + size) });
    at += HEADER + size + (size & 1);
  }
  return members;
}
