// A transform script drives a whole CPU compilation: frontend linalg
// attention (examples/bert_self_attention.mlir, torch-mlir style) is raised,
// decomposed, tiled and fused by transform.hdp.* ops, then bufferized and
// lowered to the LLVM dialect (examples/transform/cpu-compile.mlir, the
// script docs/embedding.md shows). The compiled code
// must agree with the reference library on pruned attention (rho = 0.3).

// The script leaves nothing but the LLVM dialect.
// RUN: hdp-opt --transform-preload-library=transform-library-paths=%hdp_src/examples/transform/cpu-compile.mlir \
// RUN:   --transform-interpreter %hdp_src/examples/bert_self_attention.mlir -o %t.ll.mlir
// RUN: FileCheck %s --input-file=%t.ll.mlir
// CHECK: llvm.func @bert_self_attention(
// CHECK: llvm.func @_mlir_ciface_bert_self_attention(
// RUN: FileCheck %s --check-prefix=LOWERED --input-file=%t.ll.mlir
// LOWERED-NOT: {{hdp\.|linalg\.|tensor\.|memref\.|scf\.|func\.func}}

// hdp-run compiles the function with the same script and runs it.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/q.npy 1,4,128,64
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/k.npy 1,4,128,64
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/v.npy 1,4,128,64
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/mask.npy 1,1,128,128 --causal
// RUN: hdp-run %hdp_src/examples/bert_self_attention.mlir --function=bert_self_attention \
// RUN:   --transform=%hdp_src/examples/transform/cpu-compile.mlir \
// RUN:   --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy \
// RUN:   --input=@%t/mask.npy --output=@%t/out.npy
// RUN: hdp-run --attention --backend=reference --config='#hdp.config<rho = 0.3>' \
// RUN:   --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy \
// RUN:   --input=@%t/mask.npy --output=@%t/ref.npy --output=@%t/blocks.npy
// RUN: %python %S/Inputs/allclose.py %t/out.npy %t/ref.npy 1e-5 | FileCheck %s --check-prefix=RESULT
// RESULT: shape (1, 4, 128, 64) within-1e-5=True

// Pruning is on: the same data without it gives a different result, which
// the comparison would have caught.
// RUN: %python %S/Inputs/density.py %t/blocks.npy | FileCheck %s --check-prefix=SPARSE
// SPARSE: pruned some blocks: True
// RUN: hdp-run --attention --backend=reference --config='#hdp.config<policy = dense>' \
// RUN:   --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy \
// RUN:   --input=@%t/mask.npy --output=@%t/dense.npy
// RUN: not %python %S/Inputs/allclose.py %t/out.npy %t/dense.npy 1e-5

// Errors: a script that does not reach the LLVM dialect, and a missing one.
// RUN: not hdp-run %hdp_src/examples/bert_self_attention.mlir --function=bert_self_attention \
// RUN:   --transform=%S/Inputs/raise-only.transform.mlir \
// RUN:   --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy \
// RUN:   --input=@%t/mask.npy --output=@%t/bad.npy 2>&1 | FileCheck %s --check-prefix=PARTIAL
// PARTIAL: the transform script must lower the module to the LLVM dialect; 'hdp.attention' is left
// RUN: not hdp-run %hdp_src/examples/bert_self_attention.mlir --function=bert_self_attention \
// RUN:   --transform=%t/missing.mlir --input=@%t/q.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: hdp-run: error: {{.*}}missing.mlir: {{.*}}
// RUN: test ! -e %t/bad.npy
