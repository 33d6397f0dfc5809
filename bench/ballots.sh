#!/usr/bin/env bash
# Durable ballots per second over HTTP with many concurrent voters (SQLite, fsync per group
# commit), and the proposal list page with 120 proposals against nginx serving the same bytes.
source "$(dirname "$0")/lib.sh"
SEED="$ROOT/build/bench/ballots/ballot_seed"
VOTERS=${VOTERS:-20000}
"$SEED" --db "$WORK/ballots.db" --voters "$VOTERS" --proposals 120 --tokens "$WORK/tokens.txt" --projects "$WORK/projects.txt"
start_ting "$WORK/ballots.db" 18090

# Ballots: 256 connections, each request a different voter.
export TING_TOKENS="$WORK/tokens.txt" TING_PROJECTS
TING_PROJECTS=$(cat "$WORK/projects.txt")
wrk -t2 -c256 -d"${DURATION:-10}"s -s "$(dirname "$0")/ballots.lua" http://127.0.0.1:18090 > "$WORK/ballots.out" 2>&1
ok=$(awk '/^ballots_ok/ {print $2}' "$WORK/ballots.out")
failed=$(awk '/^ballots_failed/ {print $2}' "$WORK/ballots.out")
rate=$(awk '/Requests\/sec/ {print $2}' "$WORK/ballots.out")
p99=$(awk '/^p99_ms/ {print $2}' "$WORK/ballots.out")
printf 'durable ballots over HTTP (%s voters, wrk -t2 -c256 -d%ss, %s cores)\n' "$VOTERS" "${DURATION:-10}" "$(nproc)"
printf '  accepted %s, refused %s\n' "$ok" "$failed"
printf '  ballots/s          %10.0f (goal >= 20000)\n' "$rate"
printf '  p99                %10s ms (goal < 50)\n' "$p99"
if [ "${failed:-1}" != "0" ]; then echo "  FAILED: some ballots were refused"; grep -v '^ballots' "$WORK/ballots.out" | head -5; fi

# The proposal list page against nginx serving the same bytes.
mkdir -p "$WORK/static"
curl -fsS "http://127.0.0.1:18090/processes/bench/proposals" -o "$WORK/static/index.html"
start_nginx "$WORK/static" 18091
page=$(rps http://127.0.0.1:18090/processes/bench/proposals); page_p99=$(p99)
nginx=$(rps http://127.0.0.1:18091/); nginx_p99=$(p99)
printf 'proposal list page, 120 proposals (%s bytes)\n' "$(wc -c < "$WORK/static/index.html")"
printf '  ting (rendered)   %10.0f req/s   p99 %s\n' "$page" "$page_p99"
printf '  nginx (static)    %10.0f req/s   p99 %s\n' "$nginx" "$nginx_p99"
awk -v a="$page" -v b="$nginx" 'BEGIN { printf "  ratio ting/nginx  %10.2f (goal >= 0.5)\n", a / b }'
