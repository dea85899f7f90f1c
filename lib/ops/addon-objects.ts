/**
 * The shape every add-on shares: its manifests (a template rendered by version, images from the
 * bundle) applied through kubeObjects with the add-on's label on every object, waited for, and
 * what the add-on no longer holds pruned by that label: a component dropped in a new version, or
 * the whole add-on turned off (no manifests).
 */
import { kubeObjects, type KubeApiAccess, type KubeObjectsWait } from "./kube-objects.js";
import type { Operation } from "./operation.js";

export const ADDON_LABEL = "easy-kube.io/addon";

export interface AddonObjectsArgs {
  readonly addon: string;
  /** The add-on's objects now; none when it is turned off. */
  readonly manifests: string | readonly (string | object)[];
  /** Every kind the add-on holds in any of its versions: what pruning looks among. */
  readonly kinds: readonly { readonly apiVersion: string; readonly kind: string }[];
  readonly api: KubeApiAccess;
  readonly wait?: boolean | KubeObjectsWait;
  readonly apiStartedByRun?: boolean;
}

export function addonObjects(args: AddonObjectsArgs): Operation {
  return kubeObjects({
    manifests: args.manifests,
    source: `add-on ${args.addon}`,
    api: args.api,
    labels: { [ADDON_LABEL]: args.addon, "app.kubernetes.io/managed-by": "easy-kube" },
    prune: { selector: `${ADDON_LABEL}=${args.addon}`, kinds: args.kinds },
    ...(args.wait !== undefined && { wait: args.wait }),
    ...(args.apiStartedByRun !== undefined && { apiStartedByRun: args.apiStartedByRun }),
  });
}
