/**
 * System facts (Ansible's setup module, the parts roles use): OS family, distribution and version,
 * architecture, kernel, host name, addresses and interfaces, memory, CPUs and init system, read
 * with one shell script in one round trip.
 */
import { EasyKubeError } from "../errors.js";
import { defineFact } from "./fact.js";

export interface NetworkInterface {
  readonly name: string;
  readonly ipv4: string[];
  readonly ipv6: string[];
}

export interface HostFacts {
  /** "Debian" (Debian, Ubuntu), "RedHat" (CentOS, RHEL, Rocky, Alma, Fedora), or the os-release ID. */
  readonly osFamily: string;
  /** os-release ID, e.g. "debian", "centos", "ubuntu". */
  readonly distribution: string;
  /** os-release VERSION_ID, e.g. "12", "7". */
  readonly distributionVersion: string;
  readonly distributionMajorVersion: number;
  /** os-release VERSION_CODENAME, e.g. "bookworm", "jammy" ("" where there is none, as on CentOS 7). */
  readonly codename: string;
  readonly prettyName: string;
  /** uname -m, e.g. "x86_64", "aarch64". */
  readonly architecture: string;
  /** Go/Kubernetes name of the architecture: "amd64", "arm64". */
  readonly goArch: string;
  readonly kernel: string;
  readonly hostname: string;
  readonly fqdn: string;
  readonly cpus: number;
  readonly memoryMb: number;
  /** "systemd" when systemd is PID 1. */
  readonly initSystem: string;
  /** Address of the interface holding the default route, or the first global address. */
  readonly defaultIpv4: string | undefined;
  readonly interfaces: NetworkInterface[];
  readonly allIpv4: string[];
  /**
   * The cgroup hierarchy the kernel runs: 2 when /sys/fs/cgroup is cgroup2 (unified), 1 for v1 and
   * hybrid (tmpfs there, controllers on v1). Kubelet refuses v1 from 1.35 unless told.
   */
  readonly cgroupVersion: 1 | 2;
  /**
   * The resolv.conf that names the host's real DNS servers: /run/systemd/resolve/resolv.conf where
   * /etc/resolv.conf points at systemd-resolved's stub (127.0.0.53, which pods cannot reach: the
   * forwarding loop users report), else /etc/resolv.conf.
   */
  readonly upstreamResolvConf: string;
}

const SCRIPT = String.raw`
. /etc/os-release 2>/dev/null
echo "id=$ID"
echo "id_like=$ID_LIKE"
echo "version_id=$VERSION_ID"
echo "codename=$VERSION_CODENAME"
echo "pretty=$PRETTY_NAME"
echo "arch=$(uname -m)"
echo "kernel=$(uname -r)"
echo "hostname=$(hostname)"
echo "fqdn=$(hostname -f 2>/dev/null || hostname)"
echo "cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || grep -c ^processor /proc/cpuinfo)"
echo "mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
echo "init=$(cat /proc/1/comm 2>/dev/null)"
echo "cgroupfs=$(stat -fc %T /sys/fs/cgroup 2>/dev/null)"
grep -qs '^nameserver 127\.0\.0\.53' /etc/resolv.conf && [ -s /run/systemd/resolve/resolv.conf ] && echo "resolved_stub=yes"
echo "default_dev=$(ip -4 route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i + 1); exit}}')"
ip -o addr show 2>/dev/null | awk '{print "addr=" $2 " " $3 " " $4}'
`;

export const hostFacts = defineFact<null, HostFacts>({
  name: "host_facts",
  command: () => SCRIPT,
  parse({ stdout, stderr, code }) {
    if (code !== 0) throw new EasyKubeError(`gathering facts failed: ${stderr.trim() || `exit code ${code}`}`);
    return parseHostFacts(stdout);
  },
});

export function parseHostFacts(output: string): HostFacts {
  const values = new Map<string, string>();
  const interfaces = new Map<string, { ipv4: string[]; ipv6: string[] }>();
  for (const line of output.split("\n")) {
    const equals = line.indexOf("=");
    if (equals < 0) continue;
    const key = line.slice(0, equals);
    const value = line.slice(equals + 1);
    if (key !== "addr") {
      values.set(key, value);
      continue;
    }
    const [device = "", family, cidr = ""] = value.split(" ");
    const name = device.replace(/@.*$/, "");
    const entry = interfaces.get(name) ?? { ipv4: [], ipv6: [] };
    const address = cidr.split("/")[0]!;
    if (family === "inet") entry.ipv4.push(address);
    else if (family === "inet6") entry.ipv6.push(address);
    interfaces.set(name, entry);
  }
  const id = values.get("id") ?? "";
  const like = (values.get("id_like") ?? "").split(/\s+/);
  const arch = values.get("arch") ?? "";
  const list = [...interfaces].map(([name, addrs]) => ({ name, ...addrs }));
  const globalIpv4 = list.filter((i) => i.name !== "lo").flatMap((i) => i.ipv4);
  const defaultDevice = values.get("default_dev");
  const versionId = values.get("version_id") ?? "";
  return {
    osFamily: osFamily(id, like),
    distribution: id,
    distributionVersion: versionId,
    distributionMajorVersion: Number.parseInt(versionId, 10) || 0,
    codename: values.get("codename") ?? "",
    prettyName: values.get("pretty") ?? id,
    architecture: arch,
    goArch: ({ x86_64: "amd64", aarch64: "arm64", armv7l: "arm", ppc64le: "ppc64le", s390x: "s390x" } as Record<string, string>)[arch] ?? arch,
    kernel: values.get("kernel") ?? "",
    hostname: values.get("hostname") ?? "",
    fqdn: values.get("fqdn") ?? "",
    cpus: Number(values.get("cpus")) || 0,
    memoryMb: Math.round(Number(values.get("mem_kb") ?? 0) / 1024),
    initSystem: values.get("init") ?? "",
    defaultIpv4: list.find((i) => i.name === defaultDevice)?.ipv4[0] ?? globalIpv4[0],
    interfaces: list,
    allIpv4: globalIpv4,
    cgroupVersion: values.get("cgroupfs") === "cgroup2fs" ? 2 : 1,
    upstreamResolvConf: values.get("resolved_stub") === "yes" ? "/run/systemd/resolve/resolv.conf" : "/etc/resolv.conf",
  };
}

function osFamily(id: string, like: string[]): string {
  const ids = [id, ...like];
  if (ids.some((i) => ["debian", "ubuntu"].includes(i))) return "Debian";
  if (ids.some((i) => ["rhel", "centos", "fedora", "rocky", "almalinux"].includes(i))) return "RedHat";
  if (ids.includes("suse") || ids.includes("opensuse")) return "Suse";
  return id;
}
