#!/usr/bin/env bash
# The main job on a machine without a real cluster: installs what is needed (the programs of the
# current release built from their Go modules: minutes the first time, cached after), boots three
# lab machines that can run containers and kubelet, fills the binary bundle (inventory/lab's profile:
# Kubernetes 1.37 on containerd), runs playbooks/site.ts on them (twice: the second run must report
# changed=0), and shows the cluster: its components, its nodes, a pod running from the bundled
# busybox image, and that pod asking the cluster DNS (CoreDNS) for the kubernetes Service. inventory/lab-docker holds the 1.20.2-on-Docker profile (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
node bin/easy-kube.mjs lab up 3 --containers
node bin/easy-kube.mjs bundle -i inventory/lab
npx tsx playbooks/site.ts -i inventory/lab
echo "== second run: nothing should change =="
npx tsx playbooks/site.ts -i inventory/lab

version=$(sed -n 's/^kube_version: *//p' inventory/lab/group_vars/all.yml)
kubectl=(inventory/lab/.bundle/kubernetes/"$version"/amd64/kubectl --kubeconfig inventory/lab/.pki/kubeconfig)
echo "== the cluster, from this machine: ${kubectl[*]} =="
"${kubectl[@]}" get componentstatuses 2>/dev/null
"${kubectl[@]}" get nodes -o wide
"${kubectl[@]}" -n default get pod demo >/dev/null 2>&1 ||
  "${kubectl[@]}" -n default run demo --image=busybox:1.35 --image-pull-policy=IfNotPresent --restart=Never -- sh -c 'echo hello from $(hostname); sleep 3600'
"${kubectl[@]}" -n default wait --for=condition=Ready pod/demo --timeout=120s
"${kubectl[@]}" -n default get pod demo -o wide
"${kubectl[@]}" -n default logs demo
echo "== the cluster DNS, asked from the pod =="
"${kubectl[@]}" -n kube-system get deployment coredns
"${kubectl[@]}" -n default exec demo -- nslookup -type=a kubernetes.default.svc.cluster.local
echo "The lab keeps running: 'npx easy-kube lab status', 'npx easy-kube lab down' to remove it."
