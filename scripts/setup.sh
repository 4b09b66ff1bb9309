#!/usr/bin/env bash
# Idempotent setup for a fresh Debian 12 (run as root): install the packages
# hdp needs (only those missing; apt is skipped when all are present), then
# configure (only if needed) and build the tree.
#
# Environment:
#   BUILD_DIR=build     build directory, relative to the repo root
#   HDP_NO_BUILD=1      install packages only
#   JOBS=N              ninja parallelism (default: ninja's own)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR=${BUILD_DIR:-build}
# python3-pytest and python3-torch: the tests of the Python package
# (test/python) run under ctest and need both; PyTorch is large (about
# 140 MB to download, 575 MB installed, under a minute to install here), but
# tests that silently skip without it would not test it. libomp-22-dev: the
# OpenMP runtime that multi-threaded CPU code runs on. python3-distributed:
# the sweeps (bench/sweep_runner.py) run their points on dask.distributed.
PACKAGES=(
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
  ninja-build ccache cmake libgtest-dev nlohmann-json3-dev python3-numpy
  python3-matplotlib libclang-rt-22-dev libicu-dev python3-pytest python3-torch
  libomp-22-dev python3-distributed
)

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: error: packages missing and not running as root: ${missing[*]}" >&2
    exit 1
  fi
  # Debian ships LLVM/MLIR 22 in the bookworm-security suite, which fresh
  # Debian 12 images list among their apt sources.
  apt-get update
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; then
    echo "setup: error: apt-get could not install ${missing[*]}; LLVM/MLIR 22 come from Debian's bookworm-security suite: make sure it is among the apt sources" >&2
    exit 1
  fi
else
  echo "setup: all packages present"
fi

if [[ ${HDP_NO_BUILD:-0} == 1 ]]; then
  exit 0
fi

# ccache hits across clones of the repository in different directories.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}

if [[ ! -f $BUILD_DIR/build.ninja ]]; then
  echo "setup: configuring $BUILD_DIR"
  cmake -G Ninja -B "$BUILD_DIR" \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_BUILD_TYPE=Release
fi
echo "setup: building $BUILD_DIR"
ninja -C "$BUILD_DIR" ${JOBS:+-j"$JOBS"}
