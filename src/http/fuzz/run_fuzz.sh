#!/bin/sh
# Builds one libFuzzer target with clang (libFuzzer + AddressSanitizer + UBSan) from the
# sources named, then runs it for a while on its seed corpus. Exits non-zero on any crash,
# leak, sanitizer report or violated property (the targets abort on those).
#   usage: run_fuzz.sh SOURCE_DIR WORK_DIR NAME SECONDS SOURCE... [-- LINK_ARG...]
# SOURCEs are relative to SOURCE_DIR; the first is the fuzzer, and its directory holds the
# seeds (corpus/NAME/) and an optional dictionary (NAME.dict). Objects are compiled one at a
# time (the machine is shared) and only when a file they were built from changed (clang -MMD).
set -eu
src=$1
work=$2
name=$3
seconds=$4
shift 4
sources=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  sources="$sources $1"
  shift
done
[ $# -gt 0 ] && shift
link_args="$*"
clang=$(command -v clang++ || command -v clang++-14)
flags="-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Wno-unused-parameter"
mkdir -p "$work/obj" "$work/corpus" "$work/artifacts"

# stale OBJECT: true when the object is missing or older than a file it was compiled from.
stale() {
  [ -s "$1" ] && [ -s "$1.d" ] || return 0
  for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$1.d"); do
    [ "$f" -nt "$1" ] && return 0
  done
  return 1
}

objects=""
relink=no
first=""
for s in $sources; do
  [ -n "$first" ] || first=$s
  o="$work/obj/$(echo "$s" | tr '/' '_' | sed 's/\.cc$//').o"
  objects="$objects $o"
  if stale "$o"; then
    rm -f "$o"
    "$clang" $flags -I"$src/include" -MMD -MF "$o.d" -c "$src/$s" -o "$o"
    relink=yes
  fi
done
# Libraries given as link arguments (a CMake-built archive) count too.
for a in $link_args; do
  if [ -f "$a" ] && [ "$a" -nt "$work/$name" ]; then relink=yes; fi
done
if [ "$relink" = yes ] || [ ! -x "$work/$name" ]; then
  "$clang" $flags $objects $link_args -o "$work/$name"
fi

fuzz_dir="$src/$(dirname "$first")"
cp "$fuzz_dir/corpus/$name"/* "$work/corpus/" 2>/dev/null || true
dict=""
[ -f "$fuzz_dir/$name.dict" ] && dict="-dict=$fuzz_dir/$name.dict"
"$work/$name" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 $dict \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus"
