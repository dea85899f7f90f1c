/** Variables of the apiserver-proxy role: haproxy on every node and master, on 127.0.0.1, in front of every master's apiserver. */
import { defineSchema, v } from "easy-kube";
import { bundleVars } from "easy-kube/bundle";
import { pkiDefaults } from "../pki/defaults.ts";

export const apiserverProxyDefaults = defineSchema({
  kube_version: bundleVars.kube_version,
  // Whether the proxy runs, and where it listens: the PKI writes the same address into the nodes' kubeconfigs.
  pki_apiserver_url: pkiDefaults.pki_apiserver_url,
  kube_apiserver_local_proxy: pkiDefaults.kube_apiserver_local_proxy,
  kube_apiserver_local_proxy_port: pkiDefaults.kube_apiserver_local_proxy_port,
  kube_apiserver_port: pkiDefaults.kube_apiserver_port,
  pki_remote_ssl_dir: pkiDefaults.pki_remote_ssl_dir,
  apiserver_proxy_packages: v.list(v.string("", "a package"), ["haproxy"], "The proxy's OS packages (yum, dnf or apt; pin a version with the manager's syntax)."),
  apiserver_proxy_config: v.path("/etc/haproxy/haproxy.cfg", "haproxy's configuration file, which the role owns."),
  apiserver_proxy_check_interval: v.integer(2, "Seconds between the proxy's health checks of each apiserver (its readiness over TLS).", { min: 1, max: 60 }),
  apiserver_proxy_check_fall: v.integer(2, "Failed checks in a row that take an apiserver out of the proxy.", { min: 1, max: 10 }),
  apiserver_proxy_check_rise: v.integer(2, "Passed checks in a row that put an apiserver back.", { min: 1, max: 10 }),
  apiserver_proxy_timeout: v.integer(3600, "Seconds an idle connection through the proxy stays open: kubelet's and kube-proxy's watches idle for long, and the apiserver ends them itself (--min-request-timeout).", { min: 60 }),
  apiserver_proxy_maxconn: v.integer(4000, "Connections the proxy accepts at once.", { min: 100 }),
});
