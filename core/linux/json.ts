import { compareNames } from "../tree/mod.ts";

/**
 * Canonical JSON for the state blobs (fsmeta, os): no white space, object
 * keys in ascending order of their UTF-8 bytes (the tree's name order, so
 * the order does not depend on how an object was built, nor on JavaScript's
 * rule that integer-like keys come first), numbers as JSON.stringify writes
 * them. Equal values give equal bytes on every runtime.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null], "10": "x", "9": "y" });
 * // '{"10":"x","9":"y","a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new Error(`not a JSON number: ${value}`);
      return JSON.stringify(value);
    case "string":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        return `[${value.map((v) => canonicalJson(v ?? null)).join(",")}]`;
      }
      const keys = Object.keys(value as object)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort(compareNames);
      return `{${
        keys.map((k) =>
          `${JSON.stringify(k)}:${
            canonicalJson((value as Record<string, unknown>)[k])
          }`
        ).join(",")
      }}`;
    }
    default:
      throw new Error(`not a JSON value: ${typeof value}`);
  }
}

/**
 * A JSON object from pre-serialised members, keys in canonical order.
 *
 * @example
 * jsonObject([["b", "1"], ["a", "[]"]]); // '{"a":[],"b":1}'
 */
export function jsonObject(members: [string, string][]): string {
  members.sort((x, y) => compareNames(x[0], y[0]));
  return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`;
}

/** The error for a state blob that is not what fx86 writes (bad JSON, wrong types, broken references). */
export class GuestStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GuestStateError";
  }
}
