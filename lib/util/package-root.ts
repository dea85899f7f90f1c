/**
 * The folder of easy-kube's package.json above a module: the repository for the TypeScript sources,
 * dist/ for the compiled form, whose engine is one bundle (so a module's own folder says nothing
 * about where the files beside its source went). Files the engine ships (the Kubernetes build
 * recipe, the build record) are found from here. Undefined when there is none (the engine bundled
 * into something else): callers decide what that means, nothing fails at import.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export function packageRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && nameOf(manifest) === "easy-kube") return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function nameOf(manifest: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name;
  } catch {
    return undefined; // a broken package.json on the way up is not ours
  }
}
