// The stock mlir-opt with hdp's plugins runs hdp's transform scripts too:
// the dialect plugin registers the transform.hdp.* extension, so the script
// of examples/transform/cpu-compile.mlir compiles the torch-mlir style BERT
// layer down to the LLVM dialect, as hdp-opt does
// (test/Dialect/HDP/transform-cpu-compile.mlir runs the result).

// RUN: mlir-opt --load-dialect-plugin=%hdp_lib/HDPDialectPlugin.so \
// RUN:   --load-pass-plugin=%hdp_lib/HDPPassPlugin.so \
// RUN:   --transform-preload-library=transform-library-paths=%hdp_src/examples/transform/cpu-compile.mlir \
// RUN:   --transform-interpreter %hdp_src/examples/bert_self_attention.mlir -o %t.ll.mlir
// RUN: FileCheck %s --input-file=%t.ll.mlir
// RUN: FileCheck %s --check-prefix=LOWERED --input-file=%t.ll.mlir
// CHECK: llvm.func @bert_self_attention(
// CHECK: llvm.func @_mlir_ciface_bert_self_attention(
// LOWERED-NOT: {{hdp\.|linalg\.|tensor\.|memref\.|scf\.|func\.func}}

// The same output as hdp-opt's, op for op.
// RUN: hdp-opt --transform-preload-library=transform-library-paths=%hdp_src/examples/transform/cpu-compile.mlir \
// RUN:   --transform-interpreter %hdp_src/examples/bert_self_attention.mlir -o %t.hdp-opt.mlir
// RUN: diff %t.ll.mlir %t.hdp-opt.mlir
