#!/usr/bin/env bash
# Installs hdp into a scratch prefix and uses it as a user would: checks the
# layout and that every binary and shared library resolves its libraries
# from the prefix (ldd), runs the installed hdp-run (cpu, sim and reference
# backends), builds and runs the C runtime example against the prefix, runs
# the Python package from it, and configures, builds and runs the
# out-of-tree consumer in examples/consumer, the way docs/embedding.md tells
# users to. Everything runs in a scratch directory, away from the build tree.
#
# usage: install-consumer.sh SOURCE_DIR BUILD_DIR CXX_COMPILER LLVM_TOOLS_DIR
#                            C_COMPILER [CXX_FLAGS [EXE_LINKER_FLAGS]]
# (the flags hdp was built with, which the consumer that links its static
# libraries needs too, e.g. the sanitizers of scripts/test.sh --sanitize)
set -euo pipefail

src=$1
build=$2
cxx=$3
llvm_tools=$4
cc=$5
cxx_flags=${6:-}
exe_linker_flags=${7:-}
python=/usr/bin/python3

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
  include/hdp-c/Runtime.h \
  include/hdp-c/Dialects.h \
  lib/libHDPDialect.a \
  lib/libHDPInitAll.a \
  lib/libHDPRuntimeC.so \
  lib/libHDPCAPI.so \
  lib/libHDPPluginSupport.so \
  lib/HDPDialectPlugin.so \
  lib/HDPPassPlugin.so \
  lib/cmake/hdp/HDPConfig.cmake \
  lib/cmake/hdp/HDPConfigVersion.cmake \
  lib/cmake/hdp/HDPTargets.cmake \
  lib/python3/site-packages/hdp/__init__.py \
  lib/python3/site-packages/hdp/torch.py \
  lib/python3/site-packages/hdp/_location.py \
  share/hdp/configs/hdp-edge.json \
  share/hdp/configs/hdp-server.json \
  share/hdp/examples/common/raw_files.h \
  share/hdp/examples/runtime-c/main.c \
  share/hdp/examples/aot/main.c \
  share/hdp/examples/aot/runtime_api.c \
  bin/hdp-opt bin/hdp-run bin/hdp-compile bin/hdp-sim bin/hdp-translate \
  bin/hdp-eval; do
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

