/**
 * A small role that uses most operations, to show how roles are written and to prove that a second
 * run reports changed=0: folders, a rendered config that notifies a handler, line and block edits,
 * a script, a guarded command, a link, a system user, loops, a registered probe, sysctl and, on
 * systemd hosts, a unit that is started and restarted by the handler.
 */
import { block, command, copy, defineRole, file, line, systemd, sysctl, template, user } from "easy-kube";
import { sampleDefaults } from "./defaults.ts";

const here = import.meta.dirname;
const onSystemd = (facts: { initSystem: string }) => facts.initSystem === "systemd";

export default defineRole({
  name: "sample",
  dir: here,
  schema: sampleDefaults,
  tasks: [
    {
      name: "create the folders",
      loop: () => ["etc", "bin", "var"],
      action: ({ vars, item }) => file({ path: `${vars.sample_root}/${item}`, state: "directory", mode: "0755" }),
    },
    {
      name: "render the config",
      action: ({ vars }) => template({ src: `${here}/templates/app.conf.hbs`, dest: `${vars.sample_root}/etc/app.conf`, vars, mode: "0640" }),
      notify: ["restart sample"],
    },
    {
      name: "raise the open files limit",
      action: ({ vars }) => line({ path: `${vars.sample_root}/etc/limits.conf`, regexp: "^nofile\\s*=", line: "nofile = 65536", create: true }),
    },
    {
      name: "add the hosts block",
      action: ({ vars, inventory }) =>
        block({
          path: `${vars.sample_root}/etc/hosts.extra`,
          create: true,
          block: inventory
            .groupHosts("all")
            .map((h) => `${String(inventory.hostVars(h)["ansible_host"] ?? h)} ${h}`)
            .join("\n"),
        }),
    },
    {
      name: "install the service script",
      action: ({ vars }) =>
        copy({
          dest: `${vars.sample_root}/bin/hello.sh`,
          mode: "0755",
          content: `#!/bin/sh\n# easy-kube sample: prints a line now and then\nwhile :; do echo "sample alive on port \${SAMPLE_PORT:-unset}"; sleep 60; done\n`,
        }),
    },
    {
      name: "initialise once",
      action: ({ vars }) => command({ cmd: `date +%s > ${vars.sample_root}/var/initialized`, creates: `${vars.sample_root}/var/initialized` }),
    },
    {
      name: "point current at the config folder",
      action: ({ vars }) => file({ path: `${vars.sample_root}/current`, state: "link", src: `${vars.sample_root}/etc` }),
    },
    {
      name: "create the service user",
      action: ({ vars }) => user({ name: vars.sample_user, system: true, shell: "/usr/sbin/nologin", createHome: false }),
    },
    {
      name: "create the data folders",
      loop: ({ vars }) => vars.sample_data_dirs,
      action: ({ vars, item }) => file({ path: `${vars.sample_root}/var/${item}`, state: "directory", owner: vars.sample_user, mode: "0750" }),
    },
    {
      name: "read the kernel release",
      action: () => command({ cmd: "uname -r", readOnly: true }),
      register: "kernel",
    },
    {
      name: "record the kernel release",
      action: ({ vars, results }) => copy({ dest: `${vars.sample_root}/var/kernel`, content: String(results["kernel"]?.data["stdout"] ?? "") }),
    },
    {
      name: "set kernel parameters",
      when: ({ vars }) => Object.keys(vars.sample_sysctl).length > 0,
      action: ({ vars }) => sysctl({ values: vars.sample_sysctl, file: "/etc/sysctl.d/90-easy-kube-sample.conf" }),
    },
    {
      name: "install the unit",
      when: ({ vars, facts }) => vars.sample_manage_service && onSystemd(facts),
      action: ({ vars }) => template({ src: `${here}/templates/easy-kube-sample.service.hbs`, dest: "/etc/systemd/system/easy-kube-sample.service", vars }),
      notify: ["restart sample"],
    },
    {
      name: "start the service",
      when: ({ vars, facts }) => vars.sample_manage_service && onSystemd(facts),
      action: () => systemd({ name: "easy-kube-sample", state: "started", enabled: true }),
    },
  ],
  handlers: [
    {
      name: "restart sample",
      action: ({ vars, facts }) =>
        vars.sample_manage_service && onSystemd(facts)
          ? systemd({ name: "easy-kube-sample", state: "restarted" })
          : command({ cmd: `date +%s >> ${vars.sample_root}/var/restarts` }),
    },
  ],
});
