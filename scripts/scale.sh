#!/usr/bin/env bash
# Contacts list and search at scale: seeds one location with N contacts (default 1,000,000) with
# `ivorey seed`, starts a release `ivorey serve`, and runs wrk (latency percentiles) on the first
# page of the list, a deep keyset page, and POST /contacts/search by tag, by email and by text.
# SQLite by default; PostgreSQL with DATABASE_URL=postgres://... (use an empty database, or set
# SCALE_LOCATION to measure a location seeded by an earlier run). SCALE_DATA_DIR keeps the SQLite
# database there (seeded once; with SCALE_LOCATION set it is measured again, not seeded).
#   scripts/scale.sh [contacts, default 1000000] [seconds per run, default 10] [connections, 8]
# (1 connection measures each query's own latency; 8 adds the queueing of two cores.)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000000}"
secs="${2:-10}"
conns="${3:-8}"
port=18182
bin=target/release/ivorey
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p ivorey

data="${SCALE_DATA_DIR:-$(mktemp -d)}"
keep="${SCALE_DATA_DIR:+yes}"
db_args=(--data-dir "$data")
if [ -n "${DATABASE_URL:-}" ]; then db_args=(--database-url "$DATABASE_URL"); fi
if [ -n "${SCALE_LOCATION:-}" ]; then
  # Measure an already seeded location again (PostgreSQL keeps it; SQLite with SCALE_DATA_DIR).
  loc="$SCALE_LOCATION"
  token=$("$bin" "${db_args[@]}" integrations create --location "$loc" --name scale \
          --scopes contacts.readonly,contacts.write --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
else
  seed_args=("${db_args[@]}")
  if [ -n "${DATABASE_URL:-}" ]; then
    # Setup only: the seed need not wait for each commit to reach the disk (the server does).
    sep='?'; [[ "$DATABASE_URL" == *\?* ]] && sep='&'
    seed_args=(--database-url "${DATABASE_URL}${sep}options=-c%20synchronous_commit%3Doff")
  fi
  start=$(date +%s)
  summary=$("$bin" "${seed_args[@]}" seed --contacts "$count" --integrations 1)
  echo "seeded $count contacts in $(( $(date +%s) - start )) s"
  loc=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["locationId"])' "$summary")
  token=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["token"])' "$summary")
fi
if [ -n "${DATABASE_URL:-}" ]; then
  # What autovacuum does in production (it is off on some machines, this one included): the
  # visibility map and planner statistics, without which no index-only scan or good plan.
  psql "$DATABASE_URL" -qc "VACUUM ANALYZE"
fi

IVOREY_LOG=warn "$bin" "${db_args[@]}" serve --listen "127.0.0.1:$port" \
  --rate-limit-burst 1000000000 --rate-limit-daily 1000000000 >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; [ -n "$keep" ] || rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
auth=(-H "Authorization: Bearer $token" -H 'Version: 2021-07-28' -H 'Content-Type: application/json')

# The cursor after the first 100, for a keyset page (its cost does not grow with depth).
page=$(curl -sf "${auth[@]}" "$base/contacts/?locationId=$loc&limit=100")
deep=$(python3 -c 'import json,sys; m=json.loads(sys.argv[1])["meta"]; print("startAfter=%s&startAfterId=%s" % (m["startAfter"], m["startAfterId"]))' "$page")
email=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["contacts"][50]["email"])' "$page")

get_lua=$(mktemp)
cat > "$get_lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Version"] = "2021-07-28"
LUA
post_lua() {
  local f; f=$(mktemp)
  cat > "$f" <<LUA
wrk.method = "POST"
wrk.body = '$1'
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Version"] = "2021-07-28"
wrk.headers["Content-Type"] = "application/json"
LUA
  echo "$f"
}
threads=$(( conns < 2 ? conns : 2 ))
# Each query first runs 1 s unmeasured: the first requests of a query read its index pages
# from the OS into each connection's cache (30-70 ms for two common words), and the table
# reports the steady state.
run() {
  echo "== $1"
  wrk -t"$threads" -c"$conns" -d1s "${@:2}" >/dev/null
  wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "${@:2}" | grep -E 'Requests/sec|50%|99%|Non-2xx'
}
run "GET /contacts/ first page (20)" -s "$get_lua" "$base/contacts/?locationId=$loc&limit=20"
run "GET /contacts/ next keyset page (20 after 100)" -s "$get_lua" "$base/contacts/?locationId=$loc&limit=20&$deep"
run "POST /contacts/search tag vip, newest first (20)" -s "$(post_lua "{\"locationId\":\"$loc\",\"pageLimit\":20,\"filters\":[{\"field\":\"tags\",\"operator\":\"contains\",\"value\":[\"vip\"]}],\"sort\":[{\"field\":\"dateAdded\",\"direction\":\"desc\"}]}")" "$base/contacts/search"
run "POST /contacts/search email eq" -s "$(post_lua "{\"locationId\":\"$loc\",\"pageLimit\":20,\"filters\":[{\"field\":\"email\",\"operator\":\"eq\",\"value\":\"$email\"}]}")" "$base/contacts/search"
run "POST /contacts/search last name sort asc (20)" -s "$(post_lua "{\"locationId\":\"$loc\",\"pageLimit\":20,\"sort\":[{\"field\":\"lastNameLowerCase\",\"direction\":\"asc\"}]}")" "$base/contacts/search"
# Words of the seeded data from common to absent: a surname, an email word, a phone prefix.
for q in garcia lopez2 lopez12 55500012 zzzz "olga lopez"; do
  run "POST /contacts/search query '$q' (20)" -s "$(post_lua "{\"locationId\":\"$loc\",\"pageLimit\":20,\"query\":\"$q\"}")" "$base/contacts/search"
done
run "GET /contacts/?query=garcia (20)" -s "$get_lua" "$base/contacts/?locationId=$loc&limit=20&query=garcia"
