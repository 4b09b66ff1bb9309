// Debian's stock mlir-opt (not hdp-opt) with hdp's dialect and pass plugins:
// a torch-mlir style BERT attention raised to hdp.attention, decomposed into
// the stage ops and compiled to the LLVM dialect by hdp-cpu-pipeline.
// Plugin passes are reachable through --pass-pipeline only (given as
// --<pass> flags, mlir-opt 22 prints its help and runs nothing). The last command is the one in
// docs/embedding.md.

// RUN: mlir-opt \
// RUN:   --load-dialect-plugin=%hdp_lib/HDPDialectPlugin.so \
// RUN:   --load-pass-plugin=%hdp_lib/HDPPassPlugin.so \
// RUN:   --pass-pipeline="builtin.module(hdp-raise-attention{config='#hdp.config<rho = 0.3>'})" \
// RUN:   %hdp_src/examples/bert_self_attention.mlir | FileCheck %s --check-prefix=RAISE
// RAISE-LABEL: func.func @bert_self_attention(
// RAISE-NOT:   linalg.
// RAISE:       %[[O:.+]] = hdp.attention config #hdp.config<rho = 0.3> %arg0, %arg1, %arg2 mask %arg3 : tensor<1x4x128x64xf32>, tensor<1x4x128x64xf32>, tensor<1x4x128x64xf32>, tensor<1x1x128x128xf32> -> tensor<1x4x128x64xf32>
// RAISE-NEXT:  return %[[O]]

// RUN: mlir-opt \
// RUN:   --load-dialect-plugin=%hdp_lib/HDPDialectPlugin.so \
// RUN:   --load-pass-plugin=%hdp_lib/HDPPassPlugin.so \
// RUN:   --pass-pipeline="builtin.module(hdp-raise-attention{config='#hdp.config<rho = 0.3>'}, hdp-decompose)" \
// RUN:   %hdp_src/examples/bert_self_attention.mlir | FileCheck %s --check-prefix=DECOMPOSE
// DECOMPOSE-NOT: hdp.attention
// DECOMPOSE: hdp.split_quantize config #hdp.config<rho = 0.3> ins(%arg0 :
// DECOMPOSE: hdp.split_quantize config #hdp.config<rho = 0.3> ins(%arg1 :
// DECOMPOSE: hdp.block_score {{.*}} mask(%arg3 : tensor<1x1x128x128xf32>)
// DECOMPOSE: hdp.prune_mask {{.*}} -> tensor<1x4x64x64xi1>
// DECOMPOSE: hdp.head_mask
// DECOMPOSE: hdp.approx_combine
// DECOMPOSE: hdp.masked_softmax
// DECOMPOSE: hdp.sparse_pv {{.*}} -> tensor<1x4x128x64xf32>
// DECOMPOSE-NOT: hdp.attention

// RUN: mlir-opt-22 \
// RUN:   --load-dialect-plugin=%hdp_lib/HDPDialectPlugin.so \
// RUN:   --load-pass-plugin=%hdp_lib/HDPPassPlugin.so \
// RUN:   --pass-pipeline="builtin.module(hdp-raise-attention{config='#hdp.config<rho = 0.3>'}, hdp-decompose, hdp-cpu-pipeline{tile-block-rows=4})" \
// RUN:   %hdp_src/examples/bert_self_attention.mlir | FileCheck %s --check-prefix=LLVM
// Nothing of linalg, tensor or hdp is left; the function and its C wrapper
// are LLVM functions; the threshold of rho = 0.3 is there as its Q16 integer
// round(0.3 * 65536) = 19661.
// LLVM-NOT:  {{linalg\.|tensor\.|hdp\.}}
// LLVM:      llvm.func @bert_self_attention(
// LLVM:      llvm.mlir.constant(19661 : i{{[0-9]+}})
// LLVM:      llvm.func @_mlir_ciface_bert_self_attention(
// LLVM-NOT:  {{linalg\.|tensor\.|hdp\.}}
