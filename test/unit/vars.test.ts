import { describe, expect, it } from "vitest";
import { interpolateVars } from "../../lib/vars/interpolate.js";
import { closestName, resolveRoleVars } from "../../lib/vars/resolve-role-vars.js";
import { defineSchema, v } from "../../lib/vars/schema.js";

describe("interpolateVars resolves Ansible-style references", () => {
  it("resolves chains, keeps types of whole references and leaves expressions alone", () => {
    const vars = interpolateVars({
      base_dir: "/etc/kubeasz",
      cluster_dir: "{{ base_dir }}/clusters/k8s",
      ca_dir: "{{cluster_dir}}/ssl",
      ports: [1, 2],
      same_ports: "{{ ports }}",
      net: { cidr: "10.0.0.0/8" },
      cidr: "{{ net.cidr }}",
      filtered: "{{ base_dir | default('/x') }}",
      loop_a: "{{ loop_b }}",
      loop_b: "{{ loop_a }}",
    });
    expect(vars["ca_dir"]).toBe("/etc/kubeasz/clusters/k8s/ssl");
    expect(vars["same_ports"]).toEqual([1, 2]);
    expect(vars["cidr"]).toBe("10.0.0.0/8");
    expect(vars["filtered"]).toBe("{{ base_dir | default('/x') }}");
    expect(typeof vars["loop_a"]).toBe("string");
  });
});

describe("typed role variables", () => {
  const schema = defineSchema({
    etcd_port: v.port(2379, "client port"),
    etcd_enabled: v.boolean(true, "on"),
    etcd_dir: v.path("/var/lib/etcd", "data"),
    etcd_cidr: v.cidr("10.254.0.0/16", "cidr"),
    etcd_mode: v.oneOf(["static", "discovery"], "static", "bootstrap"),
    etcd_peers: v.list(v.ip("", "ip"), [], "peers"),
    etcd_token: v.secret(v.string("", "token")),
  });

  it("takes defaults, converts Ansible-style values and reports every problem with its origin", () => {
    const origins = new Map([
      ["etcd_port", "group_vars/etcd.yml:3"],
      ["etcd_dir", "hosts:7"],
    ]);
    const ok = resolveRoleVars(schema, { etcd_port: "2380", etcd_enabled: "no", etcd_peers: ["10.0.0.1"] }, origins, "n1");
    expect(ok.problems).toEqual([]);
    expect(ok.values).toMatchObject({ etcd_port: 2380, etcd_enabled: false, etcd_dir: "/var/lib/etcd", etcd_mode: "static", etcd_peers: ["10.0.0.1"] });

    const bad = resolveRoleVars(
      schema,
      { etcd_port: "http", etcd_dir: "relative/dir", etcd_cidr: "10.0.0.0/33", etcd_mode: "dns", etcd_peers: ["x"], etcd_token: 123 },
      origins,
      "n1",
    );
    expect(bad.problems.map((p) => `${p.where} ${p.message}`)).toEqual([
      'group_vars/etcd.yml:3 etcd_port = "http" must be a port number (1-65535)',
      'hosts:7 etcd_dir = "relative/dir" must be an absolute path',
      'inventory etcd_cidr = "10.0.0.0/33" must be a CIDR such as 10.254.0.0/16',
      'inventory etcd_mode = "dns" must be one of static, discovery',
      'inventory etcd_peers = ["x"] must be a list, each item an IP address',
    ]);
  });

  it("never prints a secret's value, and flags Jinja2 it cannot evaluate", () => {
    const result = resolveRoleVars(schema, { etcd_token: { nested: true }, etcd_dir: "{{ x | default('/a') }}" }, new Map(), "n1");
    expect(result.problems.map((p) => p.message).join("\n")).not.toContain("nested");
    expect(result.problems.map((p) => p.message)).toContain("etcd_token = (secret) must be a string");
    expect(result.problems.map((p) => p.message).some((m) => m.includes("Jinja2"))).toBe(true);
  });

  it("suggests the declared name for a typo", () => {
    expect(closestName("etcd_prot", Object.keys(schema))).toBe("etcd_port");
    expect(closestName("zzzz_unrelated", Object.keys(schema))).toBeUndefined();
  });
});
