#!/usr/bin/env bash
# The main job on a machine without a real cluster: installs what is needed, boots three lab
# machines, and runs playbooks/site.ts on them (twice: the second run must report changed=0).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
node bin/easy-kube.mjs lab up 3
npx tsx playbooks/site.ts -i inventory/lab
echo "== second run: nothing should change =="
npx tsx playbooks/site.ts -i inventory/lab
echo "The lab keeps running: 'npx easy-kube lab status', 'npx easy-kube lab down' to remove it."
