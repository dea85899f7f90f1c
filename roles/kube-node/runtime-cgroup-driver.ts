/**
 * The container runtime places containers in the cgroup hierarchy kubelet expects (cgroup_driver),
 * read from the running runtime: Docker's `docker info`, containerd's CRI configuration through
 * `crictl info` (the runc runtime's SystemdCgroup). A runtime not running yet (a dry run before
 * its stage) is not judged.
 */
import { command, shellQuote, type ContainerRuntime, type Operation } from "easy-kube";

export function runtimeCgroupDriverCheck(runtime: ContainerRuntime, cgroupDriver: string, binDir: string): Operation {
  const read =
    runtime === "docker"
      ? "if command -v docker >/dev/null && docker info >/dev/null 2>&1; then docker info --format '{{.CgroupDriver}}'; fi"
      : `if [ -x ${shellQuote(`${binDir}/crictl`)} ] && ${shellQuote(`${binDir}/crictl`)} info >/dev/null 2>&1; then ${shellQuote(`${binDir}/crictl`)} info -o json; fi`;
  return command({ cmd: read, readOnly: true, failedWhen: (r) => r.rc !== 0 || !agrees(runtime, r.stdout, cgroupDriver) });
}

/** Whether the runtime's answer (empty: not running) agrees with kubelet's driver. */
export function agrees(runtime: ContainerRuntime, output: string, cgroupDriver: string): boolean {
  if (output.trim() === "") return true;
  if (runtime === "docker") return output.trim() === cgroupDriver;
  let info: { config?: { containerd?: { runtimes?: { runc?: { options?: { SystemdCgroup?: unknown } } } } } };
  try {
    info = JSON.parse(output);
  } catch {
    return false;
  }
  const runc = info.config?.containerd?.runtimes?.runc;
  // No runc runtime in the answer: not the layout this reads, so not taken as agreement.
  if (!runc) return false;
  return (cgroupDriver === "systemd") === (runc.options?.SystemdCgroup === true);
}
