#!/usr/bin/env bash
# Set up and build (scripts/setup.sh), then run every test with ctest.
# The exit code is ctest's (or setup's, if that fails). BUILD_DIR and JOBS as
# in setup.sh.
#
#   scripts/test.sh              # build/, the fuzzers briefly, then ctest
#   scripts/test.sh --sanitize   # build-asan/ with ASan+UBSan, then ctest
#   scripts/test.sh --sanitize -R 'HDP.*Tests'   # ctest's own arguments
#
# --sanitize configures a separate build directory (SANITIZE_BUILD_DIR,
# default build-asan) whose every library, tool, plugin and test is compiled
# with -fsanitize=address,undefined against the shared sanitizer runtime
# (-shared-libsan), and runs ctest in it (arguments after --sanitize go to
# ctest). With SANITIZE_TARGETS="HDPSupportTests HDPSimTests ..." it builds
# and runs only those unit-test programs (what CI affords; .ci/run). See
# docs/tools.md, "Sanitizers".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f s", b - a }'; }

if [[ ${1:-} == --sanitize ]]; then
  shift
  BUILD_DIR=${SANITIZE_BUILD_DIR:-build-asan}
  CXX=${CXX:-clang++-22}
  t0=$(now)
  HDP_NO_BUILD=1 bash scripts/setup.sh || exit $?
  # Plugins and the runtime C API are loaded into hosts that are not
  # instrumented (mlir-opt-22, python3): the runtime must be in the process
  # before them, so every test process gets it preloaded.
  ASAN_RT=$("$CXX" -print-file-name=libclang_rt.asan-x86_64.so)
  if [[ ! -f $ASAN_RT ]]; then
    echo "test: error: $CXX has no shared ASan runtime (Debian: libclang-rt-22-dev)" >&2
    exit 1
  fi
  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -shared-libsan"
  LINK="-shared-libsan -Wl,-rpath,$(dirname "$ASAN_RT")"
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
  if [[ ! -f $BUILD_DIR/build.ninja ]]; then
    echo "test: configuring $BUILD_DIR (ASan+UBSan)"
    cmake -G Ninja -B "$BUILD_DIR" \
      -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
      -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
      -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER="$CXX" \
      -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_FLAGS="$SAN" -DCMAKE_CXX_FLAGS="$SAN" \
      -DCMAKE_EXE_LINKER_FLAGS="$LINK" -DCMAKE_SHARED_LINKER_FLAGS="$LINK" \
      -DCMAKE_MODULE_LINKER_FLAGS="$LINK" >/dev/null || exit 1
  fi
  # shellcheck disable=SC2086
  ninja -C "$BUILD_DIR" ${JOBS:+-j"$JOBS"} ${SANITIZE_TARGETS:-} || exit $?
  t1=$(now)
  echo "== sanitized build: $(elapsed "$t0" "$t1")"
  # allow_user_poisoning=0: LLVM's allocators, inlined into instrumented
  # code, poison memory that the system's uninstrumented libMLIR then uses.
  # detect_leaks=0: the preloaded runtime would report the leaks of every
  # uninstrumented host (python3, FileCheck) at exit.
  # detect_odr_violation=0: a plugin and the tool that loads it both hold
  # the dialect's registrations.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-allow_user_poisoning=0:detect_leaks=0:detect_odr_violation=0:abort_on_error=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  export LD_PRELOAD=$ASAN_RT${LD_PRELOAD:+:$LD_PRELOAD}
  # With SANITIZE_TARGETS, only the unit tests of the programs built (each
  # test in a process of its own, as ctest always runs them).
  # The selection is by the program each test runs, so a test added later
  # that needs another tool is left out rather than failing for want of it.
  subset=()
  if [[ -n ${SANITIZE_TARGETS:-} ]]; then
    names=$(ctest --test-dir "$BUILD_DIR" --show-only=json-v1 |
      python3 -c '
import json, os, re, sys
programs = set(sys.argv[1].split())
tests = json.load(sys.stdin)["tests"]
names = [t["name"] for t in tests
         if t.get("command") and os.path.basename(t["command"][0]) in programs]
print("|".join("^" + re.escape(n) + "$" for n in names))' "$SANITIZE_TARGETS") || exit 1
    if [[ -z $names ]]; then
      echo "test: error: no test runs any of: $SANITIZE_TARGETS" >&2
      exit 1
    fi
    subset=(-R "$names")
  fi
  # headers-self-contained only compiles each public header: no code of it
  # runs, so instrumentation adds nothing (the plain suite runs it).
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 \
    -E '^headers-self-contained$' "${subset[@]}" "$@"
  rc=$?
  t2=$(now)
  echo "== sanitized tests: $(elapsed "$t1" "$t2") (exit $rc)"
  echo "== total: $(elapsed "$t0" "$t2")"
  exit "$rc"
fi
if (($#)); then
  echo "test: error: unknown argument '$1' (expected --sanitize)" >&2
  exit 2
fi
BUILD_DIR=${BUILD_DIR:-build}

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
