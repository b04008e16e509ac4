#!/usr/bin/env bash
# fuzz/run.sh SECONDS NAME... - runs each built libFuzzer harness build/fuzz/NAME
# (`make fuzz` builds them and calls this; so does tests/fuzz.test.js) for SECONDS
# and prints one line per harness:
#   fuzz: NAME: E executions in S s, corpus F files (K KB), 0 crashes
# and, for anything it finds, a line naming the reproducer and how to rerun it:
#   fuzz: NAME: crash, reproducer build/fuzz/artifacts/NAME/crash-... (rerun: build/fuzz/NAME FILE)
# The corpus it grows is build/fuzz/corpus/NAME (never committed); it also reads the
# seeds named on the harness's "seeds: SET" line: fuzz/seeds/SET (committed) and
# build/fuzz/seeds/SET (written at build time by fuzz/make_seeds.c). The exit status
# is 1 if any harness found something. libFuzzer's own output: build/fuzz/logs/NAME.log.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: fuzz/run.sh SECONDS NAME..." >&2
  exit 2
fi
seconds=$1
shift
status=0
for name in "$@"; do
  set=$(sed -n 's/^ \* seeds: \([a-z0-9_]*\).*/\1/p' "fuzz/$name.c" | head -n 1)
  corpus=build/fuzz/corpus/$name artifacts=build/fuzz/artifacts/$name log=build/fuzz/logs/$name.log
  mkdir -p "$corpus" "$artifacts" build/fuzz/logs
  dirs=("$corpus")
  for d in "fuzz/seeds/$set" "build/fuzz/seeds/$set"; do
    if [ -n "$set" ] && [ -d "$d" ]; then dirs+=("$d"); fi
  done
  "build/fuzz/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "${dirs[@]}" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  [ -n "$execs" ] || execs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
  mapfile -t found < <(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log")
  files=$(find "$corpus" -type f | wc -l)
  kb=$(du -sk "$corpus" | cut -f1)
  echo "fuzz: $name: ${execs:-0} executions in $seconds s, corpus $files files ($kb KB), ${#found[@]} crashes"
  for f in "${found[@]}"; do
    kind=$(basename "$f" | cut -d- -f1)
    echo "fuzz: $name: $kind, reproducer $f (rerun: build/fuzz/$name $f; log $log)"
  done
  if [ ${#found[@]} -gt 0 ]; then
    status=1
  elif [ $rc -ne 0 ]; then
    echo "fuzz: $name: libFuzzer exited with status $rc and wrote no reproducer (log $log)"
    status=1
  fi
done
exit $status
