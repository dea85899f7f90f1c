/**
 * installBinary: a program from the local bundle folder, verified against the manifest's sha256
 * before it is sent anywhere, installed atomically with mode 0755.
 */
import { EasyKubeError } from "../errors.js";
import { planCopy } from "./copy.js";
import { localSha256 } from "./local-file.js";
import type { Operation } from "./operation.js";

export interface InstallBinaryArgs {
  /** The file in the bundle, on the control machine. */
  readonly src: string;
  readonly dest: string;
  /** Expected sha256 from the versions manifest; a mismatch stops before any host is touched. */
  readonly sha256: string;
  /** @default "0755" */
  readonly mode?: string;
}

export function installBinary(args: InstallBinaryArgs): Operation {
  return {
    title: `install ${args.dest}`,
    async plan(target) {
      // A digest remembered from an earlier run is enough here: it holds while the file keeps the
      // stamp it was hashed under, and the upload sends the file only while it does, so a file
      // changed since is refused when it is sent.
      const actual = localSha256(args.src, { remembered: true });
      if (actual !== args.sha256.toLowerCase()) {
        throw new EasyKubeError(`${args.src} has sha256 ${actual}, the manifest expects ${args.sha256}; refusing to install a file that does not match`);
      }
      return planCopy(target, { src: args.src, dest: args.dest, mode: args.mode ?? "0755", owner: "root", group: "root" });
    },
  };
}
