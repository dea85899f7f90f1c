#!/usr/bin/env bash
# Builds programs from released Go modules (bundle source `go`), each module as its own main module
# so that its own go.mod governs, with upstream's link flags, -trimpath and no build ID (the same
# inputs give the same bytes). The plan file, written by go-module-build.ts, has tab-separated lines:
# (an empty field is "-": read folds consecutive tabs)
#   module  PATH  DIR  EDITS        copy the module (from the module cache) and apply `go mod edit` EDITS
#   program NAME  MODULE  PACKAGE  CGO_STATIC(0|1)  TAGS(comma)  LDFLAGS
#   pause   NAME  MODULE  VERSION   the pause image's static C program from Kubernetes' build/pause,
#                                   versioned as upstream's Makefile does (v<TAG>-<the release>)
# Usage: build-go-programs.sh PLAN WORK OUT
# Environment: the Go toolchain first on PATH, GOMODCACHE, GOCACHE, GOARCH, and GOFLAGS=-mod=mod: the
# checksums of the requirements an edit adds are fetched and verified against the checksum database
# like any download.
set -euo pipefail
plan=$1 work=$2 out=$3
mkdir -p "$work/src" "$out"
# A module zip may carry a go.work naming folders it does not hold (Kubernetes' staging/).
export GOWORK=off GOTOOLCHAIN=local

step() { printf 'step: %s\n' "$*"; }
source_dir() { printf '%s/src/%s' "$work" "$(printf '%s' "$1" | tr '/' '_')"; }

while IFS=$'\t' read -r kind name a b c d e; do
  [ "$b" = - ] && b=''
  [ "$d" = - ] && d=''
  [ "$e" = - ] && e=''
  case "$kind" in
    module)
      dest=$(source_dir "$name")
      [ -e "$dest/.easy-kube-prepared" ] && continue
      step "$name: module source prepared (its local replaces pointed at published releases)"
      rm -rf "$dest"
      cp -r "$a" "$dest"
      chmod -R u+w "$dest"
      # shellcheck disable=SC2086 # the edits are separate words by design (-dropreplace=X -require=X@V ...)
      [ -n "$b" ] && (cd "$dest" && go mod edit $b)
      touch "$dest/.easy-kube-prepared"
      ;;
    program)
      [ -e "$out/$name" ] && continue
      step "$name"
      dest=$(source_dir "$a")
      if [ "$c" = 1 ]; then cgo=1 extld='-extldflags "-static"'; else cgo=0 extld=''; fi
      (cd "$dest" && CGO_ENABLED=$cgo go build -trimpath -tags "${d//,/ }" -ldflags "-s -w -buildid= $e $extld" -o "$out/.$name.tmp" "$b")
      mv "$out/.$name.tmp" "$out/$name"
      ;;
    pause)
      [ -e "$out/$name" ] && continue
      step "$name (static C program of build/pause, the pause image's entry point)"
      tag=$(sed -n 's/^TAG ?= *//p' "$(source_dir "$a")/build/pause/Makefile")
      [ -n "$tag" ] || { echo "build/pause/Makefile names no TAG" >&2; exit 1; }
      gcc -Os -Wall -Werror -static -DVERSION="v$tag-$b" -o "$out/.$name.tmp" "$(source_dir "$a")/build/pause/linux/pause.c"
      mv "$out/.$name.tmp" "$out/$name"
      ;;
    *) echo "unknown plan line: $kind" >&2; exit 2 ;;
  esac
done < "$plan"
step "done"
