/**
 * A lab of 3 machines that run containers and kubelet, for one test file: booted (a leftover of
 * an earlier run removed first) and its bundle filled before the file's tests, and removed after
 * them, also when they fail, with the file's inventory folder.
 */
import { afterAll, beforeAll, expect } from "vitest";
import { rmSync } from "node:fs";
import { bundleCommand } from "../../lib/cli/bundle-command.js";
import type { LabConfig } from "../../lib/lab/lab-config.js";
import { labDown, labUp, type LabUpResult } from "../../lib/lab/lab.js";
import { sitePlaybook } from "../../playbooks/site.js";
import type { LabSsh } from "./lab-ssh.js";
import { runCollecting } from "./run.js";

export function clusterLab(config: LabConfig, inventoryDir: string, machines: LabSsh, booted: (lab: LabUpResult) => void, options: { masters?: number; packages?: string[] } = {}): void {
  beforeAll(async () => {
    await labDown(config);
    const lab = await labUp(config, 3, () => {}, { profile: "docker", ...options });
    booted(lab);
    expect(await bundleCommand(["-i", lab.inventoryFile], () => {})).toBe(0);
  }, 1_800_000);

  afterAll(async () => {
    await machines.closeAll();
    await labDown(config);
    rmSync(inventoryDir, { recursive: true, force: true });
  });
}

/** site.ts --check on the lab: it succeeds, and what `probeAll` reads on every machine is as before. */
export async function checkChangesNothing(inventoryFile: string, probeAll: () => Promise<string[]>): Promise<void> {
  const before = await probeAll();
  const checked = await runCollecting(sitePlaybook, inventoryFile, { check: true });
  expect(checked.exitCode, JSON.stringify(checked.results.filter((r) => r.status === "failed"))).toBe(0);
  expect(await probeAll()).toEqual(before);
}
