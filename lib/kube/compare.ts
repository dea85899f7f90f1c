/**
 * Whether a live object already is what a manifest asks for, comparing only what the manifest
 * sets. A live object carries much the manifest does not: defaulted fields, status, and metadata
 * the server writes; none of that is a difference. Maps compare key by key (the manifest's keys);
 * lists compare as the manifest gives them (same length and order, each item again only on the
 * fields it sets), which is also what a JSON merge patch of the manifest makes of them.
 */
import { isPlainObject } from "./manifests.js";
import { quantitiesEqual, QUANTITY_MAPS } from "./quantity.js";

export interface FieldDifference {
  /** "spec.replicas", "metadata.labels[\"app.kubernetes.io/name\"]", "spec.template.spec.containers[0].image". */
  readonly path: string;
  /** undefined: the live object does not have the field. */
  readonly live: unknown;
  readonly wanted: unknown;
}

export function fieldDifferences(wanted: unknown, live: unknown, path = ""): FieldDifference[] {
  if (isPlainObject(wanted)) {
    if (live === undefined || live === null) return Object.keys(wanted).length === 0 ? [] : [{ path, live, wanted }];
    if (!isPlainObject(live)) return [{ path, live, wanted }];
    return Object.entries(wanted).flatMap(([key, value]) => {
      const childPath = joinPath(path, key);
      if (QUANTITY_MAPS.has(key) && isPlainObject(value) && isPlainObject(live[key])) return quantityDifferences(value, live[key] as Record<string, unknown>, childPath);
      return fieldDifferences(value, live[key], childPath);
    });
  }
  if (Array.isArray(wanted)) {
    if (live === undefined || live === null) return wanted.length === 0 ? [] : [{ path, live, wanted }];
    if (!Array.isArray(live) || live.length !== wanted.length) return [{ path, live, wanted }];
    return wanted.flatMap((item, index) => fieldDifferences(item, live[index], `${path}[${index}]`));
  }
  if (wanted === null) return live === undefined || live === null ? [] : [{ path, live, wanted }];
  // The API leaves out empty values (omitempty): `hostNetwork: false` is stored as nothing.
  if (live === undefined && (wanted === false || wanted === "" || wanted === 0)) return [];
  return wanted === live ? [] : [{ path, live, wanted }];
}

/** Resource amounts: `1000m` is stored as `1`, `1024Mi` as `1Gi`. */
function quantityDifferences(wanted: Record<string, unknown>, live: Record<string, unknown>, path: string): FieldDifference[] {
  return Object.entries(wanted).flatMap(([key, value]) => {
    const childPath = joinPath(path, key);
    const current = live[key];
    if ((typeof value === "string" || typeof value === "number") && (typeof current === "string" || typeof current === "number") && quantitiesEqual(value, current)) return [];
    return fieldDifferences(value, current, childPath);
  });
}

/**
 * The live object cut to the manifest's shape: the fields the manifest sets, as they are live. The
 * diff of this against the manifest shows just what would change, without status and defaults.
 */
export function projectOnto(live: unknown, wanted: unknown): unknown {
  if (isPlainObject(wanted) && isPlainObject(live)) {
    return Object.fromEntries(Object.keys(wanted).filter((key) => key in live).map((key) => [key, projectOnto(live[key], wanted[key])]));
  }
  if (Array.isArray(wanted) && Array.isArray(live)) return live.map((item, index) => (index < wanted.length ? projectOnto(item, wanted[index]) : item));
  return live;
}

/** Dotted path; keys that are not plain identifiers (labels, annotations) in brackets. */
function joinPath(path: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}
