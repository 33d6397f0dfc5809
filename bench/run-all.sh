#!/usr/bin/env bash
# Every benchmark, one after the other (they share the machine's two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
for b in bench/*.sh; do
  case "$b" in */lib.sh|*/run-all.sh) continue ;; esac
  echo "== $b"; bash "$b"
done
for exe in build/bench/*/bench_*; do
  [ -x "$exe" ] && { echo "== $exe"; "$exe"; }
done
