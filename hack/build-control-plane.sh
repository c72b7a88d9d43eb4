#!/usr/bin/env bash
# Builds kube-apiserver, kubectl (Kubernetes) and etcd from Go modules into a cache outside the
# checkout, so tests and the demo run against real control-plane binaries with no downloads
# other than the Go module proxy. Skips work when the cached binaries report the pinned version.
#
# Usage: hack/build-control-plane.sh            prints the binary directory on the last line
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=hack/versions.env
source "$here/versions.env"

cache_root=${GOVHOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/govhook}
bin_dir="$cache_root/k8s-$KUBERNETES_VERSION"
work="$cache_root/build"
mkdir -p "$bin_dir" "$work"

log() { printf '[control-plane] %s\n' "$*" >&2; }

have_version() { # binary: succeeds when it reports the pinned version
  [ -x "$bin_dir/$1" ] || return 1
  local out want
  # capture first: `cmd | grep -q` under pipefail fails at random when grep exits early and
  # the binary dies of SIGPIPE on its next line
  case "$1" in
    etcd) out=$("$bin_dir/etcd" --version 2>/dev/null) || return 1; want="etcd Version: ${ETCD_VERSION#v}" ;;
    kubectl) out=$("$bin_dir/kubectl" version --client 2>/dev/null) || return 1; want="Client Version: $KUBERNETES_VERSION" ;;
    kube-apiserver) out=$("$bin_dir/kube-apiserver" --version 2>/dev/null) || return 1; want="Kubernetes $KUBERNETES_VERSION" ;;
  esac
  [[ $out == *"$want"* ]]
}

build_kubernetes() {
  local mod="$work/kubernetes-$KUBERNETES_VERSION"
  mkdir -p "$mod"
  if [ ! -f "$mod/.resolved" ]; then
    log "resolving k8s.io/kubernetes $KUBERNETES_VERSION and its staging modules"
    (cd "$mod" && rm -f go.mod && go mod init govhook.local/kubebuild >/dev/null 2>&1)
    (cd "$mod" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" >/dev/null)
    local kgomod
    kgomod=$(cd "$mod" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    local staging_version="v0.${KUBERNETES_VERSION#v1.}"
    {
      echo "module govhook.local/kubebuild"
      echo
      echo "go 1.26"
      echo
      echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
      echo
      echo "replace ("
      # every staging module that kubernetes' go.mod pins at v0.0.0 comes at the matching v0.x.y
      grep -E '^\s*k8s\.io/[a-z0-9./-]+ v0\.0\.0\s*$' "$kgomod" | awk -v v="$staging_version" '{print "\t" $1 " => " $1 " " v}' | sort -u
      echo ")"
    } >"$mod/go.mod"
    printf 'package kubebuild\n\nimport (\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver/app"\n\t_ "k8s.io/kubectl/pkg/cmd"\n)\n' >"$mod/deps.go"
    (cd "$mod" && GOFLAGS=-mod=mod go mod tidy >&2) && touch "$mod/.resolved"
  fi
  local minor
  minor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)
  local ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  for cmd in kube-apiserver kubectl; do
    if have_version "$cmd"; then log "$cmd $KUBERNETES_VERSION already built"; continue; fi
    local src=k8s.io/kubernetes/cmd/$cmd
    log "building $cmd $KUBERNETES_VERSION (minutes with a cold Go build cache: ~5 for kube-apiserver on 2 cores)"
    local start=$SECONDS
    (cd "$mod" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldflags" -o "$bin_dir/$cmd.tmp" "$src" >&2)
    mv "$bin_dir/$cmd.tmp" "$bin_dir/$cmd"
    log "built $cmd in $((SECONDS - start))s"
  done
}

build_etcd() {
  if have_version etcd; then log "etcd $ETCD_VERSION already built"; return; fi
  local mod="$work/etcd-$ETCD_VERSION"
  mkdir -p "$mod"
  if [ ! -f "$mod/.resolved" ]; then
    log "resolving go.etcd.io/etcd/server/v3 $ETCD_VERSION"
    printf 'module govhook.local/etcdbuild\n\ngo 1.26\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$mod/go.mod"
    printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' >"$mod/main.go"
    (cd "$mod" && GOFLAGS=-mod=mod go mod tidy >&2) && touch "$mod/.resolved"
  fi
  log "building etcd $ETCD_VERSION (about 1 minute cold)"
  local start=$SECONDS
  (cd "$mod" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$bin_dir/etcd.tmp" . >&2)
  mv "$bin_dir/etcd.tmp" "$bin_dir/etcd"
  log "built etcd in $((SECONDS - start))s"
}

build_etcd
build_kubernetes
for b in etcd kube-apiserver kubectl; do
  have_version "$b" || { log "error: $bin_dir/$b does not report the pinned version"; exit 1; }
done
log "control plane ready in $bin_dir"
echo "$bin_dir"
