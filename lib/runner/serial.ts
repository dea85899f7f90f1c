/** Splits a play's hosts into batches as Ansible's `serial` does (numbers, percentages, lists). */
import { EasyKubeError } from "../errors.js";

export function serialBatches(hosts: readonly string[], serial: number | string | readonly (number | string)[] | undefined): string[][] {
  if (serial === undefined || hosts.length === 0) return [hosts.slice()];
  const sizes = (Array.isArray(serial) ? serial : [serial]).map((s) => batchSize(s, hosts.length));
  const batches: string[][] = [];
  let index = 0;
  let step = 0;
  while (index < hosts.length) {
    // The last size repeats until every host is in a batch.
    const size = sizes[Math.min(step++, sizes.length - 1)]!;
    batches.push(hosts.slice(index, index + size));
    index += size;
  }
  return batches;
}

function batchSize(value: number | string, total: number): number {
  if (typeof value === "number" || /^\d+$/.test(value)) {
    const n = Number(value);
    if (n <= 0) return total;
    return n;
  }
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (!percent) throw new EasyKubeError(`serial '${value}' must be a number or a percentage like "30%"`);
  return Math.max(1, Math.floor((total * Number(percent[1])) / 100));
}
