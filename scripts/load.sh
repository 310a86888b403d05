#!/usr/bin/env bash
# HTTP load measurement: a release `ivorey serve` on a fresh SQLite database (or PostgreSQL with
# DATABASE_URL=postgres://...), one location, one integration, one contact; then wrk against the
# bare /healthz route, an authenticated read served without the database (GET /token/introspect,
# answered from the cached grant), an authenticated GET /contacts/{id} and POST /contacts/.
# Usage: scripts/load.sh [seconds per run, default 10] [connections, default 32]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
conns="${2:-32}"
port=18181
bin=target/release/ivorey
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p ivorey

data=$(mktemp -d)
db_args=(--data-dir "$data")
if [ -n "${DATABASE_URL:-}" ]; then db_args=(--database-url "$DATABASE_URL"); fi

loc=$(echo 'load test password' | "$bin" "${db_args[@]}" admin create-location --name Load \
      --admin-email "load$RANDOM@example.com" --password-stdin)
token=$("$bin" "${db_args[@]}" integrations create --location "$loc" --name wrk \
        --scopes contacts.readonly,contacts.write --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# Limits far above what one machine can send, so the run measures the server, not the limiter.
IVOREY_LOG=warn "$bin" "${db_args[@]}" serve --listen "127.0.0.1:$port" \
  --rate-limit-burst 1000000000 --rate-limit-daily 1000000000 >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

contact=$(curl -sf -X POST "http://127.0.0.1:$port/contacts/" -H "Authorization: Bearer $token" \
  -H 'Version: 2021-07-28' -H 'Content-Type: application/json' \
  -d "{\"locationId\":\"$loc\",\"firstName\":\"Load\",\"email\":\"load@example.com\"}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["contact"]["id"])')

lua=$(mktemp)
cat > "$lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Version"] = "2021-07-28"
wrk.headers["Content-Type"] = "application/json"
LUA
post_lua=$(mktemp)
cat > "$post_lua" <<LUA
wrk.method = "POST"
wrk.body = '{"locationId":"$loc","firstName":"Wrk","email":"wrk@example.com"}'
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Version"] = "2021-07-28"
wrk.headers["Content-Type"] = "application/json"
LUA

run() { echo "== $1"; wrk -t2 -c"$conns" -d"${secs}s" --latency "${@:2}" | grep -E 'Requests/sec|50%|99%|Non-2xx'; }
run "bare GET /healthz" "http://127.0.0.1:$port/healthz"
run "authenticated GET /token/introspect (no database)" -s "$lua" "http://127.0.0.1:$port/token/introspect"
run "authenticated GET /contacts/{id}" -s "$lua" "http://127.0.0.1:$port/contacts/$contact"
run "authenticated POST /contacts/" -s "$post_lua" "http://127.0.0.1:$port/contacts/"
