/** What the lab needs from this machine, checked first so a user is told exactly what to do. */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { EasyKubeError } from "../errors.js";

const TOOLS: Record<string, string> = {
  "systemd-nspawn": "systemd-container",
  debootstrap: "debootstrap",
  ip: "iproute2",
  iptables: "iptables",
  "ssh-keygen": "openssh-client",
};

export function labPreflight(): void {
  if (process.getuid?.() !== 0) throw new EasyKubeError("the lab boots machines with systemd-nspawn and needs root: run it with sudo (or as root)");
  const missing = Object.entries(TOOLS).filter(([tool]) => !commandExists(tool));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map(([, p]) => p))].join(" ");
    throw new EasyKubeError(`the lab needs ${missing.map(([t]) => t).join(", ")}: install them with  apt-get install -y ${packages}`);
  }
  if (!readFileSync("/proc/filesystems", "utf8").includes("overlay")) {
    throw new EasyKubeError("the lab needs overlayfs support in the kernel (no 'overlay' in /proc/filesystems)");
  }
  if (!existsSync("/sys/fs/cgroup")) throw new EasyKubeError("the lab needs cgroups mounted at /sys/fs/cgroup");
}

function commandExists(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
