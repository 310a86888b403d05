#!/usr/bin/env bash
# The CRM pages at scale: a release `ivorey serve` on SQLite (or PostgreSQL with
# DATABASE_URL=postgres://...) with CONTACTS seeded contacts (default 1,000,000), signed in as
# the location's admin; then wrk at ONE connection against the dashboard, the contacts list, a
# search, a tag filter and a contact's page, printing each page's latency percentiles.
# Usage: [CONTACTS=n] [IVOREY_BIN=path] scripts/load_pages.sh [seconds per page, default 10]
# A location seeded before: SEEDED_LOCATION=id ADMIN_EMAIL=email [ADMIN_PASSWORD=...] (with
# DATABASE_URL, or DATA_DIR for SQLite) skips the setup and the seeding.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
contacts="${CONTACTS:-1000000}"
port="${PORT:-18182}"
bin="${IVOREY_BIN:-target/release/ivorey}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -n "${IVOREY_BIN:-}" ] || cargo build --release -q -p ivorey

# A DATA_DIR given is kept; a temporary one is removed at the end.
if [ -n "${DATA_DIR:-}" ]; then data="$DATA_DIR"; scratch=""; else data=$(mktemp -d); scratch="$data"; fi
db_args=(--data-dir "$data")
if [ -n "${DATABASE_URL:-}" ]; then db_args=(--database-url "$DATABASE_URL"); fi
password="${ADMIN_PASSWORD:-load test password}"
if [ -n "${SEEDED_LOCATION:-}" ]; then
  # A location seeded before (by `ivorey seed`), signed in as its admin ADMIN_EMAIL.
  loc="$SEEDED_LOCATION"
  email="${ADMIN_EMAIL:?set ADMIN_EMAIL to the admin of SEEDED_LOCATION}"
else
  email="pages$RANDOM@example.com"
  loc=$(echo "$password" | "$bin" "${db_args[@]}" admin create-location --name Pages \
        --admin-email "$email" --password-stdin)
  start=$(date +%s)
  IVOREY_LOG=warn "$bin" "${db_args[@]}" seed --location "$loc" --contacts "$contacts" >/dev/null
  echo "seeded $contacts contacts in $(( $(date +%s) - start )) s"
fi

IVOREY_LOG=warn "$bin" "${db_args[@]}" serve --listen "127.0.0.1:$port" \
  --rate-limit-burst 1000000000 --rate-limit-daily 1000000000 >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; [ -z "$scratch" ] || rm -rf "$scratch"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

cookie=$(curl -s -D - -o /dev/null -X POST "http://127.0.0.1:$port/manage/login" \
  -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}" \
  | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(ivorey_session=[^;]*\).*/\1/p')
base="http://127.0.0.1:$port/l/$loc"
# A contact in the middle of the list, and a word of its name to search for.
page=$(curl -sf -H "Cookie: $cookie" "$base/contacts")
contact=$(echo "$page" | grep -o "/l/$loc/contacts/[A-Za-z0-9]\{20\}\"" | head -n 1 | tr -d '"')
name=$(curl -sf -H "Cookie: $cookie" "http://127.0.0.1:$port$contact" \
  | sed -n 's/.*<h1>\([A-Za-z]*\).*/\1/p' | head -n 1 | tr 'A-Z' 'a-z')
lua=$(mktemp)
echo "wrk.headers[\"Cookie\"] = \"$cookie\"" > "$lua"
trap 'kill $server 2>/dev/null; rm -f "$lua"; [ -z "$scratch" ] || rm -rf "$scratch"' EXIT

printf '%-28s %10s %9s %9s %9s %9s\n' page req/s p50 p90 p99 max
for target in "dashboard|$base/dashboard" "contacts list|$base/contacts" \
              "search \"$name\"|$base/contacts?q=$name" "search \"${name:0:3}\"|$base/contacts?q=${name:0:3}" \
              "tag filter|$base/contacts?tag=lead" "sorted by last name|$base/contacts?sort=last" \
              "contact page|http://127.0.0.1:$port$contact"; do
  label="${target%%|*}"; url="${target#*|}"
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$url")
  [ "$status" = 200 ] || { echo "$label answered $status" >&2; exit 1; }
  out=$(wrk -t1 -c1 -d"${secs}s" --latency -s "$lua" "$url")
  rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  pct() { echo "$out" | awk -v p="$1" '$1 == p {print $2}'; }
  max=$(echo "$out" | awk '/Latency/ && !/Distribution/ {print $4; exit}')
  printf '%-28s %10s %9s %9s %9s %9s\n' "$label" "$rate" "$(pct 50%)" "$(pct 90%)" "$(pct 99%)" "$max"
done
