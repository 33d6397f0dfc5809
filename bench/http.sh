#!/usr/bin/env bash
# A page rendered by ting against nginx serving the same bytes as a static file, in one run.
source "$(dirname "$0")/lib.sh"
"$TING" demo --db "$WORK/bench.db" > /dev/null
start_ting "$WORK/bench.db" 18080
mkdir -p "$WORK/static"
curl -fsS http://127.0.0.1:18080/ -o "$WORK/static/index.html"
start_nginx "$WORK/static" 18081
ting=$(rps http://127.0.0.1:18080/); ting_p99=$(p99)
nginx=$(rps http://127.0.0.1:18081/); nginx_p99=$(p99)
bytes=$(wc -c < "$WORK/static/index.html")
printf 'start page (%s bytes), wrk -t2 -c64 -d%ss on %s cores\n' "$bytes" "${DURATION:-10}" "$(nproc)"
printf '  ting (rendered)   %10.0f req/s   p99 %s\n' "$ting" "$ting_p99"
printf '  nginx (static)    %10.0f req/s   p99 %s\n' "$nginx" "$nginx_p99"
awk -v a="$ting" -v b="$nginx" 'BEGIN { printf "  ratio ting/nginx  %10.2f (goal >= 0.5)\n", a / b }'
