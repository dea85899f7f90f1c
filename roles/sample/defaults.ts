/** The sample role's variables: its whole API, each with its default. */
import { defineSchema, v } from "easy-kube";

export const sampleDefaults = defineSchema({
  sample_root: v.path("/opt/easy-kube-sample", "Folder the sample role manages; everything it writes is below it."),
  sample_greeting: v.string("hello from easy-kube", "Text written into the rendered config file."),
  sample_port: v.port(8080, "Port written into the config file and the unit's environment."),
  sample_data_dirs: v.list(v.string("", "a folder name"), ["cache", "logs"], "Folders created below sample_root/var, one task item each."),
  sample_user: v.string("ek-sample", "System user that owns sample_root/var."),
  sample_sysctl: v.map({}, "Kernel parameters to set and persist (empty: none; the lab sets net.* keys)."),
  sample_manage_service: v.boolean(true, "Install and start a systemd unit when the host runs systemd."),
});
