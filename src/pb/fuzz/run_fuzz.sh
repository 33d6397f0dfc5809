#!/bin/sh
# Builds the Pabulib reader fuzzer with clang (libFuzzer + AddressSanitizer) and runs it for a
# while on a seed corpus of the small shared .pb files. Exits non-zero on any crash, leak,
# sanitizer report or violated property.
#   usage: run_fuzz.sh SOURCE_DIR WORK_DIR [SECONDS]
set -eu
src=$1
work=$2
seconds=${3:-30}
mkdir -p "$work/corpus" "$work/artifacts"
clang=$(command -v clang++ || command -v clang++-14)
# Rebuild only when a source is newer than the fuzzer (the compile takes longer than the run).
sources="$src/src/pb/fuzz/pabulib_fuzzer.cc $src/src/pb/*.cc $src/src/pb/*.h $src/include/ting/pb/*.h $src/src/base/strings.cc $src/src/base/result.cc"
stale=yes
if [ -x "$work/pabulib_fuzzer" ]; then
  stale=no
  for f in $sources; do
    if [ "$f" -nt "$work/pabulib_fuzzer" ]; then stale=yes; fi
  done
fi
if [ "$stale" = yes ]; then
  # One compiler per source, two at a time (the machine has two cores), then link.
  flags="-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
  mkdir -p "$work/obj"
  objects=""
  running=0
  for f in "$src/src/pb/fuzz/pabulib_fuzzer.cc" "$src/src/pb/election.cc" "$src/src/pb/pabulib.cc" \
           "$src/src/pb/profile.cc" "$src/src/pb/mes.cc" "$src/src/pb/certified_mes.cc" \
           "$src/src/pb/greedy.cc" "$src/src/pb/count.cc" "$src/src/base/strings.cc" "$src/src/base/result.cc"; do
    o="$work/obj/$(basename "$(dirname "$f")")_$(basename "$f" .cc).o"
    objects="$objects $o"
    rm -f "$o"
    "$clang" $flags -I"$src/include" -I"$src/src/pb" -c "$f" -o "$o" &
    running=$((running + 1))
    if [ "$running" -ge 2 ]; then
      wait
      running=0
    fi
  done
  wait
  for o in $objects; do [ -s "$o" ] || { echo "compile failed: $o" >&2; exit 1; }; done
  "$clang" $flags $objects -lgmpxx -lgmp -o "$work/pabulib_fuzzer"
fi
# Seeds: inputs that once crashed it, the small real files (under 12 kB) and hand-made edge cases.
cp "$src"/src/pb/fuzz/regressions/* "$work/corpus/"
for f in "$src"/tests/data/pabulib/*.pb; do
  if [ "$(wc -c < "$f")" -lt 12000 ]; then cp "$f" "$work/corpus/"; fi
done
printf 'META\nkey;value\nbudget;10.5\nvote_type;cumulative\nPROJECTS\nproject_id;cost;name\na;4;"x;""y"""\nb;0\nVOTES\nvoter_id;vote;points\n1;a,b;1,0\n2;;\n' > "$work/corpus/edge_cumulative.pb"
printf '\357\273\277META\r\nkey;value\r\nbudget;100\r\nvote_type;approval\r\nPROJECTS\r\nproject_id;cost\r\nA;150\r\nB;50\r\nVOTES\r\nvoter_id;vote\r\n1;A,B\r\n2;B\r\n' > "$work/corpus/edge_bom_crlf.pb"
"$work/pabulib_fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
  -dict="$src/src/pb/fuzz/pabulib.dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
  "$work/corpus"
