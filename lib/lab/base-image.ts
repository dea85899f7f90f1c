/**
 * The lab machines' shared root filesystem: Debian with systemd, sshd and sudo, debootstrap'd once
 * into the cache and used read-only as every machine's lower overlay layer. It has no SSH host keys
 * and an empty machine-id, so each machine makes its own at first boot. The folder name carries the
 * recipe version: a changed recipe builds a new base beside the old one instead of altering a layer
 * running machines use.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync, openSync, closeSync } from "node:fs";
import { join } from "node:path";
import { EasyKubeError } from "../errors.js";
import { LAB_USER, type LabConfig } from "./lab-config.js";

const RECIPE_VERSION = 4;
const PACKAGES = [
  "systemd", "systemd-sysv", "dbus", "openssh-server", "iproute2", "iptables", "procps", "sudo", "python3",
  "iputils-ping", "ca-certificates", "curl", "kmod", "libpam-systemd", "netcat-openbsd",
];

export function basePath(config: LabConfig): string {
  return join(config.cacheDir, `base-${config.suite}-v${RECIPE_VERSION}`);
}

/** Builds the base unless it is cached; returns its path. */
export function ensureBaseImage(config: LabConfig, log: (line: string) => void): string {
  const path = basePath(config);
  if (existsSync(join(path, ".easy-kube-base"))) return path;
  mkdirSync(config.cacheDir, { recursive: true });
  const building = `${path}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const logFile = join(config.cacheDir, "debootstrap.log");
  log(`building the lab's base system (Debian ${config.suite}, once; about 1-2 minutes; log: ${logFile})`);
  const fd = openSync(logFile, "w");
  const result = spawnSync(
    "debootstrap",
    ["--variant=minbase", `--include=${PACKAGES.join(",")}`, config.suite, building, config.mirror],
    { stdio: ["ignore", fd, fd] },
  );
  closeSync(fd);
  if (result.status !== 0) {
    rmSync(building, { recursive: true, force: true });
    throw new EasyKubeError(`debootstrap failed (exit ${result.status}); see ${logFile}. Is ${config.mirror} reachable?`);
  }
  customise(building);
  renameSync(building, path);
  return path;
}

function customise(root: string): void {
  const inRoot = (...args: string[]) => execFileSync("chroot", [root, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  inRoot("useradd", "--create-home", "--shell", "/bin/bash", LAB_USER);
  writeFileSync(join(root, "etc/sudoers.d", LAB_USER), `${LAB_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  inRoot("systemctl", "enable", "systemd-networkd");
  // Background jobs a short-lived test machine does not need, and which would compete with tests.
  inRoot("systemctl", "mask", "apt-daily.timer", "apt-daily-upgrade.timer", "e2scrub_all.timer", "fstrim.timer");
  execFileSync("sh", ["-c", `rm -f ${root}/etc/ssh/ssh_host_*`]);
  mkdirSync(join(root, "etc/systemd/system/ssh.service.d"), { recursive: true });
  // Debian's unit checks the config (`sshd -t`) first, which fails without keys: make them before it.
  writeFileSync(
    join(root, "etc/systemd/system/ssh.service.d/easy-kube-host-keys.conf"),
    "[Service]\nExecStartPre=\nExecStartPre=/usr/bin/ssh-keygen -A\nExecStartPre=/usr/sbin/sshd -t\n",
  );
  writeFileSync(
    join(root, "etc/ssh/sshd_config.d/easy-kube-lab.conf"),
    "PermitRootLogin prohibit-password\nPasswordAuthentication no\nUseDNS no\nMaxStartups 100\n",
  );
  // The machines cannot reach any mirror (their network is private): no sources, so that apt
  // fails at once instead of waiting on timeouts, and uses only the sources a play adds.
  rmSync(join(root, "etc/apt/sources.list"), { force: true });
  execFileSync("sh", ["-c", `rm -f ${root}/etc/apt/sources.list.d/* ${root}/var/cache/apt/archives/*.deb ${root}/var/lib/apt/lists/*_Packages`]);
  // debootstrap copied this host's resolver, unreachable from the lab: without one, a lookup
  // (sudo resolving a renamed host, for one) fails at once instead of waiting on timeouts.
  writeFileSync(join(root, "etc/resolv.conf"), "# The lab network has no name server; names are in /etc/hosts.\n");
  writeFileSync(join(root, "etc/machine-id"), "");
  rmSync(join(root, "var/lib/dbus/machine-id"), { force: true });
  writeFileSync(join(root, ".easy-kube-base"), `recipe ${RECIPE_VERSION}\n`);
}
