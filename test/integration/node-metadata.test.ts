/**
 * Node labels and taints against a live kube-apiserver: a patch refused with 409 because the Node
 * changed between the read and the write (a fresh node's kubelet updates it often) is computed
 * again and applied, keeping the concurrent change; taints to drop are dropped, others' kept.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingBuild } from "../helpers/require-built.js";
import { KubeApiClient } from "../../lib/kube/api-client.js";
import { adminCredentials } from "../../lib/kube/credentials.js";
import { directEndpoint } from "../../lib/kube/endpoint.js";
import { missingMetadata, patchUntilApplied } from "../../roles/kube-node/node-metadata.js";
import { findApiserver, startApiserver, type TestApiserver } from "../helpers/kube-apiserver.js";

const binary = findApiserver();

describe.skipIf(missingBuild(binary !== undefined, "a built kube-apiserver"))("node labels and taints on a live kube-apiserver", () => {
  let apiserver: TestApiserver;
  let client: KubeApiClient;

  beforeAll(async () => {
    apiserver = await startApiserver(binary!);
    client = new KubeApiClient(directEndpoint(apiserver.server, adminCredentials(apiserver.pkiDir)));
  }, 180_000);
  afterAll(() => {
    client?.close();
    apiserver?.stop();
  });

  it("computes a patch refused with 409 again, keeping what changed meanwhile", async () => {
    await client.expectOk("POST", "/api/v1/nodes", {
      body: { apiVersion: "v1", kind: "Node", metadata: { name: "node01", labels: { zone: "a" } }, spec: { taints: [{ key: "node-role.kubernetes.io/master", effect: "NoSchedule" }, { key: "others", effect: "NoExecute" }] } },
    });
    const path = "/api/v1/nodes/node01";
    // Between our read and our first patch, someone else changes the node: the real server refuses that patch (409).
    const statuses: number[] = [];
    let interfered = false;
    const racing = Object.create(client) as KubeApiClient;
    racing.request = async (method, target, body) => {
      if (method === "PATCH" && !interfered) {
        interfered = true;
        await client.expectOk("PATCH", path, { body: { metadata: { labels: { "kubelet-was-here": "yes" } } }, contentType: "application/merge-patch+json" });
      }
      const response = await client.request(method, target, body);
      if (method === "PATCH") statuses.push(response.status);
      return response;
    };
    const wanted = { labels: { "node-role.kubernetes.io/control-plane": "" }, taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }], dropTaints: ["node-role.kubernetes.io/master"] };
    await patchUntilApplied(racing, path, wanted);
    expect(statuses).toEqual([409, 200]);
    const node = await client.expectOk("GET", path);
    expect(node.metadata.labels).toEqual({ zone: "a", "kubelet-was-here": "yes", "node-role.kubernetes.io/control-plane": "" });
    // The master taint dropped; others' taints (ours, and the not-ready one the server's admission added) kept.
    expect(node.spec.taints.map((t: { key: string }) => t.key).sort()).toEqual(["node-role.kubernetes.io/control-plane", "node.kubernetes.io/not-ready", "others"]);
    expect(missingMetadata(node, wanted).changes).toEqual([]);
  });
});
