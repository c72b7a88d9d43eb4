#!/usr/bin/env bash
# Runs golangci-lint (v2, pinned) with the repository's .golangci.yml, building it once from the
# Go module proxy into ~/.cache/govhook/tools when it is missing.
set -euo pipefail
version=v2.15.0
tools=${GOVHOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/govhook}/tools
bin="$tools/golangci-lint-$version"
if [ ! -x "$bin" ]; then
  echo "[golangci-lint] building $version into $tools (once per machine)" >&2
  mkdir -p "$tools"
  tmp=$(mktemp -d)
  GOBIN="$tmp" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version"
  mv "$tmp/golangci-lint" "$bin"
  rm -rf "$tmp"
fi
exec "$bin" "$@"
