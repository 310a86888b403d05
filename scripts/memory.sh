#!/usr/bin/env bash
# Resident memory with many integrations cached: seeds N integrations (default 10,000) and
# 1,000 contacts, starts a release `ivorey serve`, reads its RSS, then calls GET /token/introspect
# with every token (wrk cycling through them) so each grant is cached, and reads RSS and the
# cache's entry count from /metrics again.
#   scripts/memory.sh [integrations, default 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-10000}"
port=18183
bin=target/release/ivorey
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p ivorey

data=$(mktemp -d)
tokens="$data/tokens.txt"
"$bin" --data-dir "$data" seed --contacts 1000 --integrations "$count" --tokens-file "$tokens" >/dev/null
IVOREY_LOG=warn "$bin" --data-dir "$data" serve --listen "127.0.0.1:$port" \
  --rate-limit-burst 1000000000 --rate-limit-daily 1000000000 >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' "/proc/$server/status"; }
echo "RSS after start: $(rss)"

lua=$(mktemp)
cat > "$lua" <<LUA
local tokens = {}
for line in io.lines("$tokens") do tokens[#tokens + 1] = line end
local i = 0
local started = 0
function setup(thread)
  thread:set("offset", started * 4999)
  started = started + 1
end
request = function()
  i = i + 1
  local token = tokens[((i + (offset or 0)) % #tokens) + 1]
  return wrk.format("GET", "/token/introspect", {["Authorization"] = "Bearer " .. token})
end
LUA
wrk -t2 -c16 -d10s "http://127.0.0.1:$port/token/introspect" -s "$lua" | grep -E 'Requests/sec|Non-2xx' || true
entries=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^ivorey_token_cache_entries/ {print $2}')
echo "RSS with $entries grants cached: $(rss)"
