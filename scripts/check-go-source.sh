#!/usr/bin/env bash
# The Go bindings cannot be compiled offline (pacmak's go.mod wants a newer Go and the module proxy); where a
# gofmt is installed, at least make sure the generated source parses.
set -euo pipefail
dir=${1:-dist/go}
[ -d "$dir" ] || { echo "no Go module source in $dir" >&2; exit 1; }
files=$(find "$dir" -name '*.go' | wc -l)
if command -v gofmt >/dev/null; then
  # Parse only: pacmak's output is not gofmt-formatted, so `gofmt -l` would list every file. `gofmt -e` prints
  # every syntax error and exits non-zero on one; the formatted source itself is discarded.
  if ! gofmt -e "$dir" >/dev/null; then
    echo "gofmt cannot parse the Go module source in $dir" >&2
    exit 1
  fi
  echo "Go module source: $files files in $dir, all parsed by gofmt"
else
  echo "Go module source: $files files in $dir (no gofmt on this machine to parse them)"
fi
