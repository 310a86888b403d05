#!/usr/bin/env bash
# HTTP load measurement: a release `ivorey serve` on a fresh SQLite database (or PostgreSQL with
# DATABASE_URL=postgres://...), one location, one integration, one contact; then wrk against the
# bare /healthz route, an authenticated read served without the database (GET /token/introspect,
# answered from the cached grant), an authenticated GET /contacts/{id} and POST /contacts/.
# Usage: [ROUNDS=3] [IVOREY_BIN=path] scripts/load.sh [seconds per run, default 10] [connections, default 32]
# IVOREY_BIN runs a binary built elsewhere (another commit, for a before/after in one sitting).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
conns="${2:-32}"
port=18181
bin="${IVOREY_BIN:-target/release/ivorey}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -n "${IVOREY_BIN:-}" ] || cargo build --release -q -p ivorey

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

# The machine's speed drifts (shared cores), so the three read routes are measured in turns,
# ROUNDS times (default 3), and each route's median rate and its latencies are reported: a
# ratio compares runs made minutes apart, not one lucky run with another.
rounds="${ROUNDS:-3}"
out=$(mktemp -d)
measure() { wrk -t2 -c"$conns" -d"${secs}s" --latency "${@:2}" > "$out/$1.$round"; }
for round in $(seq 1 "$rounds"); do
  measure bare "http://127.0.0.1:$port/healthz"
  measure introspect -s "$lua" "http://127.0.0.1:$port/token/introspect"
  measure contact -s "$lua" "http://127.0.0.1:$port/contacts/$contact"
done
round=1 measure post -s "$post_lua" "http://127.0.0.1:$port/contacts/"
python3 - "$out" "$rounds" <<'PY'
import re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def read(name, r):
    text = open(f"{out}/{name}.{r}").read()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    lat = dict(re.findall(r"\s(50|99)%\s+(\S+)", text))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return rate, lat, int(errors.group(1)) if errors else 0
def median_run(name, n):
    runs = sorted((read(name, r) for r in range(1, n + 1)), key=lambda x: x[0])
    return runs[len(runs) // 2], [round(x[0]) for x in runs]
bare, bare_all = median_run("bare", rounds)
for name, label, n in [("bare", "bare GET /healthz", rounds),
                       ("introspect", "authenticated GET /token/introspect (no database)", rounds),
                       ("contact", "authenticated GET /contacts/{id}", rounds),
                       ("post", "authenticated POST /contacts/", 1)]:
    (rate, lat, errors), rates = median_run(name, n)
    share = f"{100 * rate / bare[0]:.0f} % of bare" if name != "bare" else "-"
    print(f"== {label}: median {rate:,.0f} req/s ({share}; runs {rates}), "
          f"p50 {lat.get('50')}, p99 {lat.get('99')}, non-2xx {errors}")
PY
rm -rf "$out"
