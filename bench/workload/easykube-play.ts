/** The benchmark play as an easy-kube command line: `tsx bench/workload/easykube-play.ts -i INV -l HOSTS`. */
import { runPlaybookCli } from "easy-kube";
import { easyKubePlaybook } from "./spec.ts";

await runPlaybookCli(easyKubePlaybook("lab"));
