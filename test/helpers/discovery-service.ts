/**
 * A local etcd discovery service (Debian's etcd-discovery, the code behind discovery.etcd.io) on
 * the control machine, reachable by the lab machines on the lab bridge's address: its own etcd
 * with the v2 API behind it (127.0.0.1 only), and the service itself. The service reads its
 * settings from a fixed path under /etc, so it runs in a private mount namespace with its own
 * /etc; the host's /etc is not touched.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface DiscoveryService {
  readonly url: string;
  stop(): Promise<void>;
}

function discoveryBinary(): string {
  const dir = mkdtempSync(join(tmpdir(), "ek-discovery-deb-"));
  chmodSync(dir, 0o755);
  execFileSync("chown", ["_apt", dir], { stdio: "ignore" });
  execFileSync("apt-get", ["download", "-q", "etcd-discovery"], { cwd: dir, stdio: "ignore" });
  const deb = readdirSync(dir).find((f) => f.endsWith(".deb"))!;
  execFileSync("dpkg-deb", ["-x", join(dir, deb), join(dir, "root")]);
  return join(dir, "root", "usr", "bin", "discovery.etcd.io");
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up in ${timeoutMs / 1000} s`);
}

/** `etcdBinary`: an etcd 3.4 (from the lab's bundle); `address`: where machines reach this host. */
export async function startDiscoveryService(etcdBinary: string, address: string, port = 8087): Promise<DiscoveryService> {
  const work = mkdtempSync(join(tmpdir(), "ek-discovery-"));
  const children: ChildProcess[] = [];
  const backend = "http://127.0.0.1:23790";
  children.push(
    spawn(etcdBinary, ["--name=discovery", `--data-dir=${join(work, "etcd")}`, "--enable-v2=true", `--listen-client-urls=${backend}`, `--advertise-client-urls=${backend}`, "--listen-peer-urls=http://127.0.0.1:23800", "--initial-advertise-peer-urls=http://127.0.0.1:23800", "--initial-cluster=discovery=http://127.0.0.1:23800"], { stdio: "ignore" }),
  );
  await waitUntil("the discovery service's etcd", async () => (await fetch(`${backend}/v2/keys`)).ok);
  const url = `http://${address}:${port}`;
  mkdirSync(join(work, "etc"));
  writeFileSync(join(work, "etc", "etcd-discovery.conf"), `[server]\nprefix_url=${url}\nweb_service_address=${address}:${port}\n\n[etcd]\nendpoint_location=${backend}\n`);
  const script = `mount -t tmpfs tmpfs /etc && mkdir /etc/etcd-discovery && cp ${join(work, "etc", "etcd-discovery.conf")} /etc/etcd-discovery/ && exec ${discoveryBinary()}`;
  children.push(spawn("unshare", ["--mount", "--propagation", "private", "sh", "-c", script], { stdio: "ignore" }));
  await waitUntil("the discovery service", async () => (await fetch(`${url}/new?size=1`)).ok);
  return {
    url,
    async stop() {
      for (const child of children.reverse()) {
        child.kill("SIGTERM");
        await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
      }
    },
  };
}
