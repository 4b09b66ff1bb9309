#!/bin/sh
# Builds the libFuzzer targets in a separate sanitizer build and runs each
# one over a copy of its seed corpus; exits non-zero if any of them finds a
# crash (or the build fails).
#
#   fuzz/run.sh                  # 10 s per fuzzer (the test command's step)
#   fuzz/run.sh --long           # 10 million executions per fuzzer
#   FUZZ_SECONDS=900 fuzz/run.sh # any other length
#   fuzz/run.sh NpyReaderFuzzer  # only the fuzzers named
#
# Environment:
#   FUZZ_SECONDS    seconds per fuzzer (default 10; with --long no limit)
#   FUZZ_RUNS       executions per fuzzer with --long (default 10000000)
#   FUZZ_BUILD_DIR  the build directory (default <repo>/build-fuzz)
#   FUZZ_JOBS       ninja -j, and how many fuzzers run at once (default 2)
#   MLIR_DIR        (default /usr/lib/llvm-22/lib/cmake/mlir)
#   CC, CXX         (default clang-22, clang++-22; needs libclang-rt-22-dev)
#
# build-fuzz/ compiles the whole tree with
# -fsanitize=fuzzer-no-link,address,undefined but builds only the fuzz
# targets and what they link (LLVM and MLIR come from the system). Re-running
# reuses the build; every run starts from a fresh copy of fuzz/corpus/ (in
# build-fuzz/corpus/), so the repository's seed corpora never change. A crash
# leaves its input in build-fuzz/artifacts/<fuzzer>/ and the log in
# build-fuzz/logs/<fuzzer>.log; reproduce it with:
# build-fuzz/bin/<fuzzer> <artifact>.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FUZZ_BUILD_DIR:-$SRC/build-fuzz}
LONG=0
ONLY=""
for arg in "$@"; do
  case $arg in
    --long) LONG=1 ;;
    -*) echo "fuzz: error: unknown option '$arg' (expected --long or fuzzer names)" >&2; exit 2 ;;
    *) ONLY="$ONLY $arg" ;;
  esac
done
# libFuzzer: -runs=-1 and -max_total_time=0 mean "no limit".
if [ "$LONG" = 1 ]; then
  SECS=${FUZZ_SECONDS:-0}
  RUNS=${FUZZ_RUNS:-10000000}
else
  SECS=${FUZZ_SECONDS:-10}
  RUNS=-1
fi
JOBS=${FUZZ_JOBS:-2}
MLIR_DIR=${MLIR_DIR:-/usr/lib/llvm-22/lib/cmake/mlir}
CC=${CC:-clang-22}
CXX=${CXX:-clang++-22}
# One line per fuzzer: name, seed directory under fuzz/corpus/, largest input
# (-max_len). The two JSON/text parsers get inputs far deeper than their
# nesting limits (16 levels), the binary readers room for real files.
# A new fuzzer (fuzz/CMakeLists.txt) gets a line here and a seed directory.
TABLE="
HdpcReaderFuzzer   hdpc        65536
AccelConfigFuzzer  config      400000
NpyReaderFuzzer    npy         65536
ConfigTextFuzzer   config-text 65536
CheckpointFuzzer   checkpoint  65536
TokenizerFuzzer    tokenizer   65536
SafetensorsFuzzer  safetensors 400000
BertConfigFuzzer   bert-config 400000
BertVocabFuzzer    bert-vocab  16384
ProgramTextFuzzer  program-text 65536
HdpIrFuzzer        hdp-ir      65536
"
ALL=$(echo "$TABLE" | awk 'NF { print $1 }')
FUZZERS=$(echo ${ONLY:-$ALL})
for f in $FUZZERS; do
  echo "$ALL" | grep -qx "$f" || {
    echo "fuzz: error: unknown fuzzer '$f'; expected one of:" $ALL >&2
    exit 2
  }
done
field() { echo "$TABLE" | awk -v f="$1" -v n="$2" '$1 == f { print $n }'; }

say() { echo "fuzz: $*"; }

case $SECS in
  ''|*[!0-9]*) echo "fuzz: error: FUZZ_SECONDS must be a whole number, got '$SECS'" >&2; exit 2 ;;
esac
case $RUNS in
  -1) ;;
  ''|*[!0-9]*) echo "fuzz: error: FUZZ_RUNS must be a whole number, got '$RUNS'" >&2; exit 2 ;;
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

# Runs fuzzer $1; its summary goes to build-fuzz/logs/$1.summary.
run_one() {
  f=$1
  seeds="$SRC/fuzz/corpus/$(field "$f" 2)"
  corpus="$BUILD/corpus/$f"
  artifacts="$BUILD/artifacts/$f"
  log="$BUILD/logs/$f.log"
  summary="$BUILD/logs/$f.summary"
  rm -rf "$corpus" "$artifacts" "$summary"
  mkdir -p "$corpus" "$artifacts"
  cp "$seeds"/* "$corpus"/
  rc=0
  t0=$(date +%s)
  # allow_user_poisoning=0: LLVM's allocators, inlined into instrumented code,
  # poison memory that the system's uninstrumented libMLIR then uses.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allow_user_poisoning=0} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$BUILD/bin/$f" -max_total_time="$SECS" -runs="$RUNS" -timeout=10 -rss_limit_mb=2048 \
      -max_len="$(field "$f" 3)" -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || rc=$?
  took=$(($(date +%s) - t0))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  if [ "$rc" -ne 0 ]; then
    {
      echo "fuzz: $f: FAILED (exit $rc) after ${runs:-?} runs; log: $log"
      grep -E 'ERROR: |runtime error|Fuzzer: |SUMMARY' "$log" | head -n 10 || true
      ls "$artifacts" | sed "s|^|fuzz:   artifact: $artifacts/|"
    } >"$summary"
    return 1
  fi
  echo "fuzz: $f: ok, ${runs:-?} runs in $took s" \
       "($(( ${runs:-0} / (took > 0 ? took : 1) ))/s), coverage ${cov:-?}," \
       "corpus $(ls "$corpus" | wc -l) inputs" >"$summary"
}

if [ "$RUNS" = -1 ]; then
  say "running each fuzzer for $SECS s, $JOBS at a time"
else
  say "running each fuzzer for $RUNS executions, $JOBS at a time"
fi
FAILED=""
set -- $FUZZERS
while [ $# -gt 0 ]; do
  pids=""
  batch=""
  i=0
  while [ $# -gt 0 ] && [ $i -lt "$JOBS" ]; do
    run_one "$1" &
    pids="$pids $!"
    batch="$batch $1"
    shift
    i=$((i + 1))
  done
  n=0
  for pid in $pids; do
    n=$((n + 1))
    f=$(echo $batch | cut -d' ' -f$n)
    if ! wait "$pid"; then
      FAILED="$FAILED $f"
    fi
    cat "$BUILD/logs/$f.summary" >&2
  done
done

say "total $(($(date +%s) - START)) s"
if [ -n "$FAILED" ]; then
  echo "fuzz: error: crash found by:$FAILED" >&2
  exit 1
fi
