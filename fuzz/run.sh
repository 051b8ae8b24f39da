#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 8) over its seed corpus and fails
# on the first crash, leak, timeout or sanitizer report. New inputs go to a scratch
# corpus, never into fuzz/corpus/. A crashing input is kept in ARTIFACTS (default
# build-fuzz/artifacts); replay it with `build-fuzz/<target> <file>`.
#
#   fuzz/run.sh [BUILD_DIR] [SECONDS] [TARGET...]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build-fuzz}
seconds=${2:-8}
shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz_partition_filter fuzz_names fuzz_stored_values fuzz_admin_api fuzz_thrift_request)
fi
artifacts=${ARTIFACTS:-$build/artifacts}
mkdir -p "$artifacts"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  echo "fuzz: $t for ${seconds}s"
  if ! "$build/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
      "$scratch/$t" "$here/corpus/$t" > "$scratch/$t.log" 2>&1; then
    tail -n 60 "$scratch/$t.log"
    echo "fuzz: $t FAILED; the input is in $artifacts/ (add it to fuzz/corpus/$t/ once fixed)"
    exit 1
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added" "$scratch/$t.log" | tr '\n' ' '
  echo
done
echo "fuzz: all ${#targets[@]} targets ran clean"
