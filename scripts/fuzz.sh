#!/usr/bin/env bash
# Coverage-guided fuzzing with cargo fuzz (libFuzzer) for a bounded time per target:
#   scripts/fuzz.sh [seconds per target, default 60]
# Targets: `token` (the token parser) and `json_bodies` (every JSON body of the public API,
# through the real router on SQLite). Built without a sanitizer (`-s none`), which works on the
# stable toolchain; safe Rust needs none for memory errors, and a panic or a 5xx is a finding.
# Seeds are in fuzz/seeds/<target>; the growing corpus goes to a temp folder.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked --version 0.13.2
cargo fuzz build -s none -O
for target in token json_bodies; do
  corpus="$(mktemp -d)"
  echo "fuzzing $target for ${seconds}s"
  log="$corpus.log"
  if ! cargo fuzz run -s none -O "$target" "$corpus" "seeds/$target" -- \
      -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    # A finding: show the panic and the input libFuzzer saved under fuzz/artifacts/.
    grep -v '^ *at \|^ *[0-9]*: ' "$log" | tail -40
    echo "cargo fuzz found a failing input for $target"; exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_units)' "$log"
  rm -rf "$corpus"
done
