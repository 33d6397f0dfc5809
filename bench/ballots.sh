#!/usr/bin/env bash
# Durable ballots per second over HTTP with many concurrent voters (SQLite, fsync per group
# commit), and the proposal list page with 120 proposals against nginx serving the same bytes.
source "$(dirname "$0")/lib.sh"
SEED="$ROOT/build/bench/ballots/ballot_seed"
VOTERS=${VOTERS:-20000}
"$SEED" --db "$WORK/ballots.db" --voters "$VOTERS" --proposals 120 --tokens "$WORK/tokens.txt" --projects "$WORK/projects.txt"
# Each budget is measured on its own copy of the seeded database, so neither run starts with
# the other's ballots.
for f in "$WORK"/ballots.db*; do cp "$f" "${f/ballots.db/open.db}"; done
start_ting "$WORK/ballots.db" 18090
start_ting "$WORK/open.db" 18092

# Ballots: 256 connections, each request a different voter. First budget "b" (residents of the
# register: the ballot's write looks the voter's person up and checks district and age), then
# budget "o" (any account: no look-up), in the same run.
export TING_TOKENS="$WORK/tokens.txt" TING_PROJECTS TING_BUDGET
declare -A rate p99
for budget in b o; do
  TING_BUDGET=$budget
  TING_PROJECTS=$(sed -n "$([ "$budget" = b ] && echo 1 || echo 2)p" "$WORK/projects.txt")
  port=$([ "$budget" = b ] && echo 18090 || echo 18092)
  wrk -t2 -c256 -d"${DURATION:-10}"s -s "$(dirname "$0")/ballots.lua" "http://127.0.0.1:$port" > "$WORK/ballots-$budget.out" 2>&1
  ok=$(awk '/^ballots_ok/ {print $2}' "$WORK/ballots-$budget.out")
  failed=$(awk '/^ballots_failed/ {print $2}' "$WORK/ballots-$budget.out")
  rate[$budget]=$(awk '/Requests\/sec/ {print $2}' "$WORK/ballots-$budget.out")
  p99[$budget]=$(awk '/^p99_ms/ {print $2}' "$WORK/ballots-$budget.out")
  label=$([ "$budget" = b ] && echo "register budget (eligibility checked)" || echo "open budget (any account)")
  printf 'durable ballots over HTTP, %s (%s voters, wrk -t2 -c256 -d%ss, %s cores)\n' "$label" "$VOTERS" "${DURATION:-10}" "$(nproc)"
  printf '  accepted %s, refused %s\n' "$ok" "$failed"
  printf '  ballots/s          %10.0f (goal >= 20000)\n' "${rate[$budget]}"
  printf '  p99                %10s ms (goal < 50)\n' "${p99[$budget]}"
  if [ "${failed:-1}" != "0" ]; then echo "  FAILED: some ballots were refused"; grep -v '^ballots' "$WORK/ballots-$budget.out" | head -5; fi
done
awk -v a="${rate[b]}" -v b="${rate[o]}" 'BEGIN { printf "  ratio register/open %9.2f (goal >= 0.9: eligibility costs one indexed look-up)\n", a / b }'

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
