/**
 * containerd on every node whose container_runtime is containerd (the default from Kubernetes
 * 1.24, where kubelet's dockershim is gone): containerd, its runc shim, runc and crictl from the
 * bundle, config.toml by containerd version (cgroup driver from the same variable as kubelet's, the
 * sandbox image the bundle loads, the CNI folders the network roles fill), registry mirrors in
 * certs.d/, crictl's configuration, and the bundle's images imported into the CRI's namespace where
 * missing. A change restarts containerd restart_throttle nodes at a time (one by default); running
 * pods survive it, because each pod's shim is outside containerd's process (KillMode=process).
 */
import { containerdImage, copy, defineRole, file, flushHandlers, restartHandler, systemd, template, waitFor, type VarsOf } from "easy-kube";
import { bundleHasComponent, bundledImages, installFromBundleTask } from "easy-kube/bundle";
import { containerdConfig, registryHosts, registryProblems } from "./config.ts";
import { containerdDefaults } from "./defaults.ts";
import { pruneRegistryHosts } from "./registry-hosts.ts";

const here = import.meta.dirname;
type Vars = VarsOf<typeof containerdDefaults>;

const RESTART = "restart containerd one node at a time";
const configFile = (vars: Vars) => `${vars.containerd_config_dir}/config.toml`;
const certsDir = (vars: Vars) => `${vars.containerd_config_dir}/certs.d`;
/** containerd answers on its socket (the CRI plugin included) once `crictl info` succeeds. */
const answering = (vars: Vars) => waitFor({ command: `${vars.bin_dir}/crictl info >/dev/null`, timeoutSeconds: 60 });

export const containerdRole = defineRole({
  name: "containerd",
  dir: here,
  schema: containerdDefaults,
  checks: [
    bundleHasComponent("containerd"),
    bundleHasComponent("runc"),
    bundleHasComponent("crictl"),
    ({ hosts, vars }) => [...new Set(hosts.filter((h) => vars(h)["install_method"] !== "bundle").map(() => "containerd installs from the bundle only (install_method: bundle)"))],
    ({ hosts, vars }) => [...new Set(hosts.flatMap((h) => registryProblems(vars(h) as Vars).map((p) => `${h}: ${p}`)))],
  ],
  tasks: [
    installFromBundleTask("containerd", { name: "install containerd from the bundle", restarts: [RESTART] }),
    installFromBundleTask("runc", { name: "install runc from the bundle", restarts: [] }),
    installFromBundleTask("crictl", { name: "install crictl from the bundle", restarts: [] }),
    {
      name: "create containerd's and CNI's folders",
      action: ({ vars }) => [vars.containerd_config_dir, certsDir(vars), vars.cni_bin_dir, vars.cni_conf_dir].map((path) => file({ path, state: "directory", mode: "0755" })),
    },
    {
      name: "write containerd's config.toml",
      action: ({ vars }) => copy({ dest: configFile(vars), content: containerdConfig(vars, `${here}/templates`), mode: "0644" }),
      notify: [RESTART],
    },
    {
      // Read at each pull: no restart.
      name: "write the registry hosts (mirrors, insecure registries)",
      action: ({ vars }) => registryHosts(vars).map((h) => copy({ dest: `${certsDir(vars)}/${h.registry}/hosts.toml`, content: h.content, mode: "0644" })),
    },
    {
      name: "remove registry hosts the inventory dropped",
      action: ({ vars }) => pruneRegistryHosts(certsDir(vars), registryHosts(vars).map((h) => h.registry)),
    },
    {
      name: "write the containerd unit",
      action: ({ vars }) =>
        template({ src: `${here}/templates/containerd.service.hbs`, dest: "/etc/systemd/system/containerd.service", mode: "0644", vars: { bin: vars.bin_dir, config: configFile(vars) } }),
      notify: [RESTART],
    },
    {
      name: "write crictl's configuration",
      action: ({ vars }) => template({ src: `${here}/templates/crictl.yaml.hbs`, dest: "/etc/crictl.yaml", mode: "0644", vars: { state: vars.containerd_state } }),
    },
    {
      name: "start containerd",
      action: () => systemd({ name: "containerd", state: "started", enabled: true }),
      register: "containerd_start",
    },
    flushHandlers,
    {
      name: "wait until containerd answers",
      action: ({ vars }) => answering(vars),
    },
    {
      name: "import the bundle's images where missing",
      action: ({ vars }) => bundledImages(vars).map((image) => containerdImage({ archive: image.path, sha256: image.sha256, reference: image.reference, binDir: vars.bin_dir })),
    },
  ],
  handlers: [restartHandler<Vars>({ name: RESTART, service: "containerd", startedBy: "containerd_start", after: ({ vars }) => [answering(vars)] })],
});




export default containerdRole;
