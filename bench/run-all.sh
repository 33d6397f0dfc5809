#!/usr/bin/env bash
# Every benchmark, one after the other (they share the machine's two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
for b in bench/http.sh bench/ballots.sh; do
  echo "== $b"; bash "$b"
done
echo "== build/bench/count/bench_count"
build/bench/count/bench_count
echo "== build/bench/select/select_bench --algorithms leximin,maximin,legacy"
build/bench/select/select_bench --algorithms leximin,maximin,legacy
# The same without the LP-relaxation path (column generation only), for comparison; it does
# not finish on se_synth_1000, so that one is left out.
for set in sf_fixture_150 se_synth_malmo_208; do
  echo "== build/bench/select/select_bench --column-generation --algorithms leximin --only $set"
  build/bench/select/select_bench --column-generation --algorithms leximin --only "$set"
done
