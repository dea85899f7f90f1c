#!/usr/bin/env bash
# Installs what easy-kube's lab and tests need on a Debian machine (as root), then the npm packages.
# Safe to run again: packages already installed are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
# sshd/sudo: integration tests; ansible-core: the reference for inventory parsing;
# systemd-container/debootstrap/iptables: the lab machines; etcd-server: the store of the
# kube-apiserver the Kubernetes objects tests start on loopback (run by hand, not as a service);
# golang-go, golang-github-modern-go-reflect2-dev, dpkg-dev, gcc, libc6-dev: building the 1.20.2
# profile's Kubernetes from Debian's source package with Debian's Go 1.19 (the bundle's debian
# source); libseccomp-dev, libbtrfs-dev: the cgo parts of runc and containerd built from their Go
# modules (the bundle's go source, with the Go in /usr/local/go); containernetworking-plugins: the
# host-routes CNI config run by the real plugins in network namespaces.
packages=(openssh-server sudo ansible-core python3 passwd iproute2 iptables systemd-container debootstrap docker-registry etcd-server
  golang-go golang-github-modern-go-reflect2-dev dpkg-dev gcc libc6-dev libseccomp-dev libbtrfs-dev containernetworking-plugins)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
# The package lists are refreshed every time: the end-to-end tests `apt-get download` a package.
apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's kubectl for the tests, unpacked into .cache/ (a kubectl already on PATH may be another
# build, and dpkg would refuse to replace a file another package owns).
if [ ! -x .cache/kubectl ]; then
  tmp=$(mktemp -d)
  chown _apt "$tmp" 2>/dev/null || true # apt downloads as its own user, which must write there
  (cd "$tmp" && apt-get download -q kubernetes-client >/dev/null)
  dpkg-deb -x "$tmp"/kubernetes-client_*.deb "$tmp/root"
  mkdir -p .cache
  install -m 0755 "$tmp/root/usr/bin/kubectl" .cache/kubectl
  rm -rf "$tmp"
fi

npm ci --no-audit --no-fund

# The lab's programs, built once and cached (later runs take seconds): the current profile's
# Kubernetes, etcd, containerd, runc, crictl and CNI plugins from their Go modules
# (/var/cache/easy-kube/go), and the 1.20.2 profile's Kubernetes from Debian's source
# (/var/cache/easy-kube/kubernetes). Cold, on 2 idle cores: see README "Building from Go modules".
npx tsx scripts/build-lab-programs.ts
