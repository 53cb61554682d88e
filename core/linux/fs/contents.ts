import type { FileNode } from "./node.ts";

/**
 * Regular-file contents. Programs write files in small pieces, so the
 * buffer grows geometrically and `size` says how much of it is the file.
 *
 * The first `shared` bytes of the buffer may belong to immutable tree blobs
 * (see FileNode), so every change below that mark copies the buffer first;
 * appending past it writes in place. Only FileSystem calls the changing
 * functions here: it also invalidates the cached trees above the file.
 */

/** Copies `len` bytes from `offset` (fewer at end of file). */
export function readAt(f: FileNode, offset: number, len: number): Uint8Array {
  const end = Math.min(f.size, offset + len);
  return offset >= end ? new Uint8Array(0) : f.data.slice(offset, end);
}

/** Gives the file a private buffer (with room for `room` bytes) if bytes below `from` are shared. */
function unshare(f: FileNode, from: number, room = f.size): void {
  if (from >= f.shared) return;
  const own = new Uint8Array(Math.max(room, f.size, 64));
  own.set(f.data.subarray(0, f.size));
  f.data = own;
  f.shared = 0;
}

/**
 * Writes `bytes` at `offset`, growing the file (with zeros in any gap).
 *
 * @example
 * writeAt(file, file.size, bytes); // append
 */
export function writeAt(f: FileNode, offset: number, bytes: Uint8Array): void {
  const end = offset + bytes.length;
  unshare(f, offset, end);
  if (end > f.size) resize(f, end);
  f.data.set(bytes, offset);
}

/** Sets the file's size: cuts it, or extends it with zeros. */
export function resize(f: FileNode, size: number): void {
  if (size > f.data.length) {
    const grown = new Uint8Array(Math.max(size, f.data.length * 2, 64));
    grown.set(f.data.subarray(0, f.size));
    f.data = grown;
    f.shared = 0;
  } else if (size < f.size) {
    unshare(f, size);
    f.data.fill(0, size, f.size);
  }
  f.size = size;
}

/** Makes `bytes` the whole contents; the file takes ownership of the array. */
export function replace(f: FileNode, bytes: Uint8Array): void {
  f.data = bytes;
  f.size = bytes.length;
  f.shared = 0;
}

/** The file's bytes, without spare room (a copy). */
export function contents(f: FileNode): Uint8Array {
  return f.data.slice(0, f.size);
}
