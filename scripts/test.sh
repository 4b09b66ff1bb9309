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

# Every parser's libFuzzer target, 10 s each, two at a time (a separate
# sanitizer build in build-fuzz/; fuzz/README.md). Before ctest, so that
# ctest's summary closes the output.
FUZZ_SECONDS=${FUZZ_SECONDS:-10} bash fuzz/run.sh
frc=$?
t2=$(now)
echo "== fuzz: $(elapsed "$t1" "$t2") (exit $frc)"

ctest --test-dir "$BUILD_DIR" --output-on-failure -j2
rc=$?
t3=$(now)
echo "== tests: $(elapsed "$t2" "$t3") (exit $rc)"
echo "== total: $(elapsed "$t0" "$t3")"
if ((rc == 0 && frc != 0)); then
  rc=$frc
fi
exit "$rc"
