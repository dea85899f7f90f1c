#!/usr/bin/env node
// The `easy-kube` command. The project is TypeScript run by tsx, so this registers tsx's loader
// and hands over to lib/cli/main.ts.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../lib/cli/main.ts");
const { EasyKubeError } = await import("../lib/errors.ts");
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof EasyKubeError || error?.code?.startsWith?.("ERR_PARSE_ARGS")) {
    process.stderr.write(`ERROR! ${error.message}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
