#!/bin/sh
# Builds the libFuzzer targets in a separate sanitizer build and runs each
# one briefly over a copy of its seed corpus; exits non-zero if any of them
# finds a crash (or the build fails).
#
#   fuzz/run.sh                  # 20 s per fuzzer
#   FUZZ_SECONDS=300 fuzz/run.sh # longer
#
# Environment:
#   FUZZ_SECONDS    seconds per fuzzer (default 20)
#   FUZZ_BUILD_DIR  the build directory (default <repo>/build-fuzz)
#   FUZZ_JOBS       ninja -j (default 1)
#   MLIR_DIR        (default /usr/lib/llvm-22/lib/cmake/mlir)
#   CC, CXX         (default clang-22, clang++-22; needs libclang-rt-22-dev)
#
# build-fuzz/ compiles the whole tree with
# -fsanitize=fuzzer-no-link,address,undefined but builds only the two fuzz
# targets and what they link (HDPTargetHdpc, HDPISA, HDPReference; LLVM comes from the
# system), not the MLIR dialect or the tools. Re-running reuses the build;
# every run starts from a fresh copy of fuzz/corpus/ (in build-fuzz/corpus/),
# so the repository's seed corpora never change. A crash leaves its input in
# build-fuzz/artifacts/<fuzzer>/ and the log in build-fuzz/logs/<fuzzer>.log;
# reproduce it with: build-fuzz/bin/<fuzzer> <artifact>.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FUZZ_BUILD_DIR:-$SRC/build-fuzz}
SECS=${FUZZ_SECONDS:-20}
JOBS=${FUZZ_JOBS:-1}
MLIR_DIR=${MLIR_DIR:-/usr/lib/llvm-22/lib/cmake/mlir}
CC=${CC:-clang-22}
CXX=${CXX:-clang++-22}
FUZZERS="HdpcReaderFuzzer AccelConfigFuzzer"

say() { echo "fuzz: $*"; }

case $SECS in
  ''|*[!0-9]*) echo "fuzz: error: FUZZ_SECONDS must be a whole number, got '$SECS'" >&2; exit 2 ;;
esac
if ! command -v "$CXX" >/dev/null 2>&1; then
  echo "fuzz: error: $CXX not found (apt-get install -y clang-22 libclang-rt-22-dev)" >&2
  exit 2
fi
# libFuzzer's runtime comes with compiler-rt (Debian: libclang-rt-22-dev).
RT=$("$CXX" -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)
if [ "${RT#/}" = "$RT" ] || [ ! -f "$RT" ]; then
  RTDIR=$("$CXX" -print-resource-dir 2>/dev/null || true)
  if ! ls "$RTDIR"/lib/*/libclang_rt.fuzzer*.a >/dev/null 2>&1; then
    echo "fuzz: error: libFuzzer runtime not found for $CXX" \
         "(Debian: apt-get install -y libclang-rt-22-dev)" >&2
    exit 2
  fi
fi

START=$(date +%s)
SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1"
say "configuring $BUILD"
cmake -G Ninja -S "$SRC" -B "$BUILD" \
  -DMLIR_DIR="$MLIR_DIR" \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_FLAGS="$SAN" -DCMAKE_CXX_FLAGS="$SAN" \
  -DHDP_BUILD_FUZZERS=ON -DHDP_BUILD_TESTS=OFF -DHDP_BUILD_UNITTESTS=OFF \
  >"$BUILD.configure.log" 2>&1 || {
    cat "$BUILD.configure.log" >&2
    echo "fuzz: error: cmake failed" >&2
    exit 1
  }
mkdir -p "$BUILD/logs"
mv "$BUILD.configure.log" "$BUILD/logs/configure.log"
say "building $FUZZERS (ninja -j$JOBS)"
# shellcheck disable=SC2086
ninja -C "$BUILD" -j"$JOBS" $FUZZERS >"$BUILD/logs/build.log" 2>&1 || {
  tail -n 40 "$BUILD/logs/build.log" >&2
  echo "fuzz: error: build failed (log: $BUILD/logs/build.log)" >&2
  exit 1
}
BUILT=$(date +%s)
say "built in $((BUILT - START)) s"

corpus_of() {
  case $1 in
    HdpcReaderFuzzer) echo hdpc ;;
    AccelConfigFuzzer) echo config ;;
  esac
}

FAILED=""
for f in $FUZZERS; do
  seeds="$SRC/fuzz/corpus/$(corpus_of "$f")"
  corpus="$BUILD/corpus/$f"
  artifacts="$BUILD/artifacts/$f"
  log="$BUILD/logs/$f.log"
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  cp "$seeds"/* "$corpus"/
  say "running $f for $SECS s over a copy of fuzz/corpus/$(corpus_of "$f")"
  rc=0
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$BUILD/bin/$f" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" \
      >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  if [ "$rc" -ne 0 ]; then
    say "$f: FAILED (exit $rc) after ${runs:-?} runs; log: $log"
    grep -E 'ERROR: |runtime error|Fuzzer: |SUMMARY' "$log" | head -n 10 >&2 || true
    ls "$artifacts" | sed "s|^|fuzz:   artifact: $artifacts/|" >&2
    FAILED="$FAILED $f"
  else
    say "$f: ok, ${runs:-?} runs, coverage ${cov:-?}, corpus $(ls "$corpus" | wc -l) inputs"
  fi
done

say "total $(($(date +%s) - START)) s"
if [ -n "$FAILED" ]; then
  echo "fuzz: error: crash found by:$FAILED" >&2
  exit 1
fi
