#!/usr/bin/env bash
# Installs what easy-kube's lab and tests need on a Debian machine (as root), then the npm packages.
# Safe to run again: packages already installed are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
# sshd/sudo: integration tests; ansible-core: the reference for inventory parsing;
# systemd-container/debootstrap/iptables: the lab machines.
packages=(openssh-server sudo ansible-core python3 passwd iproute2 iptables systemd-container debootstrap)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
# The package lists are refreshed every time: the end-to-end tests `apt-get download` a package.
apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
