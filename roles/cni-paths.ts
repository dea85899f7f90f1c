/**
 * Where CNI lives on a node, in one place: the side that runs the plugins (kubelet's dockershim,
 * told by the kube-node role with --cni-conf-dir and --cni-bin-dir before 1.24; containerd, told by
 * its role's config.toml) and the network roles (host-routes, later calico and flannel, which write
 * the config and install the plugins) spread this schema, so one inventory value means the same
 * folder for both sides.
 */
import { defineSchema, v } from "easy-kube";

export const cniPaths = defineSchema({
  cni_conf_dir: v.path("/etc/cni/net.d", "Where the CNI network config is: kubelet's --cni-conf-dir (Docker) or containerd's conf_dir; the network role writes its .conflist there."),
  cni_bin_dir: v.path("/opt/cni/bin", "Where the CNI plugins are: kubelet's --cni-bin-dir (Docker) or containerd's bin_dirs; the network role installs the bundle's plugins there."),
});
