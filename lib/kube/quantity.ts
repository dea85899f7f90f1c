/**
 * Kubernetes resource quantities ("100m", "1Gi", "2e3"), compared by amount: the server stores them
 * canonically, so `cpu: 1000m` comes back as `1` and `memory: 1024Mi` as `1Gi`.
 */

/** Maps whose values are quantities (resources.limits/requests, ResourceQuota, LimitRange, Node). */
export const QUANTITY_MAPS: ReadonlySet<string> = new Set(["limits", "requests", "hard", "capacity", "allocatable", "default", "defaultRequest", "max", "min", "maxLimitRequestRatio"]);

const SUFFIXES: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The amount a quantity stands for, or undefined when the text is not a quantity. */
export function quantityValue(quantity: string | number): number | undefined {
  if (typeof quantity === "number") return quantity;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(quantity.trim());
  if (!match) return undefined;
  const number = Number(match[1]);
  if (match[2]) return number * 10 ** Number(match[2].slice(1));
  return number * SUFFIXES[match[3] ?? ""]!;
}

export function quantitiesEqual(a: string | number, b: string | number): boolean {
  const x = quantityValue(a);
  const y = quantityValue(b);
  if (x === undefined || y === undefined) return a === b;
  return x === y || Math.abs(x - y) <= 1e-12 * Math.max(Math.abs(x), Math.abs(y));
}
