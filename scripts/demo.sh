#!/usr/bin/env bash
# The main job on a machine without a real cluster: installs what is needed, boots three lab
# machines that can run Docker, fills the binary bundle from Debian's packages (the lab has no
# internet), and runs playbooks/site.ts on them (twice: the second run must report changed=0).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
node bin/easy-kube.mjs lab up 3 --docker
node bin/easy-kube.mjs bundle -i inventory/lab
npx tsx playbooks/site.ts -i inventory/lab
echo "== second run: nothing should change =="
npx tsx playbooks/site.ts -i inventory/lab
echo "The lab keeps running: 'npx easy-kube lab status', 'npx easy-kube lab down' to remove it."
