/**
 * Boots the end-to-end lab (3 machines, its own bridge and subnet, separate from a user's lab)
 * once for the e2e suite, and always removes it afterwards, also when tests or the boot fail.
 */
import type { TestProject } from "vitest/node";
import { mkdtempSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labConfig, type LabConfig } from "../../lib/lab/lab-config.js";
import { labDown, labUp } from "../../lib/lab/lab.js";

export default async function setup(project: TestProject) {
  const inventoryDir = mkdtempSync(join(tmpdir(), "ek-e2e-inventory-"));
  // The committed lab group_vars apply to the e2e lab too.
  cpSync(join(import.meta.dirname, "../../inventory/lab-docker/group_vars"), join(inventoryDir, "group_vars"), { recursive: true });
  const config = labConfig("e2e", inventoryDir);
  await labDown(config);
  try {
    const started = Date.now();
    const lab = await labUp(config, 3, (line) => process.stderr.write(`lab: ${line}\n`));
    process.stderr.write(`lab: e2e machines up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    project.provide("lab", { config, inventoryFile: lab.inventoryFile, machines: lab.machines.map((m) => ({ name: m.name, address: m.address, root: m.root })) });
  } catch (error) {
    await labDown(config);
    throw error;
  }
  return () => labDown(config);
}

declare module "vitest" {
  export interface ProvidedContext {
    lab: { config: LabConfig; inventoryFile: string; machines: { name: string; address: string; root: string }[] };
  }
}
