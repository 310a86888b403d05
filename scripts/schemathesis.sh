#!/usr/bin/env bash
# Schemathesis (property-based API testing, from PyPI) against our own /openapi.json for a
# bounded time: every public operation, called with a token that has every scope the document
# names, must never answer 5xx and must answer in the documented shape and content type.
#   scripts/schemathesis.sh [seconds, default 120] [path to the ivorey binary]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-120}"
ivorey="$(realpath "${2:-target/debug/ivorey}")"
venv="${SCHEMATHESIS_VENV:-$HOME/.cache/ivorey-schemathesis}"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi

work="$(mktemp -d)"
port="${SCHEMATHESIS_PORT:-18090}"
base="http://127.0.0.1:$port"
export IVOREY_DATA_DIR="$work/data" IVOREY_LOG=warn
"$ivorey" serve --listen "127.0.0.1:$port" --rate-limit-burst 100000000 \
  --rate-limit-daily 100000000 >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done

location="$("$ivorey" admin create-location --name Schemathesis --admin-email st@example.com \
  --password-stdin <<<"correct horse battery staple")"
scopes="$(curl -fs "$base/openapi.json" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
names = {s for item in doc["paths"].values() for op in item.values()
         for req in op.get("security", []) for s in req.get("bearer", [])}
print(",".join(sorted(names)))')"
token="$("$ivorey" integrations create --location "$location" --name schemathesis \
  --scopes "$scopes" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"

# The location's id goes wherever an operation asks for one, so calls reach real data rather
# than only 403s; everything else is generated.
cat >"$work/schemathesis.toml" <<TOML
[parameters]
"path.locationId" = "$location"
"query.locationId" = "$location"
"query.location_id" = "$location"
"query.altId" = "$location"
TOML
failed=0
"$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" run "$base/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance \
  --max-time "$seconds" --workers 2 --suppress-health-check all || failed=1
if grep -q "panicked" "$work/server.log"; then
  echo "the server panicked:"; grep -A5 panicked "$work/server.log"; failed=1
fi
exit $failed
