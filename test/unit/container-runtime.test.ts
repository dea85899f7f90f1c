/** Which runtime a node runs, and what is refused before any host is touched. */
import { describe, expect, it } from "vitest";
import { containerRuntime, containerRuntimeProblem } from "../../lib/kube/container-runtime.js";
import { kubeHas } from "../../lib/kube/version-facts.js";

describe("the container runtime", () => {
  it("auto: Docker while kubelet has dockershim (below 1.24), containerd after", () => {
    expect(containerRuntime({ container_runtime: "auto", kube_version: "1.7.11" })).toBe("docker");
    expect(containerRuntime({ container_runtime: "auto", kube_version: "1.23.17" })).toBe("docker");
    expect(containerRuntime({ container_runtime: "auto", kube_version: "1.24.0" })).toBe("containerd");
    expect(containerRuntime({ container_runtime: "auto", kube_version: "1.37.2" })).toBe("containerd");
    expect(containerRuntime({ container_runtime: "containerd", kube_version: "1.20.2" })).toBe("containerd");
  });

  it("refuses Docker with 1.24 and later, saying why", () => {
    expect(containerRuntimeProblem({ container_runtime: "docker", kube_version: "1.37.2" })).toBe("container_runtime docker: kubelet 1.37.2 has no dockershim (removed in 1.24); use containerd");
    expect(containerRuntimeProblem({ container_runtime: "docker", kube_version: "1.23.17" })).toBeUndefined();
    expect(containerRuntimeProblem({ container_runtime: "containerd", kube_version: "1.37.2" })).toBeUndefined();
    expect(containerRuntimeProblem({ container_runtime: "containerd", kube_version: "1.20.2" })).toBe("container_runtime containerd: the roles run kubelet 1.20.2 with its dockershim (Docker); containerd is supported from Kubernetes 1.24");
  });

  it("version facts: failCgroupV1 from 1.31, containerRuntimeEndpoint from 1.27, the control-plane role from 1.24", () => {
    expect([kubeHas("kubeletFailCgroupV1Field", "1.30.9"), kubeHas("kubeletFailCgroupV1Field", "1.31.0")]).toEqual([false, true]);
    expect([kubeHas("kubeletContainerRuntimeEndpointField", "1.26.5"), kubeHas("kubeletContainerRuntimeEndpointField", "1.27.0")]).toEqual([false, true]);
    expect([kubeHas("controlPlaneNodeRole", "1.23.17"), kubeHas("controlPlaneNodeRole", "1.24.0")]).toEqual([false, true]);
    expect([kubeHas("rolesCover", "1.6.13"), kubeHas("rolesCover", "1.37.2"), kubeHas("rolesCover", "1.38.0")]).toEqual([false, true, false]);
  });
});
