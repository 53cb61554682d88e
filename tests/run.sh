#!/usr/bin/env bash
# The whole suite: type-check, then the same tests under Deno and under Bun.
# Every stage runs even when an earlier one fails, and the last lines say
# how each went (passed/failed counts, wall time); the exit status is
# non-zero if any stage failed. Logs go to tests/.build/logs/.
set -uo pipefail
cd "$(dirname "$0")/.."
# Deno and Bun are the project's npm dev dependencies.
export PATH="$PWD/node_modules/.bin:$PATH"
logs=tests/.build/logs
mkdir -p "$logs"
summary=()
failed=0

# stage NAME COMMAND...: runs the command with its output shown and logged.
stage() {
  local name=$1; shift
  local start=$SECONDS
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$logs/$name.log"
  local rc=${PIPESTATUS[0]}
  local took=$((SECONDS - start))
  local counts
  counts=$(counts_of "$name")
  [ "$rc" -ne 0 ] && failed=1
  summary+=("$(printf '%-6s %-6s %s (%dm%02ds)' "$name" "$([ "$rc" -eq 0 ] && echo ok || echo FAILED)" "$counts" $((took / 60)) $((took % 60)))")
}

# Bun ends with lines like " 475 pass"; absent kinds count as 0.
bun_count() {
  local n
  n=$(grep -aoE "^ *[0-9]+ $1\$" | tail -1 | grep -oE '[0-9]+')
  echo "${n:-0}"
}

# The passed/failed counts a runner printed at the end of its log.
counts_of() {
  local plain
  plain=$(sed 's/\x1b\[[0-9;]*m//g' "$logs/$1.log")
  case $1 in
    deno) grep -aoE '[0-9]+ passed \| [0-9]+ failed( \| [0-9]+ ignored)?' <<<"$plain" | tail -1 ;;
    bun) echo "$(bun_count pass <<<"$plain") passed | $(bun_count fail <<<"$plain") failed | $(bun_count skip <<<"$plain") skipped" ;;
    *) ;;
  esac
}

stage check deno check mod.ts cli/main.ts tests/
stage deno deno test -A --v8-flags=--expose-gc --parallel tests/
stage bun bun test --timeout 1200000 tests/

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
exit $failed
