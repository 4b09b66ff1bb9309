#!/usr/bin/env bash
# Installs hdp into a scratch prefix, checks the layout, then configures,
# builds and runs the out-of-tree consumer in examples/consumer against it,
# the way docs/embedding.md tells users to.
#
# usage: install-consumer.sh SOURCE_DIR BUILD_DIR CXX_COMPILER LLVM_TOOLS_DIR
set -euo pipefail

src=$1
build=$2
cxx=$3
llvm_tools=$4

work=$build/test/install
prefix=$work/prefix
consumer=$work/consumer-build

fail() {
  echo "install-consumer: error: $*" >&2
  exit 1
}

# A fresh prefix each time: a stale one would hide a missing install rule.
rm -rf "$prefix" "$consumer"
mkdir -p "$work"
echo "== cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log" ||
  { cat "$work/install.log"; fail "cmake --install failed"; }

for f in \
  include/hdp/InitAllDialects.h \
  include/hdp/InitAllPasses.h \
  include/hdp/Pipelines/Pipelines.h \
  include/hdp/Dialect/HDP/IR/HDP.h \
  include/hdp/Dialect/HDP/IR/HDPOps.h.inc \
  include/hdp/Dialect/HDP/IR/HDPOps.td \
  include/hdp/Dialect/HDP/Transforms/Passes.h.inc \
  include/hdp/Dialect/Accel/IR/AccelOps.td \
  lib/libHDPDialect.a \
  lib/libHDPInitAll.a \
  lib/libHDPPluginSupport.so \
  lib/HDPDialectPlugin.so \
  lib/HDPPassPlugin.so \
  lib/cmake/hdp/HDPConfig.cmake \
  lib/cmake/hdp/HDPConfigVersion.cmake \
  lib/cmake/hdp/HDPTargets.cmake \
  bin/hdp-opt; do
  [[ -e $prefix/$f ]] || fail "not installed: $prefix/$f"
done
if find "$prefix/include" -name CMakeLists.txt -o -name CMakeFiles | grep -q .; then
  fail "build files installed under $prefix/include"
fi

# Other projects' ODS can include hdp's .td files from the prefix.
echo "== mlir-tblgen on the installed HDPOps.td"
"$llvm_tools/mlir-tblgen" -gen-op-decls -I "$prefix/include" \
  -I "$llvm_tools/../include" "$prefix/include/hdp/Dialect/HDP/IR/HDPOps.td" \
  >"$work/HDPOps.h.inc"
grep -q 'class AttentionOp ' "$work/HDPOps.h.inc" ||
  fail "installed HDPOps.td does not define hdp.attention"

# Installed binaries find their shared libraries (RPATH) from the prefix.
echo "== installed hdp-opt and plugins"
"$prefix/bin/hdp-opt" --hdp-decompose "$src/examples/attention.mlir" |
  grep -q 'hdp.block_score' || fail "installed hdp-opt did not decompose"
"$llvm_tools/mlir-opt" --load-dialect-plugin="$prefix/lib/HDPDialectPlugin.so" \
  --load-pass-plugin="$prefix/lib/HDPPassPlugin.so" \
  --pass-pipeline='builtin.module(hdp-decompose)' "$src/examples/attention.mlir" |
  grep -q 'hdp.block_score' || fail "installed plugins did not decompose"

# The consumer, configured exactly as a user would (only the prefix and the
# compiler are given); ccache keeps the rebuild in every test run cheap.
echo "== configure and build examples/consumer"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(cd "$src/.." && pwd)}
fi
cmake -G Ninja -S "$src/examples/consumer" -B "$consumer" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >"$work/configure.log" ||
  { cat "$work/configure.log"; fail "configuring the consumer failed"; }
cmake --build "$consumer" >"$work/build.log" ||
  { cat "$work/build.log"; fail "building the consumer failed"; }

# Everything the consumer links of hdp must come from the prefix, not from
# the build tree.
if grep -q -- "$build/lib" "$consumer/build.ninja"; then
  fail "the consumer links hdp's build tree instead of $prefix"
fi

echo "== consumer-opt on examples/consumer/attention.mlir"
input=$src/examples/consumer/attention.mlir
"$consumer/consumer-opt" \
  --hdp-raise-attention="config='#hdp.config<rho = 0.3>'" \
  --hdp-cpu-pipeline "$input" >"$work/attention.out"
"$llvm_tools/FileCheck" "$input" --input-file="$work/attention.out"
echo "install-consumer: ok"
