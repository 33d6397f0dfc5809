#!/usr/bin/env bash
# Every benchmark, one after the other (they share the machine's two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
for b in bench/http.sh bench/ballots.sh; do
  echo "== $b"; bash "$b"
done
echo "== build/bench/count/bench_count"
build/bench/count/bench_count
# se_synth_1000 does not finish yet (docs/selection.md); SELECT_ALL=1 includes it.
for set in sf_fixture_150 example_small_200 se_synth_malmo_208 example_large_2000 ${SELECT_ALL:+se_synth_1000}; do
  echo "== build/bench/select/select_bench --only $set"
  build/bench/select/select_bench --only "$set"
done
