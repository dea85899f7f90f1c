/**
 * A CommonJS package loaded on its first use, for heavy libraries that only some runs need
 * (node-forge when certificates are made, handlebars when a template is compiled, jsdiff with
 * --diff): start-up before the first connection pays only for what the run uses. The returned
 * object forwards every property to the package, loading it at the first access.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export function lazyRequire<T extends object>(name: string): T {
  let loaded: T | undefined;
  const load = (): T => (loaded ??= require(name) as T);
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(load(), key),
    has: (_, key) => Reflect.has(load(), key),
  });
}
