/**
 * What a docker-profile lab machine needs to run kubelet and dockershim's pods, compared with a real
 * host (measured, see LAB-NOTES "A 1.20 cluster in lab machines"). These are the lab's shims, never
 * part of what the roles install:
 * - /dev/kmsg, which nspawn does not create (kubelet's OOM watcher opens it and exits without it);
 * - vm.overcommit_memory, kernel.panic and kernel.panic_on_oops, which kubelet sets and which are
 *   read-only in a container: files holding the values kubelet wants are bound over the three
 *   entries in the machine's own mount namespace (the host's values never change);
 * - a runc wrapper that clamps a container's oom_score_adj to >= 0 (dockershim asks -998 for every
 *   sandbox, which needs CAP_SYS_RESOURCE the machine lacks) and drops capabilities the machine's
 *   bounding set lacks (so `docker run --privileged` works). It sits in /usr/local/sbin, first on
 *   dockerd's and containerd's PATH (drop-ins of the lab's), and runs the real runc.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Run inside the booted machine as root (after every boot: /dev and mounts do not persist). */
export const KUBELET_SHIMS_COMMAND = [
  "[ -e /dev/kmsg ] || mknod -m 600 /dev/kmsg c 1 11",
  "mkdir -p /run/easy-kube-lab/sysctl",
  ...[
    ["vm/overcommit_memory", "1"],
    ["kernel/panic", "10"],
    ["kernel/panic_on_oops", "1"],
  ].map(([key, value]) => {
    const file = `/run/easy-kube-lab/sysctl/${key!.replace("/", ".")}`;
    return `{ grep -q ' /proc/sys/${key} ' /proc/self/mountinfo || { echo ${value} > ${file} && mount --bind ${file} /proc/sys/${key}; }; }`;
  }),
].join(" && ");

export function installRuncWrapper(root: string): void {
  const dir = join(root, "usr/local/sbin");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "runc"), RUNC_WRAPPER);
  chmodSync(join(dir, "runc"), 0o755);
  // The docker-ce role puts its bin_dir first on dockerd's PATH (dockerd finds containerd and runc
  // there, and containerd's shims inherit it); the lab's drop-in puts the wrapper's folder before it.
  // containerd's shims inherit containerd's PATH the same way.
  for (const service of ["docker", "containerd"]) {
    const dropIns = join(root, `etc/systemd/system/${service}.service.d`);
    mkdirSync(dropIns, { recursive: true });
    writeFileSync(
      join(dropIns, "90-easy-kube-lab-runc-wrapper.conf"),
      "# easy-kube lab shim (not on real hosts): runc through /usr/local/sbin/runc.\n[Service]\nEnvironment=\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"\n",
    );
  }
}

const RUNC_WRAPPER = `#!/usr/bin/python3
# easy-kube lab shim (not installed on real hosts): before \`runc create|run\`, clamp the
# container's oom_score_adj to >= 0 and drop capabilities this machine's bounding set lacks,
# then run the real runc with the same arguments.
import json, os, sys

REAL = next((p for p in ("/usr/local/bin/runc", "/usr/bin/runc", "/usr/sbin/runc") if os.access(p, os.X_OK)), None)
if REAL is None:
    sys.exit("easy-kube lab: no runc found in /usr/local/bin, /usr/bin or /usr/sbin")

CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"]


def bounding_set():
    with open("/proc/self/status") as status:
        mask = int(next(l for l in status if l.startswith("CapBnd:")).split()[1], 16)
    return {name for bit, name in enumerate(CAPS) if mask & (1 << bit)}


def bundle_of(args):
    for i, arg in enumerate(args):
        if arg in ("--bundle", "-b") and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--bundle="):
            return arg.split("=", 1)[1]
    return os.getcwd()


args = sys.argv[1:]
if "create" in args or "run" in args:
    path = os.path.join(bundle_of(args), "config.json")
    if os.path.exists(path):
        with open(path) as f:
            config = json.load(f)
        process = config.get("process", {})
        if process.get("oomScoreAdj", 0) < 0:
            process["oomScoreAdj"] = 0
        allowed = bounding_set()
        for kind, caps in process.get("capabilities", {}).items():
            process["capabilities"][kind] = [c for c in caps if c in allowed]
        with open(path + ".tmp", "w") as f:
            json.dump(config, f)
        os.rename(path + ".tmp", path)
os.execv(REAL, [REAL] + args)
`;
