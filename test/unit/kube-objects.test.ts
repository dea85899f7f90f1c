/**
 * The objects operation's decisions without a server: manifests parsed (several documents, Lists,
 * errors that name the document and line), a live Deployment full of defaults compared with the
 * manifest that made it (no change), one changed field (one change line), lists as the manifest
 * gives them, quantities by amount, immutable fields (a replace, said so), Secrets never shown,
 * and readiness of Deployments, DaemonSets and Nodes.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { renderDiff } from "../../lib/output/unified-diff.js";
import { fieldDifferences } from "../../lib/kube/compare.js";
import { parseManifests, type KubeManifest } from "../../lib/kube/manifests.js";
import { decideObject, describeChange, objectDiff } from "../../lib/kube/object-plan.js";
import { readiness } from "../../lib/kube/readiness.js";
import type { ApiResource } from "../../lib/kube/discovery.js";
import { quantitiesEqual } from "../../lib/kube/quantity.js";
import { LocalConnection } from "../../lib/connection/local.js";
import { RecordedFacts } from "../../lib/facts/fact.js";
import { kubeObjects } from "../../lib/ops/kube-objects.js";

const fixtures = join(import.meta.dirname, "../fixtures/kube");
const fixture = (name: string) => readFileSync(join(fixtures, name), "utf8");
const liveDeployment = () => parse(fixture("deployment-live.yaml"));
const deploymentManifest = () => parseManifests(fixture("deployment-manifest.yaml"), "deployment-manifest.yaml")[0]!;
const deployments: ApiResource = { apiVersion: "apps/v1", kind: "Deployment", name: "deployments", namespaced: true };

function withObject(manifest: KubeManifest, change: (object: any) => void): KubeManifest {
  const object = structuredClone(manifest.object);
  change(object);
  return { ...manifest, object };
}

describe("manifests", () => {
  it("reads several documents, skips empty ones, expands Lists, and names each document's line", () => {
    const text = [
      "---",
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a",
      "---\n# only a comment\n---",
      "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c1, namespace: a}\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c2, namespace: a}",
    ].join("\n");
    const manifests = parseManifests(text, "objects.yaml");
    expect(manifests.map((m) => `${m.object.kind}/${m.object.metadata.name}`)).toEqual(["Namespace/a", "ConfigMap/c1", "ConfigMap/c2"]);
    expect(manifests[1]!.origin).toMatch(/^objects\.yaml document \d \(line \d+\) item 1$/);
  });

  it("says which document lacks what, and where invalid YAML is", () => {
    expect(() => parseManifests("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\napiVersion: v1\nmetadata:\n  name: x\n", "cm.yaml")).toThrow(/cm\.yaml document 2 \(line 5\): kind is missing/);
    expect(() => parseManifests("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "cm.yaml")).toThrow("cm.yaml: metadata.name is missing");
    expect(() => parseManifests("apiVersion: v1\nkind: [\n", "bad.yaml")).toThrow(/^bad\.yaml:\d+: not valid YAML/);
    expect(() => parseManifests("- a\n- b\n", "list.yaml")).toThrow("list.yaml: a Kubernetes object must be a mapping, found a list");
  });

  it("drops what only the server writes, and turns a Secret's stringData into data", () => {
    const [secret] = parseManifests({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", resourceVersion: "12", uid: "u", creationTimestamp: null },
      stringData: { token: "abc" },
      status: {},
    });
    expect(secret!.object).toEqual({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { token: Buffer.from("abc").toString("base64") } });
  });
});

describe("comparing a manifest with the live object", () => {
  it("finds no difference between a live Deployment full of defaults and the manifest that made it", () => {
    const plan = decideObject(deploymentManifest(), deployments, "kube-system", liveDeployment());
    expect(plan.differences).toEqual([]);
    expect(plan.action).toBe("none");
  });

  it("reports a changed replica count as one change", () => {
    const manifest = withObject(deploymentManifest(), (o) => (o.spec.replicas = 3));
    const plan = decideObject(manifest, deployments, "kube-system", liveDeployment());
    expect(plan.action).toBe("update");
    expect(describeChange(plan)).toBe("update Deployment kube-system/web: spec.replicas 1 -> 3");
  });

  it("compares lists as the manifest gives them: order and length count, the server's defaults inside items do not", () => {
    const reordered = withObject(deploymentManifest(), (o) => (o.spec.template.spec.containers[0].args = ["httpd", "-p", "8080", "-f"]));
    expect(fieldDifferences(reordered.object, liveDeployment()).map((d) => d.path)).toEqual([
      "spec.template.spec.containers[0].args[1]",
      "spec.template.spec.containers[0].args[2]",
      "spec.template.spec.containers[0].args[3]",
    ]);
    const extraPort = withObject(deploymentManifest(), (o) => o.spec.template.spec.containers[0].ports.push({ containerPort: 9090 }));
    const differences = fieldDifferences(extraPort.object, liveDeployment());
    expect(differences).toHaveLength(1);
    expect(differences[0]!.path).toBe("spec.template.spec.containers[0].ports");
    const fewerArgs = withObject(deploymentManifest(), (o) => (o.spec.template.spec.containers[0].args = ["httpd"]));
    expect(fieldDifferences(fewerArgs.object, liveDeployment()).map((d) => d.path)).toEqual(["spec.template.spec.containers[0].args"]);
  });

  it("quotes label keys in paths and says when a field is missing live", () => {
    const labelled = withObject(deploymentManifest(), (o) => (o.metadata.labels["app.kubernetes.io/part-of"] = "cluster"));
    const plan = decideObject(labelled, deployments, "kube-system", liveDeployment());
    expect(describeChange(plan)).toBe('update Deployment kube-system/web: metadata.labels["app.kubernetes.io/part-of"] (none) -> cluster');
  });

  it("compares resource quantities by amount", () => {
    expect(quantitiesEqual("1000m", "1")).toBe(true);
    expect(quantitiesEqual("1024Mi", "1Gi")).toBe(true);
    expect(quantitiesEqual("1e3", "1k")).toBe(true);
    expect(quantitiesEqual("100m", "0.1")).toBe(true);
    expect(quantitiesEqual("1G", "1Gi")).toBe(false);
    const moreCpu = withObject(deploymentManifest(), (o) => (o.spec.template.spec.containers[0].resources.limits.cpu = "1500m"));
    expect(fieldDifferences(moreCpu.object, liveDeployment())).toEqual([{ path: "spec.template.spec.containers[0].resources.limits.cpu", live: "1", wanted: "1500m" }]);
    // Outside resource maps, "1k" and "1000" are different strings.
    expect(fieldDifferences({ data: { size: "1k" } }, { data: { size: "1000" } })).toHaveLength(1);
  });

  it("shows the object's difference as YAML of the fields the manifest sets, without status or defaults", () => {
    const manifest = withObject(deploymentManifest(), (o) => (o.spec.replicas = 3));
    const diff = renderDiff(objectDiff(decideObject(manifest, deployments, "kube-system", liveDeployment())));
    expect(diff).toContain("--- before: Deployment kube-system/web");
    expect(diff).toContain("-  replicas: 1\n+  replicas: 3");
    expect(diff).not.toMatch(/status|resourceVersion|terminationMessagePath|managedFields/);
  });
});

describe("immutable fields", () => {
  const services: ApiResource = { apiVersion: "v1", kind: "Service", name: "services", namespaced: true };
  const service = (clusterIP: string) => parseManifests({ apiVersion: "v1", kind: "Service", metadata: { name: "dns", namespace: "kube-system" }, spec: { clusterIP, ports: [{ port: 53 }] } })[0]!;
  const liveService = { apiVersion: "v1", kind: "Service", metadata: { name: "dns", namespace: "kube-system", uid: "u1", resourceVersion: "9" }, spec: { clusterIP: "10.254.0.2", ports: [{ port: 53, protocol: "TCP", targetPort: 53 }], type: "ClusterIP", sessionAffinity: "None" } };

  it("replaces a Service whose clusterIP the manifest changes, and says why", () => {
    const plan = decideObject(service("10.254.0.3"), services, "kube-system", liveService);
    expect(plan.action).toBe("replace");
    expect(describeChange(plan)).toBe("replace Service kube-system/dns (delete and create: spec.clusterIP cannot change in place): spec.clusterIP 10.254.0.2 -> 10.254.0.3");
  });

  it("leaves it alone when the clusterIP is the same, and updates other fields in place", () => {
    expect(decideObject(service("10.254.0.2"), services, "kube-system", liveService).action).toBe("none");
    const morePorts = withObject(service("10.254.0.2"), (o) => o.spec.ports.push({ port: 9153, name: "metrics" }));
    expect(decideObject(morePorts, services, "kube-system", liveService).action).toBe("update");
  });

  it("replaces a ClusterRoleBinding whose roleRef changes", () => {
    const bindings: ApiResource = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", name: "clusterrolebindings", namespaced: false };
    const binding = (role: string) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "kubelet-bootstrap" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "kubelet-bootstrap" }],
    });
    const live = { ...binding("system:node-bootstrapper"), metadata: { name: "kubelet-bootstrap", uid: "u", resourceVersion: "3" } };
    expect(describeChange(decideObject(parseManifests(binding("system:node-bootstrapper"))[0]!, bindings, undefined, undefined))).toBe("create ClusterRoleBinding/kubelet-bootstrap");
    expect(decideObject(parseManifests(binding("system:node-bootstrapper"))[0]!, bindings, undefined, live).action).toBe("none");
    const plan = decideObject(parseManifests(binding("system:node"))[0]!, bindings, undefined, live);
    expect(plan.action).toBe("replace");
    expect(describeChange(plan)).toContain("roleRef cannot change in place");
  });
});

describe("Secrets", () => {
  const secrets: ApiResource = { apiVersion: "v1", kind: "Secret", name: "secrets", namespaced: true };
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const live = { apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "default", uid: "u", resourceVersion: "5" }, type: "Opaque", data: { user: b64("admin"), password: b64("old-Pa55word") } };
  const manifest = parseManifests({ apiVersion: "v1", kind: "Secret", metadata: { name: "creds" }, type: "Opaque", stringData: { user: "admin", password: "new-Pa55word" } })[0]!;

  it("name the changed key, never its value, in the change line and the diff", () => {
    const plan = decideObject(manifest, secrets, "default", live);
    expect(plan.action).toBe("update");
    const line = describeChange(plan);
    expect(line).toBe("update Secret default/creds: data.password (secret value changed)");
    const diff = renderDiff(objectDiff(plan));
    for (const text of [line, diff]) {
      for (const value of ["old-Pa55word", "new-Pa55word", "admin", b64("old-Pa55word"), b64("new-Pa55word"), b64("admin")]) expect(text).not.toContain(value);
    }
    expect(diff).toContain("-  password: (secret, before)\n+  password: (secret, after)");
    expect(diff).toContain("   user: (secret, unchanged)");
  });

  it("are masked when created too", () => {
    const diff = renderDiff(objectDiff(decideObject(manifest, secrets, "default", undefined)));
    expect(diff).toContain("+  password: (secret, new)");
    expect(diff).not.toContain(b64("new-Pa55word"));
  });

  it("compare equal when the values are the same (stringData against live data)", () => {
    const same = parseManifests({ apiVersion: "v1", kind: "Secret", metadata: { name: "creds" }, stringData: { password: "old-Pa55word" } })[0]!;
    expect(decideObject(same, secrets, "default", live).action).toBe("none");
  });
});

describe("readiness", () => {
  it("judges a Deployment's rollout, a DaemonSet's pods and a Node's Ready condition", () => {
    expect(readiness(liveDeployment())!.ready).toBe(true);
    const rolling = { ...liveDeployment(), metadata: { generation: 2 }, spec: { replicas: 3 }, status: { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2, conditions: [{ type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." }] } };
    expect(readiness(rolling)).toEqual({ ready: false, summary: "3 of 3 replicas updated, 2 available, 3 in all; conditions: Available=False (MinimumReplicasUnavailable: Deployment does not have minimum availability.)" });
    expect(readiness({ kind: "Deployment", metadata: { generation: 1 }, spec: { replicas: 1 }, status: {} })!.summary).toBe("the controller has not seen generation 1 yet (observed none); 0 of 1 replicas updated, 0 available, 0 in all; no conditions reported");
    expect(readiness({ kind: "DaemonSet", metadata: { generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 2 } })!.ready).toBe(false);
    expect(readiness({ kind: "DaemonSet", metadata: { generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3 } })!.ready).toBe(true);
    expect(readiness({ kind: "Node", status: { conditions: [{ type: "Ready", status: "True" }] } })!.ready).toBe(true);
    expect(readiness({ kind: "ConfigMap" })).toBeUndefined();
  });
});

describe("a dry run before the cluster exists", () => {
  const binding = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "kubelet-bootstrap" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:node-bootstrapper" }, subjects: [] };
  const missingPki = join(fixtures, "no-such-pki");
  const target = (check: boolean) => ({ name: "m1", connection: LocalConnection.controlMachine(), facts: new RecordedFacts({}), diff: false, check });

  it("reports every object as created when the PKI is made earlier in a real run", async () => {
    const plan = await kubeObjects({ manifests: [binding], api: { pkiDir: missingPki, server: "https://127.0.0.1:1" }, apiStartedByRun: true }).plan(target(true));
    expect(plan.changes).toEqual(["create ClusterRoleBinding/kubelet-bootstrap (the API server is started earlier in a real run)"]);
  });

  it("fails in a real run, naming the missing file", async () => {
    await expect(kubeObjects({ manifests: [binding], api: { pkiDir: missingPki, server: "https://127.0.0.1:1" }, apiStartedByRun: true }).plan(target(false))).rejects.toThrow(`${join(missingPki, "ca.pem")} is missing`);
  });
});
