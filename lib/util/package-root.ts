/**
 * The folder of easy-kube's package.json above a module: the repository for the TypeScript sources,
 * dist/ for the compiled form, whose engine is one bundle (so a module's own folder says nothing
 * about where the files beside its source went). Files the engine ships (the Kubernetes build
 * recipe, the build record) are found from here.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "easy-kube") return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json of easy-kube above ${from}`);
  }
}
