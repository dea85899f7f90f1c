/**
 * kubeObjects against a real kube-apiserver 1.20 on loopback (the bundle's build, over a real
 * etcd): objects are created, a second plan changes nothing, an update is one change line and its
 * YAML diff, a dry run writes nothing, a Secret's diff shows no value, an immutable field replaces
 * the object, a Deployment's wait fails clearly when nothing rolls it out, an apiVersion the server
 * does not serve is a clear error; and the same through a forwarded channel of the loopback sshd.
 * Kubectl (Debian's) reads back what the operation made. Skipped where no kube-apiserver was built.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { missingBuild } from "../helpers/require-built.js";
import { execFileSync } from "node:child_process";
import { LocalConnection } from "../../lib/connection/local.js";
import { SshConnection } from "../../lib/connection/ssh.js";
import type { Connection } from "../../lib/connection/types.js";
import { LiveFacts } from "../../lib/facts/fact.js";
import { KubeApiClient } from "../../lib/kube/api-client.js";
import { adminCredentials } from "../../lib/kube/credentials.js";
import { directEndpoint } from "../../lib/kube/endpoint.js";
import { kubeObjects, type KubeObjectsArgs } from "../../lib/ops/kube-objects.js";
import type { Plan } from "../../lib/ops/operation.js";
import { renderDiff } from "../../lib/output/unified-diff.js";
import { renderKubeconfig } from "../../lib/pki/kubeconfig.js";
import { findApiserver, startApiserver, type TestApiserver } from "../helpers/kube-apiserver.js";
import { kubectl } from "../helpers/kubectl.js";
import { sshdSettings } from "../helpers/ssh-settings.js";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const binary = findApiserver();

/** What the runner does with one operation: plan, then apply unless it is a dry run. */
async function converge(args: Omit<KubeObjectsArgs, "api">, api: KubeObjectsArgs["api"], options: { check?: boolean; diff?: boolean; connection?: Connection } = {}): Promise<Plan> {
  const connection = options.connection ?? LocalConnection.controlMachine();
  const plan = await kubeObjects({ ...args, api }).plan({ name: connection.host, connection, facts: new LiveFacts(connection), diff: !!options.diff, check: !!options.check });
  if (plan.changes.length > 0 && !options.check) await plan.apply?.();
  return plan;
}

