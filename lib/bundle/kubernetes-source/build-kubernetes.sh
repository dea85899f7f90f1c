#!/usr/bin/env bash
# Builds Kubernetes server programs from Debian's source package tree with Debian's Go, the way
# debian/rules does (GOPATH mode, vendored packages, CGO off), plus what the Debian tree lacks for a
# plain `go build` (see LAB-NOTES "Kubernetes 1.20.2 for the lab"):
#   1. vendor/github.com/modern-go/reflect2 1.0.1 crashes at run time with Go >= 1.18: it is
#      replaced by Debian's golang-github-modern-go-reflect2-dev (1.0.2);
#   2. pkg/generated/openapi/zz_generated.openapi.go is generated code upstream's Makefile makes:
#      produced here with the tree's own openapi-gen over the packages tagged +k8s:openapi-gen=.
# Both are applied to the tree once (a stamp file records it), so a second build reuses them.
#
# Usage: build-kubernetes.sh TREE OUT VERSION PROGRAM...
#   TREE     the unpacked source (dpkg-source -x), prepared in place
#   OUT      folder for the programs (and `pause`, the pause image's static program)
#   VERSION  upstream version stamped into the programs (`--version` prints v$VERSION)
# Environment: GOCACHE (the Go build cache to reuse), SOURCE_DATE_EPOCH (build date, reproducible).
set -euo pipefail

tree=$(realpath "$1") out=$2 version=$3
shift 3
mkdir -p "$out"
out=$(realpath "$out")

gopath="$tree/.gopath"
pkg="$gopath/src/k8s.io/kubernetes"
mkdir -p "$gopath/src/k8s.io"
[ -L "$pkg" ] || ln -s "$tree" "$pkg"
# GOPATH mode: the vendor/ folder is used because the package sits under GOPATH (module mode fails
# on 1.20's vendor/modules.txt with Go 1.19).
export GOPATH="$gopath" GO111MODULE=off CGO_ENABLED=0
cd "$pkg"

step() { printf 'step: %s\n' "$*"; }

if [ ! -e .easy-kube-prepared ]; then
  step "vendored reflect2 replaced by Debian's 1.0.2 (1.0.1 crashes with Go >= 1.18)"
  reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2
  [ -f "$reflect2/reflect2.go" ] || { echo "missing $reflect2: apt-get install golang-github-modern-go-reflect2-dev" >&2; exit 1; }
  rm -rf vendor/github.com/modern-go/reflect2
  cp -r "$reflect2" vendor/github.com/modern-go/reflect2
  rm -f vendor/github.com/modern-go/reflect2/go.mod

  step "openapi-gen built from vendor/k8s.io/kube-openapi"
  go build -o "$tree/.openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
  step "pkg/generated/openapi generated (packages tagged +k8s:openapi-gen=, as build/root/Makefile.generated_files finds them)"
  # The Makefile's file set: Go files outside vendor/ and hidden or _ folders, staging/src named as
  # its vendor/ path, less code-generator's and sample-apiserver's examples.
  dirs=$(find -H . \( -path ./_\* -o -path ./.\* -o -path ./vendor \) -prune -o -type f -name '*.go' -print \
    | sed 's|^\./staging/src|vendor|; s|^\./||' \
    | grep -v -e '^vendor/k8s.io/code-generator/' -e '^vendor/k8s.io/sample-apiserver/' \
    | xargs grep --color=never -l '+k8s:openapi-gen=' | xargs -n1 dirname | LC_ALL=C sort -u | sed 's|^|k8s.io/kubernetes/|' | paste -sd, -)
  "$tree/.openapi-gen" --logtostderr -i "$dirs" -p k8s.io/kubernetes/pkg/generated/openapi -O zz_generated.openapi \
    -h vendor/k8s.io/code-generator/hack/boilerplate.go.txt -r "$tree/.openapi-violations.report" 2>&1 | tail -n 5
  [ -f pkg/generated/openapi/zz_generated.openapi.go ] || { echo "openapi-gen wrote no pkg/generated/openapi/zz_generated.openapi.go" >&2; exit 1; }
  touch .easy-kube-prepared
fi

major=${version%%.*} rest=${version#*.} minor=${rest%%.*}
build_date=$(date -u -d "@${SOURCE_DATE_EPOCH:-0}" +%Y-%m-%dT%H:%M:%SZ)
ldflags="-s -w -buildid="
for p in k8s.io/kubernetes/vendor/k8s.io/component-base/version k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=v$version -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=archive -X $p.buildDate=$build_date -X $p.gitCommit=debian-source"
done

for program in "$@"; do
  # Another build of the same key (waited for under the lock) may have made it already.
  [ -e "$out/$program" ] && continue
  case "$program" in
    pause)
      step "pause (static C program of build/pause, the pause image's entry point)"
      gcc -Os -Wall -Werror -static -DVERSION="v$version-debian" -o "$out/.pause.tmp" build/pause/linux/pause.c
      ;;
    *)
      step "$program"
      go build -trimpath -tags "selinux notest" -ldflags "$ldflags" -o "$out/.$program.tmp" "./cmd/$program"
      ;;
  esac
  mv "$out/.$program.tmp" "$out/$program"
done
step "done"
