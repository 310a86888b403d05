#!/usr/bin/env bash
# The Opportunities board and a calendar at scale: a release `ivorey serve` on SQLite (or
# PostgreSQL with DATABASE_URL=postgres://...) with OPPORTUNITIES seeded deals (default
# 100,000) in one pipeline and APPOINTMENTS (default 10,000) in one calendar, signed in as the
# location's admin; then wrk at ONE connection against the board (open deals, all statuses),
# the list view (first page, one stage), a deal's page, the calendar's week and the day's
# agenda, printing each page's latency percentiles.
# Usage: [OPPORTUNITIES=n] [APPOINTMENTS=n] [IVOREY_BIN=path] scripts/load_board.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
deals="${OPPORTUNITIES:-100000}"
appointments="${APPOINTMENTS:-10000}"
port="${PORT:-18183}"
bin="${IVOREY_BIN:-target/release/ivorey}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -n "${IVOREY_BIN:-}" ] || cargo build --release -q -p ivorey

data=$(mktemp -d)
db_args=(--data-dir "$data")
if [ -n "${DATABASE_URL:-}" ]; then db_args=(--database-url "$DATABASE_URL"); fi
password="load test password"
email="board$RANDOM@example.com"
loc=$(echo "$password" | "$bin" "${db_args[@]}" admin create-location --name Board \
      --admin-email "$email" --password-stdin)
start=$(date +%s)
IVOREY_LOG=warn "$bin" "${db_args[@]}" seed --location "$loc" --contacts "$deals" \
  --opportunities "$deals" --appointments "$appointments" >/dev/null
echo "seeded $deals contacts and opportunities and $appointments appointments in $(( $(date +%s) - start )) s"
# What autovacuum would do within a minute of a bulk load: the planner's row counts.
if [ -n "${DATABASE_URL:-}" ]; then psql -q "$DATABASE_URL" -c ANALYZE; fi

IVOREY_LOG=warn "$bin" "${db_args[@]}" serve --listen "127.0.0.1:$port" \
  --rate-limit-burst 1000000000 --rate-limit-daily 1000000000 >/dev/null 2>&1 &
server=$!
lua=$(mktemp)
trap 'kill $server 2>/dev/null; rm -f "$lua"; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

cookie=$(curl -s -D - -o /dev/null -X POST "http://127.0.0.1:$port/manage/login" \
  -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}" \
  | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(ivorey_session=[^;]*\).*/\1/p')
base="http://127.0.0.1:$port/l/$loc"
board=$(curl -sf -H "Cookie: $cookie" "$base/opportunities")
deal=$(echo "$board" | grep -o "/l/$loc/opportunities/[A-Za-z0-9]\{20\}\"" | sed -n 1p | tr -d '"')
stage=$(echo "$board" | grep -o 'data-stage="[A-Za-z0-9]\{20\}"' | sed -n 2p | cut -d'"' -f2)
calendar=$(curl -sf -H "Cookie: $cookie" "$base/calendars" \
  | grep -o "/l/$loc/calendars/[A-Za-z0-9]\{20\}?week" | sed -n 1p | cut -d'?' -f1)
echo "wrk.headers[\"Cookie\"] = \"$cookie\"" > "$lua"

printf '%-28s %10s %9s %9s %9s %9s\n' page req/s p50 p90 p99 max
for target in "board, open deals|$base/opportunities" \
              "board, all statuses|$base/opportunities?status=all" \
              "list, first page|$base/opportunities/list" \
              "list, one stage|$base/opportunities/list?stage=$stage" \
              "deal page|http://127.0.0.1:$port$deal" \
              "calendar week|http://127.0.0.1:$port$calendar" \
              "day agenda|$base/calendars"; do
  label="${target%%|*}"; url="${target#*|}"
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$url")
  [ "$status" = 200 ] || { echo "$label answered $status" >&2; exit 1; }
  out=$(wrk -t1 -c1 -d"${secs}s" --latency -s "$lua" "$url")
  rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  pct() { echo "$out" | awk -v p="$1" '$1 == p {print $2}'; }
  max=$(echo "$out" | awk '/Latency/ && !/Distribution/ {print $4; exit}')
  printf '%-28s %10s %9s %9s %9s %9s\n' "$label" "$rate" "$(pct 50%)" "$(pct 90%)" "$(pct 99%)" "$max"
done
