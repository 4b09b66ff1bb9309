// hdp-cpu-pipeline is registered under a stable name with options usable in
// --pass-pipeline: tile-block-rows reaches hdp-tile (32 block rows of the
// 64-row example, 4 or 8 per tile).
// RUN: hdp-opt --pass-pipeline='builtin.module(hdp-cpu-pipeline{tile-block-rows=4})' --mlir-print-ir-after=hdp-tile %hdp_src/examples/attention.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=FOUR
// RUN: hdp-opt --pass-pipeline='builtin.module(hdp-cpu-pipeline{tile-block-rows=8})' --mlir-print-ir-after=hdp-tile %hdp_src/examples/attention.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=EIGHT
// RUN: hdp-opt --pass-pipeline='builtin.module(hdp-cpu-pipeline{tile-block-rows=4})' %hdp_src/examples/attention.mlir | FileCheck %s --check-prefix=LLVM

// FOUR: IR Dump After HDPTile (hdp-tile)
// FOUR: scf.for %{{.+}} = %c0 to %c32 step %c4 iter_args
// EIGHT: IR Dump After HDPTile (hdp-tile)
// EIGHT: scf.for %{{.+}} = %c0 to %c32 step %c8 iter_args
// LLVM-NOT: hdp.
// LLVM: llvm.func @attention(
