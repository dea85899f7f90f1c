/** Starts one sshd for every integration test file and hands its details to them. */
import type { TestProject } from "vitest/node";
import { startSshd } from "../helpers/sshd.js";

export default async function setup(project: TestProject) {
  const { sshd, stop } = await startSshd();
  project.provide("sshd", sshd);
  return stop;
}

declare module "vitest" {
  export interface ProvidedContext {
    sshd: import("../helpers/sshd.js").TestSshd;
  }
}
