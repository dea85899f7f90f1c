/**
 * The CNI network config of a node: a bridge with host-local addresses from the node's pod CIDR
 * (the bridge is the pods' gateway), hairpin mode so a pod reaches itself through a Service, and
 * portmap chained for hostPort. The bridge plugin's own ipMasq is off: it would masquerade
 * everything leaving the node's pod CIDR, pod-to-pod traffic to other nodes included, hiding pod
 * addresses; the role masquerades only traffic leaving the cluster CIDR instead.
 */
import { firstAddressOf, kubeHas } from "easy-kube";
import { versionAtLeast } from "easy-kube/bundle";

/**
 * The newest CNI spec both sides speak. kubelet's CNI library: v0.5.2 in 1.7 (spec up to 0.3.1,
 * configuration lists and the portMappings capability since 1.7), v0.7.1 from 1.16 (0.4.0,
 * kubernetes#78908), v0.8 in 1.20 (still 0.4.0). The plugins: 0.8.0 was the first release built
 * for spec 0.4.0; before it they answer "incompatible CNI versions" to a 0.4.0 config.
 */
export function cniSpecVersion(kubeVersion: string, cniVersion: string): string {
  const kubelet = kubeHas("kubeletCniSpec040", kubeVersion) ? "0.4.0" : "0.3.1";
  const plugins = versionAtLeast(cniVersion.replace(/^v/, ""), "0.8.0") ? "0.4.0" : "0.3.1";
  return kubelet === "0.4.0" && plugins === "0.4.0" ? "0.4.0" : "0.3.1";
}

export const CNI_NETWORK_NAME = "host-routes";
export const CNI_CONFIG_FILE = "10-host-routes.conflist";

export interface CniConfigArgs {
  readonly kubeVersion: string;
  readonly cniVersion: string;
  readonly podCidr: string;
  readonly bridge: string;
}

export function cniConfig(args: CniConfigArgs): string {
  const config = {
    cniVersion: cniSpecVersion(args.kubeVersion, args.cniVersion),
    name: CNI_NETWORK_NAME,
    plugins: [
      {
        type: "bridge",
        bridge: args.bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        // subnet/gateway rather than "ranges": every plugin release since 0.6.0 reads them.
        ipam: { type: "host-local", subnet: args.podCidr, gateway: firstAddressOf(args.podCidr), routes: [{ dst: "0.0.0.0/0" }] },
      },
      { type: "portmap", capabilities: { portMappings: true }, snat: true },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
