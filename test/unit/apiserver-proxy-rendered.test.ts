/**
 * haproxy's configuration for the guide's two masters (inventory/prod) with 1.7.11 and 1.20.2, kept
 * under test/fixtures/rendered/ and reviewed like code (the lab proves it with haproxy itself:
 * test/e2e/multi-master.test.ts).
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadInventory } from "../../lib/inventory/load.js";
import { renderTemplate } from "../../lib/ops/render-template.js";
import type { InventoryView } from "../../lib/runner/types.js";
import { resolveRoleVars } from "../../lib/vars/resolve-role-vars.js";
import { apiserverProxyDefaults } from "../../roles/apiserver-proxy/defaults.js";
import { haproxyConfigVars } from "../../roles/apiserver-proxy/index.js";

const root = join(import.meta.dirname, "../..");
const prod = loadInventory([join(root, "inventory/prod")]);
const view: InventoryView = { groupHosts: (g) => prod.groupHosts(g), hostVars: (h) => prod.hostVars(h).vars, groupNames: (h) => prod.groupNames(h) };

function typed(host: string, extra: Record<string, unknown>) {
  const raw = { ...prod.hostVars(host).vars, ...extra };
  const { values, problems } = resolveRoleVars(apiserverProxyDefaults, raw, new Map(), host);
  expect(problems).toEqual([]);
  return { ...raw, ...values } as Parameters<typeof haproxyConfigVars>[0];
}

describe("apiserver-proxy's haproxy.cfg", () => {
  for (const version of ["1.7.11", "1.20.2"]) {
    it(`${version}: kept as a reviewed file`, async () => {
      const rendered = renderTemplate(join(root, "roles/apiserver-proxy/templates/haproxy.cfg.hbs"), haproxyConfigVars(typed("node01", { kube_version: version }), view));
      await expect(rendered).toMatchFileSnapshot(join(root, "test/fixtures/rendered", `haproxy-${version}.cfg`));
    });
  }

  it("balances over every master, on 127.0.0.1 only, checking readiness where the version has it", () => {
    const rendered = renderTemplate(join(root, "roles/apiserver-proxy/templates/haproxy.cfg.hbs"), haproxyConfigVars(typed("node01", { kube_version: "1.20.2" }), view));
    expect(rendered.match(/^\s*bind .*$/gm)).toEqual(["    bind 127.0.0.1:8443"]);
    const checks = "check check-ssl verify required ca-file /etc/kubernetes/ssl/ca.pem inter 2s fall 2 rise 2";
    expect(rendered.match(/^\s*server .*$/gm)?.map((l) => l.trim())).toEqual([`server master1 192.168.1.11:6443 ${checks}`, `server master2 192.168.1.12:6443 ${checks}`]);
    // haproxy before 1.8 (CentOS 7, Debian 9) refuses check options on default-server.
    expect(rendered).not.toMatch(/^\s*default-server/m);
    expect(rendered).toContain("option httpchk GET /readyz");
    expect(renderTemplate(join(root, "roles/apiserver-proxy/templates/haproxy.cfg.hbs"), haproxyConfigVars(typed("node01", { kube_version: "1.7.11" }), view))).toContain("option httpchk GET /healthz");
  });

  it("writes every backend's port (443 too) and IPv6 addresses in brackets", () => {
    const masters: InventoryView = { ...view, groupHosts: (g) => (g === "kube_master" ? ["m1", "m2"] : view.groupHosts(g)), hostVars: (h) => ({ m1: { ansible_host: "fd00::11" }, m2: { ansible_host: "10.0.0.12" } })[h as "m1"] ?? view.hostVars(h) };
    const rendered = renderTemplate(join(root, "roles/apiserver-proxy/templates/haproxy.cfg.hbs"), haproxyConfigVars(typed("node01", { kube_version: "1.20.2", kube_apiserver_port: 443 }), masters));
    expect(rendered.match(/^\s*server (\S+) (\S+)/gm)?.map((l) => l.trim())).toEqual(["server m1 [fd00::11]:443", "server m2 10.0.0.12:443"]);
  });
});