# Installed binaries and libraries find their shared libraries from the
# prefix ($ORIGIN-relative RUNPATH), never from the build tree.
echo "== ldd of the installed binaries and shared libraries"
for f in "$prefix"/bin/* "$prefix"/lib/*.so; do
  deps=$(env -u LD_LIBRARY_PATH ldd "$f") || fail "ldd $f failed"
  if grep -q 'not found' <<<"$deps"; then
    fail "$f: $(grep 'not found' <<<"$deps" | tr -s ' \t' ' ')"
  fi
  if grep -q -- "$build/lib/" <<<"$deps"; then
    fail "$f loads a library from the build tree: $(grep -- "$build/lib/" <<<"$deps")"
  fi
  readelf -d "$f" | grep -q 'RUNPATH.*\$ORIGIN' ||
    fail "$f: no \$ORIGIN-relative RUNPATH"
done

echo "== installed hdp-opt and plugins"
"$prefix/bin/hdp-opt" --hdp-decompose "$src/examples/attention.mlir" |
  grep -q 'hdp.block_score' || fail "installed hdp-opt did not decompose"
"$llvm_tools/mlir-opt" --load-dialect-plugin="$prefix/lib/HDPDialectPlugin.so" \
  --load-pass-plugin="$prefix/lib/HDPPassPlugin.so" \
  --pass-pipeline='builtin.module(hdp-decompose)' "$src/examples/attention.mlir" |
  grep -q 'hdp.block_score' || fail "installed plugins did not decompose"

# A scratch directory, away from the source and build trees, with only the
# prefix's tools on PATH.
scratch=$work/scratch
rm -rf "$scratch"
mkdir -p "$scratch"
cd "$scratch"
unset LD_LIBRARY_PATH PYTHONPATH

echo "== installed hdp-run --attention on reference, cpu and sim"
"$python" "$src/utils/make_attention_inputs.py" --shape 1,2,16,12,8 --seed 21 \
  --mask padding --out-dir . >/dev/null
config='#hdp.config<rho = 0.3, tau_h = 0.5>'
# The installed HDP-Edge with an f32 P·V datapath (precision.* = f32), which
# rounds exactly as the reference.
sed 's/"bf16"/"f32"/' "$prefix/share/hdp/configs/hdp-edge.json" >edge-f32.json
for backend in reference cpu sim; do
  extra=()
  [[ $backend == sim ]] && extra=(--accel-config=edge-f32.json)
  "$prefix/bin/hdp-run" --attention --config="$config" --backend=$backend \
    "${extra[@]}" --input=@q.npy --input=@k.npy --input=@v.npy \
    --input=@mask.npy --output=@$backend-out.npy --output=@$backend-bm.npy ||
    fail "installed hdp-run --backend=$backend failed"
done
"$python" - <<'PY' || fail "installed hdp-run: backends disagree with the reference"
import numpy as np
ref_out, ref_bm = np.load("reference-out.npy"), np.load("reference-bm.npy")
for backend in ("cpu", "sim"):
    out, bm = np.load(backend + "-out.npy"), np.load(backend + "-bm.npy")
    assert np.array_equal(bm, ref_bm), backend + ": block mask differs"
    err = float(np.abs(out - ref_out).max())
    assert err <= 1e-5, "%s: output differs by %g" % (backend, err)
assert not ref_bm.all(), "nothing was pruned: the comparison is too weak"
PY

echo "== the installed C runtime example built against the prefix"
"$python" -c "import numpy as np; [np.load(n + '.npy').astype('<f4').tofile(n + '.bin') for n in ('q', 'k', 'v', 'mask')]"
"$cc" -std=c99 -Wall -Werror -I"$prefix/include" \
  "$prefix/share/hdp/examples/runtime-c/main.c" -L"$prefix/lib" -lHDPRuntimeC \
  -Wl,-rpath,"$prefix/lib" -o runtime-c-example ||
  fail "building examples/runtime-c/main.c against $prefix failed"
./runtime-c-example q.bin k.bin v.bin mask.bin c-out.bin c-bm.bin >/dev/null ||
  fail "the C runtime example failed"
"$python" - <<'PY' || fail "the C runtime example disagrees with the reference"
import numpy as np
out = np.fromfile("c-out.bin", "<f4").reshape(1, 2, 16, 8)
bm = np.fromfile("c-bm.bin", np.uint8).reshape(1, 2, 8, 6).astype(bool)
assert np.array_equal(bm, np.load("reference-bm.npy")), "block mask differs"
assert np.abs(out - np.load("reference-out.npy")).max() <= 1e-5, "output differs"
PY

echo "== ahead of time: the installed hdp-compile and the installed AOT examples"
"$prefix/bin/hdp-compile" --shape=1,2,16,12,8 --mask-shape=1,1,1,12 \
  --config="$config" --name=example_attention -o example_attention.o \
  --header=example_attention.h || fail "installed hdp-compile failed"
"$cc" -std=c99 -Wall -Werror -I. "$prefix/share/hdp/examples/aot/main.c" \
  example_attention.o -lm -o aot-example ||
  fail "building the installed examples/aot/main.c failed"
./aot-example q.bin k.bin v.bin mask.bin aot-out.bin aot-bm.bin >/dev/null ||
  fail "the AOT example failed"
# The runtime C example over the AOT object instead of libHDPRuntimeC.so.
"$cc" -std=c99 -Wall -Werror -I. -I"$prefix/include" \
  "$prefix/share/hdp/examples/runtime-c/main.c" \
  "$prefix/share/hdp/examples/aot/runtime_api.c" example_attention.o -lm \
  -o aot-api-example || fail "building the AOT runtime API example failed"
./aot-api-example q.bin k.bin v.bin mask.bin aot-api-out.bin aot-api-bm.bin \
  >/dev/null || fail "the AOT runtime API example failed"
"$python" - <<'PY' || fail "the AOT examples disagree with the reference"
import numpy as np
for run in ("aot", "aot-api"):
    out = np.fromfile(run + "-out.bin", "<f4").reshape(1, 2, 16, 8)
    bm = np.fromfile(run + "-bm.bin", np.uint8).reshape(1, 2, 8, 6).astype(bool)
    assert np.array_equal(bm, np.load("reference-bm.npy")), run + ": block mask"
    assert np.abs(out - np.load("reference-out.npy")).max() <= 1e-5, run + ": output"
PY

echo "== the MLIR C API test program built against the prefix"
llvm_root=$(cd "$llvm_tools/.." && pwd)
"$cc" -std=c99 -I"$prefix/include" -I"$llvm_root/include" \
  "$src/test/CAPI/hdp-capi-test.c" -L"$prefix/lib" -lHDPCAPI \
  "$llvm_root/lib/libMLIRCAPIRegisterEverything.a" "$llvm_root/lib/libMLIRCAPIIR.a" \
  -L"$llvm_root/lib" -lMLIR -lLLVM -lstdc++ \
  -Wl,-rpath,"$prefix/lib" -Wl,-rpath,"$llvm_root/lib" -o capi-test ||
  fail "building test/CAPI/hdp-capi-test.c against $prefix failed"
./capi-test >capi-test.out 2>&1 || fail "the MLIR C API test program failed"
grep -q "pipeline 'builtin.module(hdp-cpu-pipeline)': success" capi-test.out ||
  fail "libHDPCAPI.so from $prefix did not run hdp-cpu-pipeline"

echo "== the Python package from the prefix"
PYTHONPATH=$prefix/lib/python3/site-packages HDP_PREFIX=$prefix HDP_SRC=$src \
  "$python" - <<'PY' || fail "the installed Python package failed"
import os, sys
import numpy as np
import hdp
prefix = os.environ["HDP_PREFIX"]
for what, path in (("package", hdp.__file__), ("library", hdp.library_path()),
                   ("configs", hdp.accel_configs_dir())):
    assert os.path.realpath(path).startswith(os.path.realpath(prefix) + "/"), \
        "%s not from the prefix: %s" % (what, path)
sys.path.insert(0, os.path.join(os.environ["HDP_SRC"], "utils"))
import hdp_numpy_ref
q, k, v, mask = (np.load(n + ".npy") for n in ("q", "k", "v", "mask"))
want = hdp_numpy_ref.attention(q, k, v, mask, rho=0.3, tau_h=0.5)
for backend in ("cpu", "sim", "reference"):
    got = hdp.attention(q, k, v, mask, config=hdp.Config(rho=0.3, tau_h=0.5),
                        backend=backend, return_masks=True,
                        accel_config="edge-f32.json" if backend == "sim"
                        else None)
    assert np.abs(got.out - want[0]).max() <= 1e-5, backend
    for g, w in zip(got[1:4], want[1:]):
        assert np.array_equal(g, w), backend
import torch
import hdp.torch
t = [torch.from_numpy(x) for x in (q, k, v, mask)]
out = hdp.torch.scaled_dot_product_attention(*t[:3], attn_mask=t[3],
                                             config="rho = 0.3, tau_h = 0.5")
assert np.abs(out.numpy() - want[0]).max() <= 1e-5
PY

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
  -DCMAKE_CXX_FLAGS="$cxx_flags" -DCMAKE_EXE_LINKER_FLAGS="$exe_linker_flags" \
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
cd "$work"
input=$src/examples/consumer/attention.mlir
"$consumer/consumer-opt" \
  --hdp-raise-attention="config='#hdp.config<rho = 0.3>'" \
  --hdp-cpu-pipeline "$input" >"$work/attention.out"
"$llvm_tools/FileCheck" "$input" --input-file="$work/attention.out"
echo "install-consumer: ok"
