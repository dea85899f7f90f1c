/**
 * The transfer benchmark's easy-kube side: `tsx bench/workload/easykube-transfer.ts -i INV -l HOSTS`
 * with TRANSFER_FILES (comma-separated local files) and TRANSFER_DEST (a folder on the hosts) in the
 * environment. One play, as a role installs programs: an empty folder (the connection and both of its
 * sudo shells opened, as scp's ControlMaster connections are beforehand), then `copy` of every file
 * into it, the copies sent concurrently as roles send a component's programs (the task the
 * benchmark times, from its JSON events).
 */
import { basename } from "node:path";
import { command, concurrently, copy, definePlaybook, runPlaybookCli } from "easy-kube";

const files = (process.env["TRANSFER_FILES"] ?? "").split(",").filter(Boolean);
const dest = process.env["TRANSFER_DEST"] ?? "/tmp/easy-kube-transfer";

export const TRANSFER_TASK = "send the files";

await runPlaybookCli(
  definePlaybook({
    name: "transfer",
    plays: [
      {
        name: "transfer",
        hosts: "all",
        become: true,
        gatherFacts: false,
        tasks: [
          // Two commands at once: both of a host's sudo shells are open before the timed task, as
          // scp's connections are (the copy's facts are read across them).
          { name: "empty folder", action: () => concurrently("empty folder", [command({ cmd: `rm -rf ${dest} && mkdir -p ${dest}` }), command({ cmd: "true" })]) },
          { name: TRANSFER_TASK, action: () => concurrently(TRANSFER_TASK, files.map((src) => copy({ src, dest: `${dest}/${basename(src)}`, mode: "0755" }))) },
        ],
      },
    ],
  }),
);
