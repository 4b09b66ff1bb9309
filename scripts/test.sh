#!/usr/bin/env bash
# Set up and build (scripts/setup.sh), then run every test with ctest.
# The exit code is ctest's (or setup's, if that fails). BUILD_DIR and JOBS as
# in setup.sh.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR=${BUILD_DIR:-build}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f s", b - a }'; }

t0=$(now)
bash scripts/setup.sh
rc=$?
t1=$(now)
echo "== setup + build: $(elapsed "$t0" "$t1") (exit $rc)"
if ((rc != 0)); then
  exit "$rc"
fi

ctest --test-dir "$BUILD_DIR" --output-on-failure -j2
rc=$?
t2=$(now)
echo "== tests: $(elapsed "$t1" "$t2") (exit $rc)"
echo "== total: $(elapsed "$t0" "$t2")"
exit "$rc"
