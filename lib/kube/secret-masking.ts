/**
 * A Secret's values never reach the output: in diffs every value is replaced by a marker that says
 * only whether it changes, so a reader sees which keys change but not what they hold; change lines
 * name the key only.
 */
import { isPlainObject } from "./manifests.js";

const UNCHANGED = "(secret, unchanged)";
const SECRET_FIELDS = ["data", "stringData"];

export function isSecretKind(kind: unknown): boolean {
  return kind === "Secret";
}

/** Whether a field path holds a Secret's value ("data.token", "data[\"ca.crt\"]", "data"). */
export function isSecretValuePath(path: string): boolean {
  return SECRET_FIELDS.some((field) => path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`));
}

/**
 * Before and after of a Secret with its values replaced: "(secret, unchanged)" where both hold the
 * same value, "(secret, before)" / "(secret, after)" where it changes, "(secret, new)" for a new key.
 */
export function maskSecretPair(before: unknown, after: unknown): { before: unknown; after: unknown } {
  if (!isPlainObject(after)) return { before, after };
  const maskedBefore = isPlainObject(before) ? { ...before } : before;
  const maskedAfter: Record<string, unknown> = { ...after };
  for (const field of SECRET_FIELDS) {
    const old = isPlainObject(before) && isPlainObject(before[field]) ? (before[field] as Record<string, unknown>) : undefined;
    const now = isPlainObject(after[field]) ? (after[field] as Record<string, unknown>) : undefined;
    const same = (key: string) => !!old && !!now && key in old && key in now && old[key] === now[key];
    if (now) maskedAfter[field] = Object.fromEntries(Object.keys(now).map((key) => [key, same(key) ? UNCHANGED : old && key in old ? "(secret, after)" : "(secret, new)"]));
    if (old && isPlainObject(maskedBefore)) maskedBefore[field] = Object.fromEntries(Object.keys(old).map((key) => [key, same(key) ? UNCHANGED : "(secret, before)"]));
  }
  return { before: maskedBefore, after: maskedAfter };
}
