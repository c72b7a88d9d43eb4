#!/usr/bin/env bash
# Builds the Versity S3 Gateway (an S3-compatible store with Object Lock) from the Go module
# proxy into a cache outside the checkout, so the evidence archive's tests and the demo run
# against a real store. Skips work when the cached binary reports the pinned version.
#
# Usage: hack/build-s3-store.sh            prints the binary's path on the last line
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=hack/versions.env
source "$here/versions.env"

cache_root=${GOVHOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/govhook}
bin_dir="$cache_root/versitygw-$VERSITYGW_VERSION"
bin="$bin_dir/versitygw"
mod="$cache_root/build/versitygw-$VERSITYGW_VERSION"
mkdir -p "$bin_dir" "$mod"

log() { printf '[s3-store] %s\n' "$*" >&2; }

have_version() {
  [ -x "$bin" ] || return 1
  local out
  out=$("$bin" --version 2>/dev/null) || return 1
  [[ $out == *"${VERSITYGW_VERSION#v}"* ]]
}

if have_version; then
  log "versitygw $VERSITYGW_VERSION already built"
else
  if [ ! -f "$mod/.resolved" ]; then
    log "resolving github.com/versity/versitygw $VERSITYGW_VERSION"
    printf 'module govhook.local/versitygwbuild\n\ngo 1.26\n\nrequire github.com/versity/versitygw %s\n' "$VERSITYGW_VERSION" >"$mod/go.mod"
    # a tools file, never built: it only makes `go mod tidy` resolve the command's dependencies
    printf '//go:build tools\n\npackage versitygwbuild\n\nimport _ "github.com/versity/versitygw/cmd/versitygw"\n' >"$mod/deps.go"
    (cd "$mod" && GOFLAGS=-mod=mod go mod tidy >&2) && touch "$mod/.resolved"
  fi
  log "building versitygw $VERSITYGW_VERSION (a few minutes with a cold Go build cache)"
  start=$SECONDS
  (cd "$mod" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath \
    -ldflags "-s -w -X main.Version=$VERSITYGW_VERSION" -o "$bin.tmp" github.com/versity/versitygw/cmd/versitygw >&2)
  mv "$bin.tmp" "$bin"
  log "built versitygw in $((SECONDS - start))s"
fi
log "versitygw ready: $bin"
echo "$bin"
