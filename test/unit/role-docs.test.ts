/** Every role's README lists each of its variables with the default the code really has. */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pkiDefaults } from "../../roles/pki/defaults.js";
import { sampleDefaults } from "../../roles/sample/defaults.js";
import { prepareDefaults } from "../../roles/prepare/defaults.js";
import { etcdDefaults } from "../../roles/etcd/defaults.js";
import { dockerDefaults } from "../../roles/docker-ce/defaults.js";
import { kubeMasterDefaults } from "../../roles/kube-master/defaults.js";
import { hostRoutesDefaults } from "../../roles/host-routes/defaults.js";
import { kubeNodeDefaults } from "../../roles/kube-node/defaults.js";
import { apiserverProxyDefaults } from "../../roles/apiserver-proxy/defaults.js";
import { containerdDefaults } from "../../roles/containerd/defaults.js";
import type { Schema } from "../../lib/vars/schema.js";

const roles: Record<string, Schema> = { sample: sampleDefaults, pki: pkiDefaults, prepare: prepareDefaults, etcd: etcdDefaults, "docker-ce": dockerDefaults, "kube-master": kubeMasterDefaults, "host-routes": hostRoutesDefaults, "kube-node": kubeNodeDefaults, "apiserver-proxy": apiserverProxyDefaults, containerd: containerdDefaults };

describe("role READMEs document every variable and its default", () => {
  for (const [role, schema] of Object.entries(roles)) {
    it(role, () => {
      const readme = readFileSync(join(import.meta.dirname, "../../roles", role, "README.md"), "utf8");
      for (const [name, spec] of Object.entries(schema)) {
        const shown = typeof spec.default === "string" ? `\`${spec.default === "" ? '""' : spec.default}\`` : `\`${JSON.stringify(spec.default)}\``;
        expect(readme, `${name} in roles/${role}/README.md`).toContain(`| \`${name}\` | ${shown} |`);
      }
    });
  }
});
