/**
 * What the roles render for the guide's three-host cluster, kept as files under
 * test/fixtures/rendered/ and reviewed like code: a change to a template or to the values derived
 * from the inventory (peer list, endpoints) shows up as a diff of these files.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { renderTemplate } from "../../lib/ops/render-template.js";
import type { InventoryView } from "../../lib/runner/types.js";
import type { Vars } from "../../lib/inventory/model.js";
import type { Schema } from "../../lib/vars/schema.js";
import { resolveRoleVars } from "../../lib/vars/resolve-role-vars.js";
import { daemonConfig } from "../../roles/docker-ce/daemon-config.js";
import { dockerDefaults } from "../../roles/docker-ce/defaults.js";
import { etcdDefaults } from "../../roles/etcd/defaults.js";
import { execStart } from "../../roles/etcd/exec-start.js";
import { clientEndpoints, initialCluster } from "../../roles/etcd/members.js";

const hosts: Record<string, Vars> = {
  etcd1: { ansible_host: "192.168.1.21" },
  etcd2: { ansible_host: "192.168.1.22", etcd_name: "infra2" },
  etcd3: { ansible_host: "192.168.1.23", etcd_peer_port: 12380 },
};
const inventory: InventoryView = { groupHosts: () => Object.keys(hosts), hostVars: (h) => hosts[h]!, groupNames: () => ["etcd"] };

function typed(schema: Schema, host: string, vars: Vars = {}): Vars {
  const { values, problems } = resolveRoleVars(schema, { ...hosts[host], ...vars }, new Map(), host);
  expect(problems).toEqual([]);
  return { ...hosts[host], ...vars, ...values };
}

const rendered = (name: string) => join(import.meta.dirname, "../fixtures/rendered", name);
const roles = join(import.meta.dirname, "../../roles");

describe("rendered for the guide's cluster", () => {
  it("peers and endpoints come from the inventory", () => {
    expect(initialCluster(inventory)).toBe("etcd1=https://192.168.1.21:2380,infra2=https://192.168.1.22:2380,etcd3=https://192.168.1.23:12380");
    expect(clientEndpoints(inventory)).toBe("https://192.168.1.21:2379,https://192.168.1.22:2379,https://192.168.1.23:2379");
  });

  it("etcd.service, static bootstrap", async () => {
    const vars = typed(etcdDefaults, "etcd1", { etcd_extra_flags: { "heartbeat-interval": 250 } });
    const unit = renderTemplate(join(roles, "etcd/templates/etcd.service.hbs"), { ...vars, name: "etcd1", exec_start: execStart(vars, "etcd1", false, initialCluster(inventory)), discovery_env_file: "" });
    await expect(unit).toMatchFileSnapshot(rendered("etcd-static.service"));
  });

  it("etcd.service, discovery bootstrap from OS packages", async () => {
    const vars = typed(etcdDefaults, "etcd2", { install_method: "packages", etcd_bootstrap: "discovery" });
    const unit = renderTemplate(join(roles, "etcd/templates/etcd.service.hbs"), { ...vars, name: "infra2", exec_start: execStart(vars, "etcd2", true, initialCluster(inventory)), discovery_env_file: "/etc/etcd/discovery.env" });
    await expect(unit).toMatchFileSnapshot(rendered("etcd-discovery.service"));
  });

  it("docker.service and daemon.json: the guide's Docker 17.12, and devicemapper direct-lvm", async () => {
    const vars = typed(dockerDefaults, "etcd1");
    await expect(renderTemplate(join(roles, "docker-ce/templates/docker.service.hbs"), { ...vars, bin: vars["bin_dir"] })).toMatchFileSnapshot(rendered("docker.service"));
    await expect(daemonConfig(vars as never)).toMatchFileSnapshot(rendered("daemon-overlay2-17.12.json"));
    const dm = typed(dockerDefaults, "etcd1", { docker_storage_driver: "devicemapper", docker_dm_directlvm_device: "/dev/vda5", docker_version: "20.10.24", docker_registry_mirrors: ["https://mirror.example.com"], docker_insecure_registries: ["registry.example.com:5000"], cgroup_driver: "systemd" });
    await expect(daemonConfig(dm as never)).toMatchFileSnapshot(rendered("daemon-devicemapper.json"));
  });
});
