# Shared by the HTTP benchmarks: start ting and nginx on loopback, measure with wrk.
# Only 127.0.0.1 is ever a target.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TING=${TING:-$ROOT/build/ting}
WORK=$(mktemp -d /tmp/ting-bench.XXXXXX)
chmod 755 "$WORK"  # nginx workers (www-data) read the static copy
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# start_ting DB PORT: serves DB on 127.0.0.1:PORT without an access log, waits until up.
start_ting() {
  local db=$1 port=$2
  echo '{"access_log": false}' > "$WORK/ting.json"
  "$TING" serve --db "$db" --listen "127.0.0.1:$port" --config "$WORK/ting.json" > "$WORK/ting.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "ting did not start:"; cat "$WORK/ting.log"; exit 1
}

# start_nginx DIR PORT: serves DIR as static files, no access log, a worker per core.
start_nginx() {
  local dir=$1 port=$2
  mkdir -p "$WORK/nginx"
  chmod -R a+rX "$dir"
  cat > "$WORK/nginx/nginx.conf" <<NGX
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/html;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  server { listen 127.0.0.1:$port; root $dir; location / { try_files \$uri \$uri/index.html =404; } }
}
NGX
  nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
  PIDS+=($!)
  for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "nginx did not start:"; cat "$WORK/nginx/error.log"; exit 1
}

# rps URL: requests per second from wrk (2 threads, 64 connections, ${DURATION:-10}s).
rps() {
  wrk -t2 -c64 -d"${DURATION:-10}"s --latency "$1" > "$WORK/wrk.out" 2>&1
  awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out"
}
p99() { awk '$1=="99%" {print $2}' "$WORK/wrk.out"; }
