/**
 * Step 3 of the guide: an etcd cluster with client and peer TLS (the PKI's etcd CA and etcd
 * certificate; client certificates of the etcd CA required), bootstrapped from a static member
 * list or a discovery URL, checked healthy with etcdctl. A configuration change restarts members
 * one at a time, each only while the whole cluster is healthy, so the cluster keeps its quorum.
 */
import { join } from "node:path";
import { defineRole, file, onlyOnGroup, packages, requireFiles, restartHandler, systemd, template, waitFor, type VarsOf } from "easy-kube";
import { bundleHasComponent, installFromBundleTask } from "easy-kube/bundle";
import { etcdDefaults } from "./defaults.ts";
import { ETCD_CLIENT_FILES, ETCD_MEMBER_FILES } from "easy-kube/pki";
import { DISCOVERY_ENV_FILE, discoveryEnvironment } from "./discovery-environment.ts";
import { discoveryUrl } from "./discovery-url.ts";
import { clientEndpoints, clientPort, etcdctl, initialCluster, memberAddress, memberName } from "./members.ts";
import { timingProblems } from "./timing.ts";
import { binDir, execStart } from "./exec-start.ts";
import { startMember } from "./start-member.ts";

const here = import.meta.dirname;
const RESTART = "restart etcd one member at a time";

export const etcdRole = defineRole({
  name: "etcd",
  dir: here,
  schema: etcdDefaults,
  checks: [
    onlyOnGroup("etcd"),
    ({ inventory }) => {
      const members = inventory.groupHosts("etcd");
      const problems: string[] = [];
      if (members.length % 2 === 0) problems.push(`the etcd group has ${members.length} members (${members.join(", ")}); an odd number keeps a majority when one fails (3 tolerates 1 failure, 4 too)`);
      const names = members.map((h) => memberName(h, inventory.hostVars(h)));
      const repeated = names.filter((n, i) => names.indexOf(n) !== i);
      if (repeated.length > 0) problems.push(`etcd member names must be unique: ${[...new Set(repeated)].join(", ")} repeated`);
      return problems;
    },
    ({ hosts, vars }) => [...new Set(hosts.flatMap((h) => timingProblems(vars(h)["etcd_extra_flags"] as Record<string, string | number>).map((p) => `${h}: ${p}`)))],
    bundleHasComponent("etcd"),
  ],
  tasks: [
    {
      name: "create the data folder",
      action: ({ vars }) => file({ path: vars.etcd_data_dir, state: "directory", mode: "0700", owner: "root", group: "root" }),
    },
    {
      name: "check the TLS files are in place",
      action: ({ vars }) =>
        requireFiles(
          [...new Set([...Object.values(ETCD_MEMBER_FILES), ...Object.values(ETCD_CLIENT_FILES)])].map((f) => `${vars.etcd_ssl_dir}/${f}`),
          "they come from the PKI: run playbooks/pki.ts (site.ts runs it before etcd)",
        ),
    },
    {
      name: "mint or recall the discovery URL",
      when: ({ vars }) => vars.etcd_bootstrap === "discovery",
      runOnce: true,
      delegateTo: "localhost",
      action: ({ vars, inventory }) =>
        discoveryUrl({
          stateFile: vars.etcd_discovery_state || join(String(vars["inventory_dir"] ?? "."), ".easy-kube", "etcd-discovery.json"),
          service: vars.etcd_discovery_service,
          size: inventory.groupHosts("etcd").length,
          renew: vars.etcd_discovery_renew,
          given: vars.etcd_discovery_url,
        }),
      register: "etcd_discovery",
    },
    {
      name: "keep the discovery URL in a root-only environment file",
      action: ({ vars, results }) => discoveryEnvironment(vars.etcd_bootstrap === "discovery" ? String(results["etcd_discovery"]?.data["url"]) : undefined),
      notify: ["restart etcd one member at a time"],
    },
    {
      name: "write the etcd unit",
      action: ({ vars, host, inventory }) => {
        const discovery = vars.etcd_bootstrap === "discovery";
        return template({
          src: `${here}/templates/etcd.service.hbs`,
          dest: "/etc/systemd/system/etcd.service",
          mode: "0644",
          vars: { ...vars, name: memberName(host, vars), exec_start: execStart(vars, host, discovery, initialCluster(inventory)), discovery_env_file: discovery ? DISCOVERY_ENV_FILE : "" },
        });
      },
      notify: [RESTART],
    },
    // A new etcd version runs only once the member restarted.
    installFromBundleTask("etcd", { name: "install etcd and etcdctl from the bundle", restarts: [RESTART] }),
    {
      // After the unit: a package that starts etcd when installed (Debian's) starts this member.
      name: "install etcd from OS packages",
      when: ({ vars }) => vars.install_method === "packages",
      action: ({ facts }) => packages({ names: facts.osFamily === "Debian" ? ["etcd-server", "etcd-client"] : ["etcd"], updateCache: true }),
    },
    {
      name: "start etcd",
      action: ({ vars }) => startMember({ dataDir: vars.etcd_data_dir, discovery: vars.etcd_bootstrap === "discovery" }),
      register: "etcd_start",
    },
    {
      name: "enable etcd at boot",
      action: () => systemd({ name: "etcd", enabled: true }),
    },
    {
      name: "wait until this member is healthy",
      action: ({ vars, host }) =>
        waitFor({
          command: etcdctl({ bin: binDir(vars), etcd_ssl_dir: vars.etcd_ssl_dir }, `https://${memberAddress(host, vars)}:${clientPort(vars)}`, "endpoint health"),
          timeoutSeconds: vars.etcd_health_timeout,
        }),
    },
  ],
  handlers: [
    // Not for members this run just started (they already run the new configuration and program);
    // one at a time, each only while the whole cluster is healthy, so the quorum holds.
    restartHandler<VarsOf<typeof etcdDefaults>>({
      name: RESTART,
      service: "etcd",
      startedBy: "etcd_start",
      throttle: 1,
      before: ({ vars, inventory }) => [
        waitFor({ command: etcdctl({ bin: binDir(vars), etcd_ssl_dir: vars.etcd_ssl_dir }, clientEndpoints(inventory), "endpoint health"), timeoutSeconds: vars.etcd_health_timeout }),
      ],
      after: ({ vars, host }) => [
        waitFor({
          command: etcdctl({ bin: binDir(vars), etcd_ssl_dir: vars.etcd_ssl_dir }, `https://${memberAddress(host, vars)}:${clientPort(vars)}`, "endpoint health"),
          timeoutSeconds: vars.etcd_health_timeout,
        }),
      ],
    }),
  ],
});

export default etcdRole;