describe.skipIf(missingBuild(binary !== undefined, "a built kube-apiserver"))("kubeObjects on a live kube-apiserver", () => {
  let apiserver: TestApiserver;
  let api: KubeObjectsArgs["api"];
  let client: KubeApiClient;
  let kubeconfig: string;
  const read = async (path: string) => (await client.request("GET", path)).body;

  beforeAll(async () => {
    apiserver = await startApiserver(binary!);
    api = { pkiDir: apiserver.pkiDir, server: apiserver.server };
    client = new KubeApiClient(directEndpoint(apiserver.server, adminCredentials(apiserver.pkiDir)));
    kubeconfig = join(apiserver.pkiDir, "kubeconfig");
    const pem = (name: string) => readFileSync(join(apiserver.pkiDir, name), "utf8");
    writeFileSync(kubeconfig, renderKubeconfig({ server: apiserver.server, caPem: pem("ca.pem"), user: "admin", clientCertPem: pem("admin.pem"), clientKeyPem: pem("admin-key.pem") }), { mode: 0o600 });
  }, 180_000);
  afterAll(() => {
    client?.close();
    apiserver?.stop();
  });

  const kubectlGet = (...args: string[]) => execFileSync(kubectl(), ["--kubeconfig", kubeconfig, "get", ...args], { encoding: "utf8" });

  // The guide's step 5 binding in the 1.7 spelling (rbac v1beta1, still served by 1.20), a
  // namespace and objects in it.
  const objects = `
apiVersion: rbac.authorization.k8s.io/v1beta1
kind: ClusterRoleBinding
metadata:
  name: kubelet-bootstrap
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:node-bootstrapper
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: User
    name: kubelet-bootstrap
---
apiVersion: v1
kind: Namespace
metadata:
  name: ek-test
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ek-test
  labels: {app: ek}
data:
  mode: fast
  level: "3"
`;

  it("creates objects in order in a real run, after a dry run that changed nothing", async () => {
    const dryRun = await converge({ manifests: objects, source: "objects.yaml" }, api, { check: true });
    expect(dryRun.changes).toEqual(["create ClusterRoleBinding/kubelet-bootstrap", "create Namespace/ek-test", "create ConfigMap ek-test/settings"]);
    expect((await client.request("GET", "/api/v1/namespaces/ek-test")).status).toBe(404);

    const run = await converge({ manifests: objects, source: "objects.yaml" }, api);
    expect(run.changes).toHaveLength(3);
    expect(kubectlGet("clusterrolebinding", "kubelet-bootstrap", "-o", "jsonpath={.roleRef.name} {.subjects[0].name}")).toBe("system:node-bootstrapper kubelet-bootstrap");
    expect(kubectlGet("configmap", "settings", "-n", "ek-test", "-o", "jsonpath={.data.mode}")).toBe("fast");
  });

  it("plans no change on a second run", async () => {
    expect((await converge({ manifests: objects }, api)).changes).toEqual([]);
  });

  it("reports an update as one change line with its YAML diff, changes nothing in check mode, then updates", async () => {
    const changed = objects.replace("mode: fast", "mode: safe");
    const before = await read("/api/v1/namespaces/ek-test/configmaps/settings");
    const dryRun = await converge({ manifests: changed }, api, { check: true, diff: true });
    expect(dryRun.changes).toEqual(["update ConfigMap ek-test/settings: data.mode fast -> safe"]);
    const diff = dryRun.diffs!.map(renderDiff).join("\n");
    expect(diff).toContain("-  mode: fast\n+  mode: safe");
    expect(diff).not.toMatch(/resourceVersion|creationTimestamp|managedFields/);
    expect((await read("/api/v1/namespaces/ek-test/configmaps/settings")).metadata.resourceVersion).toBe(before.metadata.resourceVersion);

    expect((await converge({ manifests: changed }, api)).changes).toHaveLength(1);
    expect(kubectlGet("configmap", "settings", "-n", "ek-test", "-o", "jsonpath={.data.mode}")).toBe("safe");
    expect((await converge({ manifests: changed }, api)).changes).toEqual([]);
  });

  it("keeps fields others set: a label added by someone else survives an update", async () => {
    await client.expectOk("PATCH", "/api/v1/namespaces/ek-test/configmaps/settings", { body: { metadata: { labels: { owner: "someone" } } }, contentType: "application/merge-patch+json" });
    await converge({ manifests: objects }, api);
    const live = await read("/api/v1/namespaces/ek-test/configmaps/settings");
    expect(live.metadata.labels).toEqual({ app: "ek", owner: "someone" });
    expect(live.data.mode).toBe("fast");
  });

  it("never shows a Secret's values, in change lines or diffs", async () => {
    const secret = (password: string) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "ek-test" }, stringData: { user: "admin-user", password } });
    const created = await converge({ manifests: [secret("first-Pa55word")] }, api, { diff: true });
    const changed = await converge({ manifests: [secret("second-Pa55word")] }, api, { diff: true });
    expect(changed.changes).toEqual(["update Secret ek-test/creds: data.password (secret value changed)"]);
    const output = [...created.changes, ...changed.changes, ...[...created.diffs!, ...changed.diffs!].map(renderDiff)].join("\n");
    for (const value of ["first-Pa55word", "second-Pa55word", "admin-user"]) {
      expect(output).not.toContain(value);
      expect(output).not.toContain(Buffer.from(value).toString("base64"));
    }
    expect(output).toContain("+  password: (secret, after)");
    const live = await read("/api/v1/namespaces/ek-test/secrets/creds");
    expect(Buffer.from(live.data.password, "base64").toString()).toBe("second-Pa55word");
    expect((await converge({ manifests: [secret("second-Pa55word")] }, api)).changes).toEqual([]);
  });

  it("replaces an object whose immutable field the manifest changes, and only then", async () => {
    const service = (clusterIP: string) => ({ apiVersion: "v1", kind: "Service", metadata: { name: "dns", namespace: "ek-test" }, spec: { clusterIP, selector: { app: "dns" }, ports: [{ name: "dns", port: 53, protocol: "UDP" }] } });
    await converge({ manifests: [service("10.254.0.53")] }, api);
    const first = await read("/api/v1/namespaces/ek-test/services/dns");
    expect((await converge({ manifests: [service("10.254.0.53")] }, api)).changes).toEqual([]);
    const replaced = await converge({ manifests: [service("10.254.0.54")] }, api);
    expect(replaced.changes).toEqual(["replace Service ek-test/dns (delete and create: spec.clusterIP cannot change in place): spec.clusterIP 10.254.0.53 -> 10.254.0.54"]);
    const second = await read("/api/v1/namespaces/ek-test/services/dns");
    expect(second.spec.clusterIP).toBe("10.254.0.54");
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
    expect((await converge({ manifests: [service("10.254.0.54")] }, api)).changes).toEqual([]);
  });

  it("fails a Deployment's wait clearly when nothing rolls it out (no controller, no nodes)", async () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "ek-test" },
      spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "busybox", imagePullPolicy: "IfNotPresent" }] } } },
    };
    const started = Date.now();
    const waiting = converge({ manifests: [deployment], wait: { timeoutSeconds: 3, intervalSeconds: 1 } }, api);
    await expect(waiting).rejects.toThrow("not ready after 3 s: Deployment ek-test/web: the controller has not seen generation 1 yet (observed none); 0 of 2 replicas updated, 0 available, 0 in all; no conditions reported");
    expect(Date.now() - started).toBeLessThan(10_000);
    // It was created all the same, and a plan finds nothing to change in it.
    expect((await converge({ manifests: [deployment] }, api)).changes).toEqual([]);
  });

  it("names the object, its apiVersion and the server's version when the server does not serve it (and a namespace a kind cannot have)", async () => {
    const old = { apiVersion: "extensions/v1beta1", kind: "Deployment", metadata: { name: "old", namespace: "ek-test" }, spec: {} };
    await expect(converge({ manifests: [old], source: "old.yaml" }, api)).rejects.toThrow("old.yaml: Deployment/old (extensions/v1beta1): the API server (Kubernetes v1.20.2) serves extensions/v1beta1 but no kind Deployment in it");
    const future = { apiVersion: "rbac.authorization.k8s.io/v2", kind: "ClusterRole", metadata: { name: "x" } };
    await expect(converge({ manifests: [future], source: "future.yaml" }, api)).rejects.toThrow(
      "future.yaml: ClusterRole/x (rbac.authorization.k8s.io/v2): the API server (Kubernetes v1.20.2) does not serve apiVersion rbac.authorization.k8s.io/v2; it serves rbac.authorization.k8s.io/v1, rbac.authorization.k8s.io/v1beta1",
    );
    const misplaced = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "x", namespace: "ek-test" } };
    await expect(converge({ manifests: [misplaced], source: "role.yaml" }, api)).rejects.toThrow("role.yaml: ClusterRole/x (rbac.authorization.k8s.io/v1): ClusterRole is not namespaced; remove metadata.namespace (ek-test)");
  });

  it("prunes the labelled objects the manifests dropped, and nothing else: not unlabelled ones, not kinds outside the list", async () => {
    const label = { "easy-kube.io/addon": "ek-prune" };
    const config = (name: string, labels: Record<string, string> = label) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ek-test", labels }, data: { n: name } });
    const role = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "ek-prune-reader", labels: label }, rules: [] };
    // ClusterRole under two versions the server serves: the same objects, each a candidate once.
    const prune = { selector: "easy-kube.io/addon=ek-prune", kinds: [{ apiVersion: "v1", kind: "ConfigMap" }, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole" }, { apiVersion: "rbac.authorization.k8s.io/v1beta1", kind: "ClusterRole" }, { apiVersion: "example.com/v9", kind: "Gone" }] };
    await converge({ manifests: [config("keep"), config("drop"), config("other", {}), role] }, api);
    // Labelled like the set, but a kind the spec does not list: never a candidate.
    await converge({ manifests: [{ apiVersion: "v1", kind: "Secret", metadata: { name: "ek-prune-secret", namespace: "ek-test", labels: label } }] }, api);
    const dropped = await converge({ manifests: [config("keep")], prune, source: "addon ek-prune" }, api, { check: true });
    expect(dropped.changes).toEqual(["delete ConfigMap ek-test/drop (no longer in addon ek-prune)", "delete ClusterRole/ek-prune-reader (no longer in addon ek-prune)"]);
    expect(kubectlGet("configmap", "drop", "-n", "ek-test", "-o", "name").trim()).toBe("configmap/drop"); // the dry run deleted nothing
    await converge({ manifests: [config("keep")], prune }, api);
    expect(kubectlGet("configmaps", "-n", "ek-test", "-o", "name").split("\n").filter((n) => n.includes("keep") || n.includes("drop") || n.includes("other")).sort()).toEqual(["configmap/keep", "configmap/other"]);
    expect(kubectlGet("secret", "ek-prune-secret", "-n", "ek-test", "-o", "name").trim()).toBe("secret/ek-prune-secret");
    expect((await converge({ manifests: [config("keep")], prune }, api)).changes).toEqual([]);
    // Turned off: nothing left of the set.
    expect((await converge({ manifests: [], prune }, api)).changes).toEqual(["delete ConfigMap ek-test/keep (no longer in the manifests)"]);
  });

  describe("through a forwarded channel of the SSH connection", () => {
    let ssh: SshConnection;
    let channels = 0;
    let counted: Connection;

    beforeAll(() => {
      ssh = new SshConnection(sshdSettings(inject("sshd")));
      counted = {
        host: "master1",
        commandCount: 0,
        run: (command, options) => ssh.run(command, options),
        forwardTcp: (host, port) => {
          channels++;
          return ssh.forwardTcp(host, port);
        },
        close: () => ssh.close(),
      };
    });
    afterAll(() => ssh?.close());

    it("reaches 127.0.0.1:<port> on the host, creates, and plans no change on a second run", async () => {
      const tunnel = { pkiDir: apiserver.pkiDir, port: apiserver.port };
      const manifest = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "via-ssh", namespace: "ek-test" }, data: { path: "tunnel" } };
      const first = await converge({ manifests: [manifest] }, tunnel, { connection: counted });
      expect(first.changes).toEqual(["create ConfigMap ek-test/via-ssh"]);
      expect(channels).toBeGreaterThan(0);
      expect(kubectlGet("configmap", "via-ssh", "-n", "ek-test", "-o", "jsonpath={.data.path}")).toBe("tunnel");
      expect((await converge({ manifests: [manifest] }, tunnel, { connection: counted })).changes).toEqual([]);
    });

    it("says which host and port could not be reached", async () => {
      const closed = { pkiDir: apiserver.pkiDir, port: 1 };
      await expect(converge({ manifests: objects }, closed, { connection: counted })).rejects.toThrow(/cannot reach the Kubernetes API at 127\.0\.0\.1:1 on master1 \(through SSH\).*cannot reach 127\.0\.0\.1:1 from testhost through its SSH connection/);
      // A dry run of a whole site, before the API server exists: every object would be created.
      const dryRun = await converge({ manifests: objects, apiStartedByRun: true }, closed, { connection: counted, check: true });
      expect(dryRun.changes[0]).toBe("create ClusterRoleBinding/kubelet-bootstrap (the API server is started earlier in a real run)");
    });
  });
});
