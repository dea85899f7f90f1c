/**
 * containerdImage: an image archive (docker-save format, on the control machine) present in the
 * host's containerd under its reference, in the namespace the CRI uses (k8s.io), so kubelet finds
 * it without a registry. Decided by image ID as the CRI reports it (`crictl inspecti`: the config
 * digest, the same ID Docker gives): a missing or different image is imported from the archive,
 * streamed to `ctr images import` (nothing is left on the host's disk but the image).
 */
import { shellCommand } from "../connection/quote.js";
import { EasyKubeError } from "../errors.js";
import { archivedImage } from "./docker-image.js";
import { localSha256 } from "./local-file.js";
import { OperationFailed, type Operation } from "./operation.js";

export interface ContainerdImageArgs {
  /** The archive on the control machine. */
  readonly archive: string;
  /** Its expected sha256 (the bundle lock's): a mismatch stops before anything is sent. */
  readonly sha256: string;
  /** Where ctr and crictl are. */
  readonly binDir: string;
  /** The image's full reference (registry.k8s.io/pause:3.10.2): ctr names an imported docker.io image in full. */
  readonly reference: string;
}

/** The CRI's namespace: images kubelet sees. */
const NAMESPACE = "k8s.io";

export function containerdImage(args: ContainerdImageArgs): Operation {
  const inspect = shellCommand(`${args.binDir}/crictl`, "inspecti", "-o", "json", args.reference);
  return {
    title: `containerd image ${args.reference} from ${args.archive}`,
    async plan(target) {
      const actual = localSha256(args.archive);
      if (actual !== args.sha256.toLowerCase()) {
        throw new EasyKubeError(`${args.archive} has sha256 ${actual}, the bundle lock expects ${args.sha256}; refusing to import an image that does not match`);
      }
      const image = archivedImage(args.archive, actual);
      const present = imageId((await target.connection.run(`${inspect} 2>/dev/null`)).stdout);
      if (present === image.imageId) return { changes: [] };
      return {
        changes: [`import ${args.reference} (${image.imageId.slice(0, 19)})${present ? `, replacing ${present.slice(0, 19)}` : ""}`],
        async apply() {
          const imported = await target.connection.run(shellCommand(`${args.binDir}/ctr`, "--namespace", NAMESPACE, "images", "import", "-"), { stdinFile: args.archive });
          if (imported.code !== 0) throw new OperationFailed(`ctr images import of ${args.archive} failed: ${(imported.stderr || imported.stdout).trim()}`);
          // stdout alone is the JSON; crictl's stderr goes into the message.
          const after = await target.connection.run(inspect);
          const now = imageId(after.stdout);
          if (now !== image.imageId) throw new OperationFailed(`after the import, ${args.reference} is ${now ?? `missing (${after.stderr.trim() || "crictl found no image"})`}, not ${image.imageId}`);
        },
      };
    },
  };
}

/** The image ID in `crictl inspecti -o json` output, or undefined (no such image, or crictl not installed yet). */
export function imageId(inspectOutput: string): string | undefined {
  try {
    const id = (JSON.parse(inspectOutput) as { status?: { id?: unknown } }).status?.id;
    return typeof id === "string" && id.startsWith("sha256:") ? id : undefined;
  } catch {
    return undefined;
  }
}
