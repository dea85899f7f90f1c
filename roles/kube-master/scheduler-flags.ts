/**
 * kube-scheduler's command line by version: its own kubeconfig (system:kube-scheduler) and leader
 * election in every version (1.7's options.go has --kubeconfig and --leader-elect); secure serving
 * on 127.0.0.1 from 1.13 (kubernetes/kubeadm#1285 shows v1.13's scheduler serving on 10259 and
 * asking for --authentication-kubeconfig).
 */
import type { FlagTable } from "easy-kube";
import { hardeningFlags, type FlagContext, type KubeMasterVars } from "./flag-context.ts";

export const schedulerFlags: FlagTable<KubeMasterVars, FlagContext> = [
  // Insecure serving's address: a no-op from 1.23, removed in 1.24 (kubernetes#96345's note).
  { flag: "address", until: "1.24", value: () => "127.0.0.1" },
  { flag: "bind-address", since: "1.13", value: () => "127.0.0.1" },
  { flag: "kubeconfig", value: (_, c) => c.files.schedulerKubeconfig },
  { flag: "authentication-kubeconfig", since: "1.13", value: (_, c) => c.files.schedulerKubeconfig },
  { flag: "authorization-kubeconfig", since: "1.13", value: (_, c) => c.files.schedulerKubeconfig },
  { flag: "leader-elect", value: () => "true" },
  ...hardeningFlags("1.13"),
];
