// RUN: hdp-opt --hdp-raise-attention="config='#hdp.config<rho = 0.3>'" --split-input-file %s | FileCheck %s

// Every raised case also compiles to the LLVM dialect with hdp-cpu-pipeline.
// RUN: hdp-opt --hdp-raise-attention="config='#hdp.config<rho = 0.3>'" --hdp-cpu-pipeline --split-input-file %s > %t.ll
// RUN: FileCheck %s --check-prefix=LLVM --input-file=%t.ll
// RUN: FileCheck %s --check-prefix=LOWERED --input-file=%t.ll
// LOWERED-NOT: {{hdp\.|linalg\.|tensor\.}}

// One case per form hdp-raise-attention recognises (DESIGN section 3),
// written the way frontends emit it. Each checks the hdp.attention produced
// (operands, config with the scale found in the IR) and that the linalg
// chain is gone.

// torch-mlir BERT self-attention (torch-backend-to-linalg-on-tensors):
// rank-4 tensors collapsed to rank 3 around the batch_matmuls, K transposed by
// a generic, divided by sqrt(D) = 4 (the default scale), additive padding
// mask, softmax as max.dim (with its unused argmax) / sub / exp / sum / div.
#map = affine_map<(d0, d1, d2, d3) -> (0, 0, 0, d3)>
#map1 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map12 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
#map13 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, d3)>
#map14 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#map15 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, 0)>
// LLVM-LABEL: llvm.func @bert_self_attention(
// CHECK-LABEL: func.func @bert_self_attention(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<1x2x8x16xf32>, %[[K:[^:]+]]: tensor<1x2x8x16xf32>, %[[V:[^:]+]]: tensor<1x2x8x16xf32>, %[[M:[^:]+]]: tensor<1x1x1x8xf32>)
// CHECK-NOT:     linalg.
// CHECK-NOT:     tensor.
// CHECK-NOT:     arith.
// CHECK:         %[[O:.+]] = hdp.attention config #hdp.config<rho = 0.3> %[[Q]], %[[K]], %[[V]] mask %[[M]] : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x1x1x8xf32> -> tensor<1x2x8x16xf32>
// CHECK-NEXT:    return %[[O]] : tensor<1x2x8x16xf32>
func.func @bert_self_attention(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %mask: tensor<1x1x1x8xf32>) -> tensor<1x2x8x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %cst_0 = arith.constant 0xFF800000 : f32
  %c0_i64 = arith.constant 0 : i64
  %cst_7 = arith.constant 4.000000e+00 : f32
  %0 = tensor.empty() : tensor<1x2x16x8xf32>
  %1 = linalg.generic {indexing_maps = [#map1, #map12], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k : tensor<1x2x8x16xf32>) outs(%0 : tensor<1x2x16x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x16x8xf32>
  %collapsed = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %collapsed_1 = tensor.collapse_shape %1 [[0, 1], [2], [3]] : tensor<1x2x16x8xf32> into tensor<2x16x8xf32>
  %2 = tensor.empty() : tensor<2x8x8xf32>
  %3 = linalg.fill ins(%cst : f32) outs(%2 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %4 = linalg.batch_matmul ins(%collapsed, %collapsed_1 : tensor<2x8x16xf32>, tensor<2x16x8xf32>) outs(%3 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %expanded = tensor.expand_shape %4 [[0, 1], [2], [3]] output_shape [1, 2, 8, 8] : tensor<2x8x8xf32> into tensor<1x2x8x8xf32>
  %5 = tensor.empty() : tensor<1x2x8x8xf32>
  %6 = linalg.generic {indexing_maps = [#map13, #map1], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded : tensor<1x2x8x8xf32>) outs(%5 : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %30 = arith.divf %in, %cst_7 : f32
    linalg.yield %30 : f32
  } -> tensor<1x2x8x8xf32>
  %7 = linalg.generic {indexing_maps = [#map13, #map, #map1], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%6, %mask : tensor<1x2x8x8xf32>, tensor<1x1x1x8xf32>) outs(%5 : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %30 = arith.addf %in, %in_2 : f32
    linalg.yield %30 : f32
  } -> tensor<1x2x8x8xf32>
  %8 = tensor.empty() : tensor<1x2x8x1xi64>
  %9 = linalg.fill ins(%c0_i64 : i64) outs(%8 : tensor<1x2x8x1xi64>) -> tensor<1x2x8x1xi64>
  %10 = tensor.empty() : tensor<1x2x8x1xf32>
  %11 = linalg.fill ins(%cst_0 : f32) outs(%10 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %12:2 = linalg.generic {indexing_maps = [#map1, #map14, #map14], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%7 : tensor<1x2x8x8xf32>) outs(%11, %9 : tensor<1x2x8x1xf32>, tensor<1x2x8x1xi64>) {
  ^bb0(%in: f32, %out: f32, %out_2: i64):
    %30 = linalg.index 3 : index
    %31 = arith.index_cast %30 : index to i64
    %32 = arith.maximumf %in, %out : f32
    %33 = arith.cmpf ogt, %in, %out : f32
    %34 = arith.select %33, %31, %out_2 : i64
    linalg.yield %32, %34 : f32, i64
  } -> (tensor<1x2x8x1xf32>, tensor<1x2x8x1xi64>)
  %13 = linalg.generic {indexing_maps = [#map13, #map15, #map1], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%7, %12#0 : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%5 : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %30 = arith.subf %in, %in_2 : f32
    linalg.yield %30 : f32
  } -> tensor<1x2x8x8xf32>
  %14 = linalg.generic {indexing_maps = [#map13, #map1], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%13 : tensor<1x2x8x8xf32>) outs(%5 : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %30 = math.exp %in : f32
    linalg.yield %30 : f32
  } -> tensor<1x2x8x8xf32>
  %15 = linalg.fill ins(%cst : f32) outs(%10 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %16 = linalg.generic {indexing_maps = [#map1, #map14], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%14 : tensor<1x2x8x8xf32>) outs(%15 : tensor<1x2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %30 = arith.addf %in, %out : f32
    linalg.yield %30 : f32
  } -> tensor<1x2x8x1xf32>
  %17 = linalg.generic {indexing_maps = [#map13, #map15, #map1], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%14, %16 : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%5 : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %30 = arith.divf %in, %in_2 : f32
    linalg.yield %30 : f32
  } -> tensor<1x2x8x8xf32>
  %18 = linalg.generic {indexing_maps = [#map13, #map1], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%17 : tensor<1x2x8x8xf32>) outs(%5 : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x8x8xf32>
  %collapsed_2 = tensor.collapse_shape %18 [[0, 1], [2], [3]] : tensor<1x2x8x8xf32> into tensor<2x8x8xf32>
  %collapsed_3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %19 = tensor.empty() : tensor<2x8x16xf32>
  %20 = linalg.fill ins(%cst : f32) outs(%19 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %21 = linalg.batch_matmul ins(%collapsed_2, %collapsed_3 : tensor<2x8x8xf32>, tensor<2x8x16xf32>) outs(%20 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %expanded_4 = tensor.expand_shape %21 [[0, 1], [2], [3]] output_shape [1, 2, 8, 16] : tensor<2x8x16xf32> into tensor<1x2x8x16xf32>
  return %expanded_4 : tensor<1x2x8x16xf32>
}

// -----

// Upstream form: rank-4 contractions as linalg.generic, linalg.softmax, no
// scale at all (so scale = 1).
#qk = affine_map<(b, h, n, m, d) -> (b, h, n, d)>
#kk = affine_map<(b, h, n, m, d) -> (b, h, m, d)>
#sk = affine_map<(b, h, n, m, d) -> (b, h, n, m)>
#pv_p = affine_map<(b, h, n, e, m) -> (b, h, n, m)>
#pv_v = affine_map<(b, h, n, e, m) -> (b, h, m, e)>
#pv_o = affine_map<(b, h, n, e, m) -> (b, h, n, e)>
// CHECK-LABEL: func.func @linalg_softmax(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<2x3x8x4xf32>, %[[K:[^:]+]]: tensor<2x3x6x4xf32>, %[[V:[^:]+]]: tensor<2x3x6x5xf32>)
// CHECK-NOT:     linalg.
// CHECK:         %[[O:.+]] = hdp.attention config #hdp.config<rho = 0.3, scale = 1.0> %[[Q]], %[[K]], %[[V]] : tensor<2x3x8x4xf32>, tensor<2x3x6x4xf32>, tensor<2x3x6x5xf32> -> tensor<2x3x8x5xf32>
// CHECK-NEXT:    return %[[O]]
func.func @linalg_softmax(%q: tensor<2x3x8x4xf32>, %k: tensor<2x3x6x4xf32>, %v: tensor<2x3x6x5xf32>) -> tensor<2x3x8x5xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<2x3x8x6xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<2x3x8x6xf32>) -> tensor<2x3x8x6xf32>
  %s = linalg.generic {indexing_maps = [#qk, #kk, #sk], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<2x3x8x4xf32>, tensor<2x3x6x4xf32>) outs(%f0 : tensor<2x3x8x6xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %mul = arith.mulf %a, %b : f32
    %add = arith.addf %c, %mul : f32
    linalg.yield %add : f32
  } -> tensor<2x3x8x6xf32>
  %e1 = tensor.empty() : tensor<2x3x8x6xf32>
  %p = linalg.softmax dimension(3) ins(%s : tensor<2x3x8x6xf32>) outs(%e1 : tensor<2x3x8x6xf32>) -> tensor<2x3x8x6xf32>
  %e2 = tensor.empty() : tensor<2x3x8x5xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x3x8x5xf32>) -> tensor<2x3x8x5xf32>
  %o = linalg.generic {indexing_maps = [#pv_p, #pv_v, #pv_o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<2x3x8x6xf32>, tensor<2x3x6x5xf32>) outs(%f2 : tensor<2x3x8x5xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %mul = arith.mulf %a, %b : f32
    %add = arith.addf %c, %mul : f32
    linalg.yield %add : f32
  } -> tensor<2x3x8x5xf32>
  return %o : tensor<2x3x8x5xf32>
}

// -----

// Multiply by the reciprocal of the sum; max init -3.40282347E+38 with
// maxnumf; scale 0.25 as a mulf generic (the default for D = 16).
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#row4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @decomposed_reciprocal(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<2x2x8x16xf32>, %[[K:[^:]+]]: tensor<2x2x8x16xf32>, %[[V:[^:]+]]: tensor<2x2x8x16xf32>)
// CHECK-NOT:     linalg.
// CHECK-NOT:     tensor.
// CHECK:         %[[O:.+]] = hdp.attention config #hdp.config<rho = 0.3> %[[Q]], %[[K]], %[[V]] : tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32> -> tensor<2x2x8x16xf32>
// CHECK-NEXT:    return %[[O]]
func.func @decomposed_reciprocal(%q: tensor<2x2x8x16xf32>, %k: tensor<2x2x8x16xf32>, %v: tensor<2x2x8x16xf32>) -> tensor<2x2x8x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %cst_1 = arith.constant 1.000000e+00 : f32
  %lowest = arith.constant -3.40282347E+38 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<2x2x8x16xf32> into tensor<4x8x16xf32>
  %ck = tensor.collapse_shape %k [[0, 1], [2], [3]] : tensor<2x2x8x16xf32> into tensor<4x8x16xf32>
  %e0 = tensor.empty() : tensor<4x16x8xf32>
  %kt = linalg.transpose ins(%ck : tensor<4x8x16xf32>) outs(%e0 : tensor<4x16x8xf32>) permutation = [0, 2, 1]
  %e1 = tensor.empty() : tensor<4x8x8xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s3 = linalg.batch_matmul ins(%cq, %kt : tensor<4x8x16xf32>, tensor<4x16x8xf32>) outs(%f1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = tensor.expand_shape %s3 [[0, 1], [2], [3]] output_shape [2, 2, 8, 8] : tensor<4x8x8xf32> into tensor<2x2x8x8xf32>
  %e2 = tensor.empty() : tensor<2x2x8x8xf32>
  %scaled = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<2x2x8x8xf32>) outs(%e2 : tensor<2x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %quarter : f32
    linalg.yield %0 : f32
  } -> tensor<2x2x8x8xf32>
  %e3 = tensor.empty() : tensor<2x2x8xf32>
  %f3 = linalg.fill ins(%lowest : f32) outs(%e3 : tensor<2x2x8xf32>) -> tensor<2x2x8xf32>
  %max = linalg.generic {indexing_maps = [#id4, #row4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%scaled : tensor<2x2x8x8xf32>) outs(%f3 : tensor<2x2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maxnumf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<2x2x8xf32>
  %sub = linalg.generic {indexing_maps = [#id4, #row4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%scaled, %max : tensor<2x2x8x8xf32>, tensor<2x2x8xf32>) outs(%e2 : tensor<2x2x8x8xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.subf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<2x2x8x8xf32>
  %exp = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sub : tensor<2x2x8x8xf32>) outs(%e2 : tensor<2x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.exp %in : f32
    linalg.yield %0 : f32
  } -> tensor<2x2x8x8xf32>
  %f4 = linalg.fill ins(%cst : f32) outs(%e3 : tensor<2x2x8xf32>) -> tensor<2x2x8xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #row4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%exp : tensor<2x2x8x8xf32>) outs(%f4 : tensor<2x2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %out, %in : f32
    linalg.yield %0 : f32
  } -> tensor<2x2x8xf32>
  %rcp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%sum : tensor<2x2x8xf32>) outs(%e3 : tensor<2x2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.divf %cst_1, %in : f32
    linalg.yield %0 : f32
  } -> tensor<2x2x8xf32>
  %p = linalg.generic {indexing_maps = [#id4, #row4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%exp, %rcp : tensor<2x2x8x8xf32>, tensor<2x2x8xf32>) outs(%e2 : tensor<2x2x8x8xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<2x2x8x8xf32>
  %cp = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<2x2x8x8xf32> into tensor<4x8x8xf32>
  %cv = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<2x2x8x16xf32> into tensor<4x8x16xf32>
  %e5 = tensor.empty() : tensor<4x8x16xf32>
  %f5 = linalg.fill ins(%cst : f32) outs(%e5 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o3 = linalg.batch_matmul ins(%cp, %cv : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%f5 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [2, 2, 8, 16] : tensor<4x8x16xf32> into tensor<2x2x8x16xf32>
  return %o : tensor<2x2x8x16xf32>
}

// -----

// Genuinely rank-3 attention [G, N, D] (no head structure): Q·Kᵀ as a
// batch_matmul with transposing indexing_maps; max init 0xFFC00000 with a
// cmpf/select combiner; sub and exp fused in one generic; no scale.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
// LLVM-LABEL: llvm.func @rank3_transposing_maps(
// CHECK-LABEL: func.func @rank3_transposing_maps(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<6x8x4xf32>, %[[K:[^:]+]]: tensor<6x5x4xf32>, %[[V:[^:]+]]: tensor<6x5x3xf32>)
// CHECK-NOT:     linalg.
// CHECK-DAG:     %[[Q4:.+]] = tensor.expand_shape %[[Q]] {{\[}}[0, 1], [2], [3]] output_shape [6, 1, 8, 4] : tensor<6x8x4xf32> into tensor<6x1x8x4xf32>
// CHECK-DAG:     %[[K4:.+]] = tensor.expand_shape %[[K]] {{\[}}[0, 1], [2], [3]] output_shape [6, 1, 5, 4] : tensor<6x5x4xf32> into tensor<6x1x5x4xf32>
// CHECK-DAG:     %[[V4:.+]] = tensor.expand_shape %[[V]] {{\[}}[0, 1], [2], [3]] output_shape [6, 1, 5, 3] : tensor<6x5x3xf32> into tensor<6x1x5x3xf32>
// CHECK:         %[[O4:.+]] = hdp.attention config #hdp.config<rho = 0.3, scale = 1.0> %[[Q4]], %[[K4]], %[[V4]] : tensor<6x1x8x4xf32>, tensor<6x1x5x4xf32>, tensor<6x1x5x3xf32> -> tensor<6x1x8x3xf32>
// CHECK-NEXT:    %[[O:.+]] = tensor.collapse_shape %[[O4]] {{\[}}[0, 1], [2], [3]] : tensor<6x1x8x3xf32> into tensor<6x8x3xf32>
// CHECK-NOT:     linalg.
// CHECK-NEXT:    return %[[O]]
func.func @rank3_transposing_maps(%q: tensor<6x8x4xf32>, %k: tensor<6x5x4xf32>, %v: tensor<6x5x3xf32>) -> tensor<6x8x3xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %nan = arith.constant 0xFFC00000 : f32
  %e0 = tensor.empty() : tensor<6x8x5xf32>
  %f0 = linalg.fill ins(%cst : f32) outs(%e0 : tensor<6x8x5xf32>) -> tensor<6x8x5xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<6x8x4xf32>, tensor<6x5x4xf32>) outs(%f0 : tensor<6x8x5xf32>) -> tensor<6x8x5xf32>
  %e1 = tensor.empty() : tensor<6x8x1xf32>
  %f1 = linalg.fill ins(%nan : f32) outs(%e1 : tensor<6x8x1xf32>) -> tensor<6x8x1xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%s : tensor<6x8x5xf32>) outs(%f1 : tensor<6x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.cmpf ugt, %in, %out : f32
    %1 = arith.select %0, %in, %out : f32
    linalg.yield %1 : f32
  } -> tensor<6x8x1xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s, %max : tensor<6x8x5xf32>, tensor<6x8x1xf32>) outs(%e0 : tensor<6x8x5xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.subf %in, %in_0 : f32
    %1 = math.exp %0 : f32
    linalg.yield %1 : f32
  } -> tensor<6x8x5xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<6x8x1xf32>) -> tensor<6x8x1xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<6x8x5xf32>) outs(%f2 : tensor<6x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<6x8x1xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<6x8x5xf32>, tensor<6x8x1xf32>) outs(%e0 : tensor<6x8x5xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.divf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<6x8x5xf32>
  %e3 = tensor.empty() : tensor<6x8x3xf32>
  %f3 = linalg.fill ins(%cst : f32) outs(%e3 : tensor<6x8x3xf32>) -> tensor<6x8x3xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<6x8x5xf32>, tensor<6x5x3xf32>) outs(%f3 : tensor<6x8x3xf32>) -> tensor<6x8x3xf32>
  return %o : tensor<6x8x3xf32>
}

// -----

// K transposed by linalg.transpose on rank 4 before the B·H collapse; the
// scores divided by 2 (scale 0.5, not the default 0.25 of D = 16);
// linalg.softmax on the rank-3 scores.
// CHECK-LABEL: func.func @transpose_then_batch_matmul(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<1x4x8x16xf32>, %[[K:[^:]+]]: tensor<1x4x8x16xf32>, %[[V:[^:]+]]: tensor<1x4x8x16xf32>)
// CHECK-NOT:     linalg.
// CHECK-NOT:     tensor.
// CHECK:         %[[O:.+]] = hdp.attention config #hdp.config<rho = 0.3, scale = 0.5> %[[Q]], %[[K]], %[[V]] :
// CHECK-NEXT:    return %[[O]]
func.func @transpose_then_batch_matmul(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %two = arith.constant 2.000000e+00 : f32
  %e0 = tensor.empty() : tensor<1x4x16x8xf32>
  %kt = linalg.transpose ins(%k : tensor<1x4x8x16xf32>) outs(%e0 : tensor<1x4x16x8xf32>) permutation = [0, 1, 3, 2]
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x4x8x16xf32> into tensor<4x8x16xf32>
  %ck = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x4x16x8xf32> into tensor<4x16x8xf32>
  %e1 = tensor.empty() : tensor<4x8x8xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul ins(%cq, %ck : tensor<4x8x16xf32>, tensor<4x16x8xf32>) outs(%f1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %scaled = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%e1 : tensor<4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.divf %in, %two : f32
    linalg.yield %0 : f32
  } -> tensor<4x8x8xf32>
  %p = linalg.softmax dimension(2) ins(%scaled : tensor<4x8x8xf32>) outs(%e1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %cv = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x4x8x16xf32> into tensor<4x8x16xf32>
  %e2 = tensor.empty() : tensor<4x8x16xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%e2 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o3 = linalg.batch_matmul ins(%p, %cv : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%f2 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [1, 4, 8, 16] : tensor<4x8x16xf32> into tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// torch-mlir scaled_dot_product_attention: Q and the transposed K copied,
// the scale computed as sqrt(sitofp(dense<16>)) on rank-0 tensors (= 4, the
// default), the max reduced without keepdim then expand_shape'd.
#map7 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map9 = affine_map<() -> ()>
#map10 = affine_map<(d0, d1, d2, d3) -> ()>
#map15 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
#map16 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, d3)>
#map17 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map18 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, 0)>
#map19 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
// LLVM-LABEL: llvm.func @sdpa(
// CHECK-LABEL: func.func @sdpa(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<1x2x8x16xf32>, %[[K:[^:]+]]: tensor<1x2x8x16xf32>, %[[V:[^:]+]]: tensor<1x2x8x16xf32>)
// CHECK-NOT:     linalg.
// CHECK-NOT:     tensor.
// CHECK-NOT:     arith.
// CHECK:         %[[O:.+]] = hdp.attention config #hdp.config<rho = 0.3> %[[Q]], %[[K]], %[[V]] :
// CHECK-NEXT:    return %[[O]]
func.func @sdpa(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %cst_0 = arith.constant 0.000000e+00 : f32
  %cst_2 = arith.constant 0xFF800000 : f32
  %c0_i64 = arith.constant 0 : i64
  %cst_15 = arith.constant dense<16> : tensor<i64>
  %28 = tensor.empty() : tensor<f32>
  %39 = tensor.empty() : tensor<1x2x8x16xf32>
  %41 = linalg.generic {indexing_maps = [#map9, #map9], iterator_types = []} ins(%cst_15 : tensor<i64>) outs(%28 : tensor<f32>) {
  ^bb0(%in: i64, %out: f32):
    %741 = arith.sitofp %in : i64 to f32
    linalg.yield %741 : f32
  } -> tensor<f32>
  %42 = tensor.empty() : tensor<1x2x16x8xf32>
  %43 = linalg.generic {indexing_maps = [#map7, #map15], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k : tensor<1x2x8x16xf32>) outs(%42 : tensor<1x2x16x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x16x8xf32>
  %44 = linalg.generic {indexing_maps = [#map16, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q : tensor<1x2x8x16xf32>) outs(%39 : tensor<1x2x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x8x16xf32>
  %45 = linalg.generic {indexing_maps = [#map16, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%43 : tensor<1x2x16x8xf32>) outs(%42 : tensor<1x2x16x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x16x8xf32>
  %collapsed = tensor.collapse_shape %44 [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %collapsed_20 = tensor.collapse_shape %45 [[0, 1], [2], [3]] : tensor<1x2x16x8xf32> into tensor<2x16x8xf32>
  %46 = tensor.empty() : tensor<2x8x8xf32>
  %47 = linalg.fill ins(%cst_0 : f32) outs(%46 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %48 = linalg.batch_matmul ins(%collapsed, %collapsed_20 : tensor<2x8x16xf32>, tensor<2x16x8xf32>) outs(%47 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %expanded_21 = tensor.expand_shape %48 [[0, 1], [2], [3]] output_shape [1, 2, 8, 8] : tensor<2x8x8xf32> into tensor<1x2x8x8xf32>
  %49 = linalg.generic {indexing_maps = [#map9, #map9], iterator_types = []} ins(%41 : tensor<f32>) outs(%28 : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %741 = math.sqrt %in : f32
    linalg.yield %741 : f32
  } -> tensor<f32>
  %50 = tensor.empty() : tensor<1x2x8x8xf32>
  %51 = linalg.generic {indexing_maps = [#map16, #map10, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_21, %49 : tensor<1x2x8x8xf32>, tensor<f32>) outs(%50 : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_116: f32, %out: f32):
    %741 = arith.divf %in, %in_116 : f32
    linalg.yield %741 : f32
  } -> tensor<1x2x8x8xf32>
  %55 = tensor.empty() : tensor<1x2x8xi64>
  %56 = linalg.fill ins(%c0_i64 : i64) outs(%55 : tensor<1x2x8xi64>) -> tensor<1x2x8xi64>
  %57 = tensor.empty() : tensor<1x2x8xf32>
  %58 = linalg.fill ins(%cst_2 : f32) outs(%57 : tensor<1x2x8xf32>) -> tensor<1x2x8xf32>
  %59:2 = linalg.generic {indexing_maps = [#map7, #map17, #map17], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%51 : tensor<1x2x8x8xf32>) outs(%58, %56 : tensor<1x2x8xf32>, tensor<1x2x8xi64>) {
  ^bb0(%in: f32, %out: f32, %out_116: i64):
    %741 = linalg.index 3 : index
    %742 = arith.index_cast %741 : index to i64
    %743 = arith.maximumf %in, %out : f32
    %744 = arith.cmpf ogt, %in, %out : f32
    %745 = arith.select %744, %742, %out_116 : i64
    linalg.yield %743, %745 : f32, i64
  } -> (tensor<1x2x8xf32>, tensor<1x2x8xi64>)
  %expanded_22 = tensor.expand_shape %59#0 [[0], [1], [2, 3]] output_shape [1, 2, 8, 1] : tensor<1x2x8xf32> into tensor<1x2x8x1xf32>
  %60 = linalg.generic {indexing_maps = [#map16, #map18, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%51, %expanded_22 : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%50 : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_116: f32, %out: f32):
    %741 = arith.subf %in, %in_116 : f32
    linalg.yield %741 : f32
  } -> tensor<1x2x8x8xf32>
  %61 = linalg.generic {indexing_maps = [#map16, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%60 : tensor<1x2x8x8xf32>) outs(%50 : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %741 = math.exp %in : f32
    linalg.yield %741 : f32
  } -> tensor<1x2x8x8xf32>
  %62 = tensor.empty() : tensor<1x2x8x1xf32>
  %63 = linalg.fill ins(%cst_0 : f32) outs(%62 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %64 = linalg.generic {indexing_maps = [#map7, #map19], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%61 : tensor<1x2x8x8xf32>) outs(%63 : tensor<1x2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %741 = arith.addf %in, %out : f32
    linalg.yield %741 : f32
  } -> tensor<1x2x8x1xf32>
  %65 = linalg.generic {indexing_maps = [#map16, #map18, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%61, %64 : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%50 : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_116: f32, %out: f32):
    %741 = arith.divf %in, %in_116 : f32
    linalg.yield %741 : f32
  } -> tensor<1x2x8x8xf32>
  %collapsed_23 = tensor.collapse_shape %65 [[0, 1], [2], [3]] : tensor<1x2x8x8xf32> into tensor<2x8x8xf32>
  %collapsed_v = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %67 = tensor.empty() : tensor<2x8x16xf32>
  %68 = linalg.fill ins(%cst_0 : f32) outs(%67 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %69 = linalg.batch_matmul ins(%collapsed_23, %collapsed_v : tensor<2x8x8xf32>, tensor<2x8x16xf32>) outs(%68 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %expanded_24 = tensor.expand_shape %69 [[0, 1], [2], [3]] output_shape [1, 2, 8, 16] : tensor<2x8x16xf32> into tensor<1x2x8x16xf32>
  return %expanded_24 : tensor<1x2x8x16xf32>
}

// -----

// Scale folded into Q: Q·0.5 before the matmul; the raised op reads the
// unscaled Q and carries scale = 0.5. Scores as rank 3 with linalg.softmax.
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @scale_folded_into_q(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<1x2x8x16xf32>, %[[K:[^:]+]]: tensor<1x2x8x16xf32>, %[[V:[^:]+]]: tensor<1x2x8x16xf32>)
// CHECK-NOT:     linalg.
// CHECK-NOT:     tensor.
// CHECK:         %[[O:.+]] = hdp.attention config #hdp.config<rho = 0.3, scale = 0.5> %[[Q]], %[[K]], %[[V]] :
// CHECK-NEXT:    return %[[O]]
func.func @scale_folded_into_q(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %half = arith.constant 5.000000e-01 : f32
  %e = tensor.empty() : tensor<1x2x8x16xf32>
  %qs = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q : tensor<1x2x8x16xf32>) outs(%e : tensor<1x2x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %half : f32
    linalg.yield %0 : f32
  } -> tensor<1x2x8x16xf32>
  %cq = tensor.collapse_shape %qs [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %ck = tensor.collapse_shape %k [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %e1 = tensor.empty() : tensor<2x8x8xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%cq, %ck : tensor<2x8x16xf32>, tensor<2x8x16xf32>) outs(%f1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<2x8x8xf32>) outs(%e1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %cv = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %e2 = tensor.empty() : tensor<2x8x16xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%e2 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o3 = linalg.batch_matmul ins(%p, %cv : tensor<2x8x8xf32>, tensor<2x8x16xf32>) outs(%f2 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [1, 2, 8, 16] : tensor<2x8x16xf32> into tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

// PyTorch's math SDPA scales both Q and Kᵀ by sqrt(scale): the factors
// multiply (0.5 · 0.5 = 0.25, the default for D = 16).
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @scale_split_q_k(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<1x2x8x16xf32>, %[[K:[^:]+]]: tensor<1x2x8x16xf32>, %[[V:[^:]+]]: tensor<1x2x8x16xf32>)
// CHECK-NOT:     linalg.
// CHECK-NOT:     tensor.
// CHECK:         %[[O:.+]] = hdp.attention config #hdp.config<rho = 0.3> %[[Q]], %[[K]], %[[V]] :
// CHECK-NEXT:    return %[[O]]
func.func @scale_split_q_k(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %half = arith.constant 5.000000e-01 : f32
  %e = tensor.empty() : tensor<1x2x8x16xf32>
  %qs = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q : tensor<1x2x8x16xf32>) outs(%e : tensor<1x2x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %half : f32
    linalg.yield %0 : f32
  } -> tensor<1x2x8x16xf32>
  %et = tensor.empty() : tensor<1x2x16x8xf32>
  %kt = linalg.transpose ins(%k : tensor<1x2x8x16xf32>) outs(%et : tensor<1x2x16x8xf32>) permutation = [0, 1, 3, 2]
  %kts = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kt : tensor<1x2x16x8xf32>) outs(%et : tensor<1x2x16x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %half : f32
    linalg.yield %0 : f32
  } -> tensor<1x2x16x8xf32>
  %cq = tensor.collapse_shape %qs [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %ck = tensor.collapse_shape %kts [[0, 1], [2], [3]] : tensor<1x2x16x8xf32> into tensor<2x16x8xf32>
  %e1 = tensor.empty() : tensor<2x8x8xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s = linalg.batch_matmul ins(%cq, %ck : tensor<2x8x16xf32>, tensor<2x16x8xf32>) outs(%f1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<2x8x8xf32>) outs(%e1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %cv = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %e2 = tensor.empty() : tensor<2x8x16xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%e2 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o3 = linalg.batch_matmul ins(%p, %cv : tensor<2x8x8xf32>, tensor<2x8x16xf32>) outs(%f2 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [1, 2, 8, 16] : tensor<2x8x16xf32> into tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

// Scale as a mulf generic by 0.125 (not the default 0.25 of D = 16); a
// padding mask [B, M] broadcast to [B, H, N, M] by linalg.broadcast: the
// raised op reads the source, reshaped to [B, 1, 1, M].
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @scale_mulf_mask_broadcast(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<2x2x8x16xf32>, %[[K:[^:]+]]: tensor<2x2x8x16xf32>, %[[V:[^:]+]]: tensor<2x2x8x16xf32>, %[[M:[^:]+]]: tensor<2x8xf32>)
// CHECK-NOT:     linalg.
// CHECK:         %[[M4:.+]] = tensor.expand_shape %[[M]] {{\[}}[0], [1, 2, 3]] output_shape [2, 1, 1, 8] : tensor<2x8xf32> into tensor<2x1x1x8xf32>
// CHECK-NEXT:    %[[O:.+]] = hdp.attention config #hdp.config<rho = 0.3, scale = 0.125> %[[Q]], %[[K]], %[[V]] mask %[[M4]] : tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x2x8x16xf32>, tensor<2x1x1x8xf32> -> tensor<2x2x8x16xf32>
// CHECK-NEXT:    return %[[O]]
func.func @scale_mulf_mask_broadcast(%q: tensor<2x2x8x16xf32>, %k: tensor<2x2x8x16xf32>, %v: tensor<2x2x8x16xf32>, %m: tensor<2x8xf32>) -> tensor<2x2x8x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %c = arith.constant 1.250000e-01 : f32
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<2x2x8x16xf32> into tensor<4x8x16xf32>
  %ck = tensor.collapse_shape %k [[0, 1], [2], [3]] : tensor<2x2x8x16xf32> into tensor<4x8x16xf32>
  %e1 = tensor.empty() : tensor<4x8x8xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s3 = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%cq, %ck : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%f1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = tensor.expand_shape %s3 [[0, 1], [2], [3]] output_shape [2, 2, 8, 8] : tensor<4x8x8xf32> into tensor<2x2x8x8xf32>
  %e2 = tensor.empty() : tensor<2x2x8x8xf32>
  %scaled = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<2x2x8x8xf32>) outs(%e2 : tensor<2x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %c, %in : f32
    linalg.yield %0 : f32
  } -> tensor<2x2x8x8xf32>
  %mb = linalg.broadcast ins(%m : tensor<2x8xf32>) outs(%e2 : tensor<2x2x8x8xf32>) dimensions = [1, 2]
  %masked = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%scaled, %mb : tensor<2x2x8x8xf32>, tensor<2x2x8x8xf32>) outs(%e2 : tensor<2x2x8x8xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.addf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<2x2x8x8xf32>
  %p = linalg.softmax dimension(3) ins(%masked : tensor<2x2x8x8xf32>) outs(%e2 : tensor<2x2x8x8xf32>) -> tensor<2x2x8x8xf32>
  %cp = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<2x2x8x8xf32> into tensor<4x8x8xf32>
  %cv = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<2x2x8x16xf32> into tensor<4x8x16xf32>
  %e5 = tensor.empty() : tensor<4x8x16xf32>
  %f5 = linalg.fill ins(%cst : f32) outs(%e5 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o3 = linalg.batch_matmul ins(%cp, %cv : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%f5 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [2, 2, 8, 16] : tensor<4x8x16xf32> into tensor<2x2x8x16xf32>
  return %o : tensor<2x2x8x16xf32>
}

// -----

// A causal mask [N, M] added to rank-3 scores through a broadcasting map;
// genuinely rank-3 inputs; scale 1/3 as a divf by 3.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#nm = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @rank3_mask(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<4x8x16xf32>, %[[K:[^:]+]]: tensor<4x8x16xf32>, %[[V:[^:]+]]: tensor<4x8x16xf32>, %[[M:[^:]+]]: tensor<8x8xf32>)
// CHECK-NOT:     linalg.
// CHECK-DAG:     %[[Q4:.+]] = tensor.expand_shape %[[Q]] {{.*}} into tensor<4x1x8x16xf32>
// CHECK-DAG:     %[[K4:.+]] = tensor.expand_shape %[[K]] {{.*}} into tensor<4x1x8x16xf32>
// CHECK-DAG:     %[[V4:.+]] = tensor.expand_shape %[[V]] {{.*}} into tensor<4x1x8x16xf32>
// CHECK:         %[[O4:.+]] = hdp.attention config #hdp.config<rho = 0.3, scale = 0.3333333432674408> %[[Q4]], %[[K4]], %[[V4]] mask %[[M]] : tensor<4x1x8x16xf32>, tensor<4x1x8x16xf32>, tensor<4x1x8x16xf32>, tensor<8x8xf32> -> tensor<4x1x8x16xf32>
// CHECK-NEXT:    %[[O:.+]] = tensor.collapse_shape %[[O4]] {{\[}}[0, 1], [2], [3]] : tensor<4x1x8x16xf32> into tensor<4x8x16xf32>
// CHECK-NEXT:    return %[[O]]
func.func @rank3_mask(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>, %m: tensor<8x8xf32>) -> tensor<4x8x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %three = arith.constant 3.000000e+00 : f32
  %e1 = tensor.empty() : tensor<4x8x8xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%f1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %scaled = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%e1 : tensor<4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.divf %in, %three : f32
    linalg.yield %0 : f32
  } -> tensor<4x8x8xf32>
  %masked = linalg.generic {indexing_maps = [#nm, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%m, %scaled : tensor<8x8xf32>, tensor<4x8x8xf32>) outs(%e1 : tensor<4x8x8xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.addf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<4x8x8xf32>
  %p = linalg.softmax dimension(2) ins(%masked : tensor<4x8x8xf32>) outs(%e1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %e2 = tensor.empty() : tensor<4x8x16xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%e2 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%f2 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// A full rank-3 mask [G, N, M] on genuinely rank-3 attention: split with the
// inputs to [G, 1, N, M].
// CHECK-LABEL: func.func @rank3_full_mask(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<4x8x16xf32>, %[[K:[^:]+]]: tensor<4x8x16xf32>, %[[V:[^:]+]]: tensor<4x8x16xf32>, %[[M:[^:]+]]: tensor<4x8x8xf32>)
// CHECK-NOT:     linalg.
// CHECK:         %[[M4:.+]] = tensor.expand_shape %[[M]] {{\[}}[0, 1], [2], [3]] output_shape [4, 1, 8, 8] : tensor<4x8x8xf32> into tensor<4x1x8x8xf32>
// CHECK-NEXT:    %[[O4:.+]] = hdp.attention config #hdp.config<rho = 0.3, scale = 1.0> %{{.+}}, %{{.+}}, %{{.+}} mask %[[M4]] : tensor<4x1x8x16xf32>, tensor<4x1x8x16xf32>, tensor<4x1x8x16xf32>, tensor<4x1x8x8xf32> -> tensor<4x1x8x16xf32>
// CHECK-NEXT:    %[[O:.+]] = tensor.collapse_shape %[[O4]]
// CHECK-NEXT:    return %[[O]]
func.func @rank3_full_mask(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>, %m: tensor<4x8x8xf32>) -> tensor<4x8x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e1 = tensor.empty() : tensor<4x8x8xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%f1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %masked = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s, %m : tensor<4x8x8xf32>, tensor<4x8x8xf32>) outs(%e1 : tensor<4x8x8xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.addf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<4x8x8xf32>
  %p = linalg.softmax dimension(2) ins(%masked : tensor<4x8x8xf32>) outs(%e1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %e2 = tensor.empty() : tensor<4x8x16xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%e2 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%f2 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// Kᵀ arrives as an argument [G, D, M]: the raised op needs K as [G, M, D]
// and gets a linalg.transpose.
// LLVM-LABEL: llvm.func @kt_argument(
// CHECK-LABEL: func.func @kt_argument(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<4x8x16xf32>, %[[KT:[^:]+]]: tensor<4x16x6xf32>, %[[V:[^:]+]]: tensor<4x6x16xf32>)
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<4x6x16xf32>
// CHECK-NEXT:    %[[K:.+]] = linalg.transpose ins(%[[KT]] : tensor<4x16x6xf32>) outs(%[[E]] : tensor<4x6x16xf32>) permutation = [0, 2, 1]
// CHECK-NEXT:    %[[K4:.+]] = tensor.expand_shape %[[K]] {{\[}}[0, 1], [2], [3]] output_shape [4, 1, 6, 16]
// CHECK:         %[[O4:.+]] = hdp.attention config #hdp.config<rho = 0.3, scale = 1.0> %{{.+}}, %[[K4]], %{{.+}} : tensor<4x1x8x16xf32>, tensor<4x1x6x16xf32>, tensor<4x1x6x16xf32> -> tensor<4x1x8x16xf32>
// CHECK-NOT:     linalg.
// CHECK:         return
func.func @kt_argument(%q: tensor<4x8x16xf32>, %kt: tensor<4x16x6xf32>, %v: tensor<4x6x16xf32>) -> tensor<4x8x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e1 = tensor.empty() : tensor<4x8x6xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<4x8x6xf32>) -> tensor<4x8x6xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<4x8x16xf32>, tensor<4x16x6xf32>) outs(%f1 : tensor<4x8x6xf32>) -> tensor<4x8x6xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<4x8x6xf32>) outs(%e1 : tensor<4x8x6xf32>) -> tensor<4x8x6xf32>
  %e2 = tensor.empty() : tensor<4x8x16xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%e2 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x6xf32>, tensor<4x6x16xf32>) outs(%f2 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// Heads split from a projection [B, N, H·D] by expand_shape + transpose
// generic, as torch-mlir emits view + transpose: the raised op reads the
// transposed [B, H, N, D] values and no new transpose appears.
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#bnhd = affine_map<(d0, d1, d2, d3) -> (d0, d2, d1, d3)>
#kt = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
// CHECK-LABEL: func.func @head_transposes(
// CHECK-SAME:      %[[QL:[^:]+]]: tensor<1x8x32xf32>, %[[KL:[^:]+]]: tensor<1x8x32xf32>, %[[VL:[^:]+]]: tensor<1x8x32xf32>)
// CHECK-DAG:     %[[Q0:.+]] = tensor.expand_shape %[[QL]]
// CHECK-DAG:     %[[K0:.+]] = tensor.expand_shape %[[KL]]
// CHECK-DAG:     %[[V0:.+]] = tensor.expand_shape %[[VL]]
// CHECK:         %[[Q:.+]] = linalg.generic {{.*}} ins(%[[Q0]] : tensor<1x8x2x16xf32>)
// CHECK:         %[[K:.+]] = linalg.generic {{.*}} ins(%[[K0]] : tensor<1x8x2x16xf32>)
// CHECK:         %[[V:.+]] = linalg.generic {{.*}} ins(%[[V0]] : tensor<1x8x2x16xf32>)
// CHECK:         } -> tensor<1x2x8x16xf32>
// CHECK-NOT:     linalg.
// CHECK:         %[[O:.+]] = hdp.attention config #hdp.config<rho = 0.3> %[[Q]], %[[K]], %[[V]] :
// CHECK-NEXT:    return %[[O]]
func.func @head_transposes(%ql: tensor<1x8x32xf32>, %kl: tensor<1x8x32xf32>, %vl: tensor<1x8x32xf32>) -> tensor<1x2x8x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %c = arith.constant 2.500000e-01 : f32
  %q0 = tensor.expand_shape %ql [[0], [1], [2, 3]] output_shape [1, 8, 2, 16] : tensor<1x8x32xf32> into tensor<1x8x2x16xf32>
  %k0 = tensor.expand_shape %kl [[0], [1], [2, 3]] output_shape [1, 8, 2, 16] : tensor<1x8x32xf32> into tensor<1x8x2x16xf32>
  %v0 = tensor.expand_shape %vl [[0], [1], [2, 3]] output_shape [1, 8, 2, 16] : tensor<1x8x32xf32> into tensor<1x8x2x16xf32>
  %e = tensor.empty() : tensor<1x2x8x16xf32>
  %q = linalg.generic {indexing_maps = [#id4, #bnhd], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q0 : tensor<1x8x2x16xf32>) outs(%e : tensor<1x2x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x8x16xf32>
  %k = linalg.generic {indexing_maps = [#id4, #bnhd], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k0 : tensor<1x8x2x16xf32>) outs(%e : tensor<1x2x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x8x16xf32>
  %v = linalg.generic {indexing_maps = [#id4, #bnhd], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%v0 : tensor<1x8x2x16xf32>) outs(%e : tensor<1x2x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x8x16xf32>
  %et = tensor.empty() : tensor<1x2x16x8xf32>
  %kt = linalg.generic {indexing_maps = [#id4, #kt], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k : tensor<1x2x8x16xf32>) outs(%et : tensor<1x2x16x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x16x8xf32>
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %ck = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x16x8xf32> into tensor<2x16x8xf32>
  %e1 = tensor.empty() : tensor<2x8x8xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s3 = linalg.batch_matmul ins(%cq, %ck : tensor<2x8x16xf32>, tensor<2x16x8xf32>) outs(%f1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s = tensor.expand_shape %s3 [[0, 1], [2], [3]] output_shape [1, 2, 8, 8] : tensor<2x8x8xf32> into tensor<1x2x8x8xf32>
  %es = tensor.empty() : tensor<1x2x8x8xf32>
  %sc = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x8x8xf32>) outs(%es : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %c : f32
    linalg.yield %0 : f32
  } -> tensor<1x2x8x8xf32>
  %p = linalg.softmax dimension(3) ins(%sc : tensor<1x2x8x8xf32>) outs(%es : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %cp = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x8x8xf32> into tensor<2x8x8xf32>
  %cv = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %e2 = tensor.empty() : tensor<2x8x16xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%e2 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o3 = linalg.batch_matmul ins(%cp, %cv : tensor<2x8x8xf32>, tensor<2x8x16xf32>) outs(%f2 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [1, 2, 8, 16] : tensor<2x8x16xf32> into tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

// Dynamic batch and sequence (B, N, M unknown; H = 2): a padding mask [B, M]
// broadcast by a torch-mlir style copy generic, seen through to its source.
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#bm = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
// LLVM-LABEL: llvm.func @dynamic(
// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<?x2x?x16xf32>, %[[K:[^:]+]]: tensor<?x2x?x16xf32>, %[[V:[^:]+]]: tensor<?x2x?x16xf32>, %[[M:[^:]+]]: tensor<?x?xf32>)
// CHECK-NOT:     linalg.
// CHECK-DAG:     %[[B:.+]] = tensor.dim %[[M]], %c0
// CHECK-DAG:     %[[N:.+]] = tensor.dim %[[M]], %c1
// CHECK:         %[[M4:.+]] = tensor.expand_shape %[[M]] {{\[}}[0], [1, 2, 3]] output_shape [%[[B]], 1, 1, %[[N]]] : tensor<?x?xf32> into tensor<?x1x1x?xf32>
// CHECK-NEXT:    %[[O:.+]] = hdp.attention config #hdp.config<rho = 0.3, scale = 1.0> %[[Q]], %[[K]], %[[V]] mask %[[M4]] : tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x1x1x?xf32> -> tensor<?x2x?x16xf32>
// CHECK-NEXT:    return %[[O]]
func.func @dynamic(%q: tensor<?x2x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x16xf32>, %m: tensor<?x?xf32>) -> tensor<?x2x?x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %b = tensor.dim %q, %c0 : tensor<?x2x?x16xf32>
  %n = tensor.dim %q, %c2 : tensor<?x2x?x16xf32>
  %mm = tensor.dim %k, %c2 : tensor<?x2x?x16xf32>
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<?x2x?x16xf32> into tensor<?x?x16xf32>
  %ck = tensor.collapse_shape %k [[0, 1], [2], [3]] : tensor<?x2x?x16xf32> into tensor<?x?x16xf32>
  %c0b = tensor.dim %cq, %c0 : tensor<?x?x16xf32>
  %e1 = tensor.empty(%c0b, %n, %mm) : tensor<?x?x?xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %s3 = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%cq, %ck : tensor<?x?x16xf32>, tensor<?x?x16xf32>) outs(%f1 : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %s = tensor.expand_shape %s3 [[0, 1], [2], [3]] output_shape [%b, 2, %n, %mm] : tensor<?x?x?xf32> into tensor<?x2x?x?xf32>
  %e2 = tensor.empty(%b, %n, %mm) : tensor<?x2x?x?xf32>
  %mb = linalg.generic {indexing_maps = [#bm, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%m : tensor<?x?xf32>) outs(%e2 : tensor<?x2x?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<?x2x?x?xf32>
  %masked = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s, %mb : tensor<?x2x?x?xf32>, tensor<?x2x?x?xf32>) outs(%e2 : tensor<?x2x?x?xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.addf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<?x2x?x?xf32>
  %p = linalg.softmax dimension(3) ins(%masked : tensor<?x2x?x?xf32>) outs(%e2 : tensor<?x2x?x?xf32>) -> tensor<?x2x?x?xf32>
  %cp = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<?x2x?x?xf32> into tensor<?x?x?xf32>
  %cv = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<?x2x?x16xf32> into tensor<?x?x16xf32>
  %e5 = tensor.empty(%c0b, %n) : tensor<?x?x16xf32>
  %f5 = linalg.fill ins(%cst : f32) outs(%e5 : tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
  %o3 = linalg.batch_matmul ins(%cp, %cv : tensor<?x?x?xf32>, tensor<?x?x16xf32>) outs(%f5 : tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [%b, 2, %n, 16] : tensor<?x?x16xf32> into tensor<?x2x?x16xf32>
  return %o : tensor<?x2x?x16xf32>
}

// -----

// Dynamic genuinely rank-3 attention: [G, 1, N, D] with G read at run time.
// CHECK-LABEL: func.func @dynamic_rank3(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<?x?x16xf32>
// CHECK-NOT:     linalg.
// CHECK-DAG:     %[[G:.+]] = tensor.dim %[[Q]], %c0
// CHECK-DAG:     %[[N:.+]] = tensor.dim %[[Q]], %c1
// CHECK:         %[[Q4:.+]] = tensor.expand_shape %[[Q]] {{\[}}[0, 1], [2], [3]] output_shape [%[[G]], 1, %[[N]], 16] : tensor<?x?x16xf32> into tensor<?x1x?x16xf32>
// CHECK:         %[[O4:.+]] = hdp.attention config #hdp.config<rho = 0.3, scale = 1.0> %[[Q4]], %{{.+}}, %{{.+}} : tensor<?x1x?x16xf32>, tensor<?x1x?x16xf32>, tensor<?x1x?x16xf32> -> tensor<?x1x?x16xf32>
// CHECK-NEXT:    %[[O:.+]] = tensor.collapse_shape %[[O4]] {{\[}}[0, 1], [2], [3]] : tensor<?x1x?x16xf32> into tensor<?x?x16xf32>
// CHECK-NEXT:    return %[[O]]
func.func @dynamic_rank3(%q: tensor<?x?x16xf32>, %k: tensor<?x?x16xf32>, %v: tensor<?x?x16xf32>, %s0: tensor<?x?x?xf32>, %o0: tensor<?x?x16xf32>) -> tensor<?x?x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %f1 = linalg.fill ins(%cst : f32) outs(%s0 : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<?x?x16xf32>, tensor<?x?x16xf32>) outs(%f1 : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<?x?x?xf32>) outs(%s0 : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%o0 : tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<?x?x?xf32>, tensor<?x?x16xf32>) outs(%f2 : tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
  return %o : tensor<?x?x16xf32>
}

// -----

// Two stacked attentions: the second reads the first's output as its query.
// LLVM-LABEL: llvm.func @two_layers(
// CHECK-LABEL: func.func @two_layers(
// CHECK-NOT:     linalg.
// CHECK:         %[[A:.+]] = hdp.attention config #hdp.config<rho = 0.3, scale = 1.0> %{{.+}}, %{{.+}}, %{{.+}} : tensor<4x1x8x16xf32>, tensor<4x1x8x16xf32>, tensor<4x1x8x16xf32> -> tensor<4x1x8x16xf32>
// CHECK:         %[[B:.+]] = hdp.attention config #hdp.config<rho = 0.3, scale = 1.0> %[[A]], %{{.+}}, %{{.+}} :
// CHECK-NEXT:    %[[O:.+]] = tensor.collapse_shape %[[B]]
// CHECK-NEXT:    return %[[O]]
func.func @two_layers(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e1 = tensor.empty() : tensor<4x8x8xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %e2 = tensor.empty() : tensor<4x8x16xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%e2 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%f1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<4x8x8xf32>) outs(%e1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%f2 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %s2 = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%o, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%f1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %p2 = linalg.softmax dimension(2) ins(%s2 : tensor<4x8x8xf32>) outs(%e1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %o2 = linalg.batch_matmul ins(%p2, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%f2 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o2 : tensor<4x8x16xf32>
}

// -----

// masked_fill(attn_mask == 0, -inf) as torch-mlir emits it for SDPA with a
// mask: a select between -inf and the scores becomes the additive mask
// (-inf where the condition holds, 0 elsewhere) built from the condition.
#map7 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map8 = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#map9 = affine_map<() -> ()>
#map10 = affine_map<(d0, d1, d2, d3) -> ()>
#map16 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, d3)>
// CHECK-LABEL: func.func @sdpa_masked_fill(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<1x2x8x16xf32>, %[[K:[^:]+]]: tensor<1x2x8x16xf32>, %[[V:[^:]+]]: tensor<1x2x8x16xf32>, %[[AM:[^:]+]]: tensor<1x1x8x8xf32>)
// CHECK:         %[[C:.+]] = linalg.generic {{.*}} ins(%[[AM]] : tensor<1x1x8x8xf32>)
// CHECK:           arith.cmpf oeq
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<1x1x8x8xf32>
// CHECK:         %[[M:.+]] = linalg.generic {{.*}} ins(%[[C]] : tensor<1x1x8x8xi1>) outs(%[[E]] : tensor<1x1x8x8xf32>)
// CHECK-DAG:       %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK-DAG:       %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:           %[[SEL:.+]] = arith.select %{{.+}}, %[[NINF]], %[[ZERO]] : f32
// CHECK-NEXT:      linalg.yield %[[SEL]]
// CHECK:         %[[O:.+]] = hdp.attention config #hdp.config<rho = 0.3, scale = 1.0> %[[Q]], %[[K]], %[[V]] mask %[[M]] : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x1x8x8xf32> -> tensor<1x2x8x16xf32>
// CHECK-NOT:     linalg.
// CHECK:         return %[[O]]
func.func @sdpa_masked_fill(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %am: tensor<1x1x8x8xf32>) -> tensor<1x2x8x16xf32> {
  %cst_0 = arith.constant 0.000000e+00 : f32
  %cst_18 = arith.constant dense<0xFFF0000000000000> : tensor<f64>
  %28 = tensor.empty() : tensor<f32>
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %ck = tensor.collapse_shape %k [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %e1 = tensor.empty() : tensor<2x8x8xf32>
  %f1 = linalg.fill ins(%cst_0 : f32) outs(%e1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s3 = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%cq, %ck : tensor<2x8x16xf32>, tensor<2x8x16xf32>) outs(%f1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s = tensor.expand_shape %s3 [[0, 1], [2], [3]] output_shape [1, 2, 8, 8] : tensor<2x8x8xf32> into tensor<1x2x8x8xf32>
  %26 = tensor.empty() : tensor<1x1x8x8xi1>
  %52 = linalg.generic {indexing_maps = [#map8, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%am : tensor<1x1x8x8xf32>) outs(%26 : tensor<1x1x8x8xi1>) {
  ^bb0(%in: f32, %out: i1):
    %741 = arith.cmpf oeq, %in, %cst_0 : f32
    linalg.yield %741 : i1
  } -> tensor<1x1x8x8xi1>
  %53 = linalg.generic {indexing_maps = [#map9, #map9], iterator_types = []} ins(%cst_18 : tensor<f64>) outs(%28 : tensor<f32>) {
  ^bb0(%in: f64, %out: f32):
    %741 = arith.truncf %in : f64 to f32
    linalg.yield %741 : f32
  } -> tensor<f32>
  %50 = tensor.empty() : tensor<1x2x8x8xf32>
  %54 = linalg.generic {indexing_maps = [#map8, #map10, #map16, #map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%52, %53, %s : tensor<1x1x8x8xi1>, tensor<f32>, tensor<1x2x8x8xf32>) outs(%50 : tensor<1x2x8x8xf32>) {
  ^bb0(%in: i1, %in_116: f32, %in_117: f32, %out: f32):
    %741 = arith.select %in, %in_116, %in_117 : f32
    linalg.yield %741 : f32
  } -> tensor<1x2x8x8xf32>
  %p = linalg.softmax dimension(3) ins(%54 : tensor<1x2x8x8xf32>) outs(%50 : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %cp = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x8x8xf32> into tensor<2x8x8xf32>
  %cv = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %e5 = tensor.empty() : tensor<2x8x16xf32>
  %f5 = linalg.fill ins(%cst_0 : f32) outs(%e5 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o3 = linalg.batch_matmul ins(%cp, %cv : tensor<2x8x8xf32>, tensor<2x8x16xf32>) outs(%f5 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [1, 2, 8, 16] : tensor<2x8x16xf32> into tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

// A mask added to the rank-3 scores [B·H, N, M]: split with the B·H of the
// rank-4 sources into [B, H, N, M].
// CHECK-LABEL: func.func @mask3_split(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<2x3x8x16xf32>, %[[K:[^:]+]]: tensor<2x3x8x16xf32>, %[[V:[^:]+]]: tensor<2x3x8x16xf32>, %[[M:[^:]+]]: tensor<6x8x8xf32>)
// CHECK-NOT:     linalg.
// CHECK:         %[[M4:.+]] = tensor.expand_shape %[[M]] {{\[}}[0, 1], [2], [3]] output_shape [2, 3, 8, 8] : tensor<6x8x8xf32> into tensor<2x3x8x8xf32>
// CHECK-NEXT:    %[[O:.+]] = hdp.attention config #hdp.config<rho = 0.3, scale = 1.0> %[[Q]], %[[K]], %[[V]] mask %[[M4]] :
// CHECK-NEXT:    return %[[O]]
func.func @mask3_split(%q: tensor<2x3x8x16xf32>, %k: tensor<2x3x8x16xf32>, %v: tensor<2x3x8x16xf32>, %m: tensor<6x8x8xf32>) -> tensor<2x3x8x16xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<2x3x8x16xf32> into tensor<6x8x16xf32>
  %ck = tensor.collapse_shape %k [[0, 1], [2], [3]] : tensor<2x3x8x16xf32> into tensor<6x8x16xf32>
  %cv = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<2x3x8x16xf32> into tensor<6x8x16xf32>
  %e1 = tensor.empty() : tensor<6x8x8xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<6x8x8xf32>) -> tensor<6x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%cq, %ck : tensor<6x8x16xf32>, tensor<6x8x16xf32>) outs(%f1 : tensor<6x8x8xf32>) -> tensor<6x8x8xf32>
  %masked = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s, %m : tensor<6x8x8xf32>, tensor<6x8x8xf32>) outs(%e1 : tensor<6x8x8xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.addf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<6x8x8xf32>
  %p = linalg.softmax dimension(2) ins(%masked : tensor<6x8x8xf32>) outs(%e1 : tensor<6x8x8xf32>) -> tensor<6x8x8xf32>
  %e2 = tensor.empty() : tensor<6x8x16xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%e2 : tensor<6x8x16xf32>) -> tensor<6x8x16xf32>
  %o3 = linalg.batch_matmul ins(%p, %cv : tensor<6x8x8xf32>, tensor<6x8x16xf32>) outs(%f2 : tensor<6x8x16xf32>) -> tensor<6x8x16xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [2, 3, 8, 16] : tensor<6x8x16xf32> into tensor<2x3x8x16xf32>
  return %o : tensor<2x3x8x16xf32>
}

// -----

// A single-head attention on rank-2 tensors (torch.mm): Kᵀ by
// linalg.transpose, scale 1/8 by mulf, decomposed softmax without keepdim.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @rank2(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<16x64xf32>, %[[K:[^:]+]]: tensor<12x64xf32>, %[[V:[^:]+]]: tensor<12x32xf32>)
// CHECK-NOT:     linalg.
// CHECK-DAG:     %[[Q4:.+]] = tensor.expand_shape %[[Q]] {{\[}}[0, 1, 2], [3]] output_shape [1, 1, 16, 64] : tensor<16x64xf32> into tensor<1x1x16x64xf32>
// CHECK-DAG:     %[[K4:.+]] = tensor.expand_shape %[[K]] {{\[}}[0, 1, 2], [3]] output_shape [1, 1, 12, 64] : tensor<12x64xf32> into tensor<1x1x12x64xf32>
// CHECK-DAG:     %[[V4:.+]] = tensor.expand_shape %[[V]] {{\[}}[0, 1, 2], [3]] output_shape [1, 1, 12, 32] : tensor<12x32xf32> into tensor<1x1x12x32xf32>
// CHECK:         %[[O4:.+]] = hdp.attention config #hdp.config<rho = 0.3> %[[Q4]], %[[K4]], %[[V4]] : tensor<1x1x16x64xf32>, tensor<1x1x12x64xf32>, tensor<1x1x12x32xf32> -> tensor<1x1x16x32xf32>
// CHECK-NEXT:    %[[O:.+]] = tensor.collapse_shape %[[O4]] {{\[}}[0, 1, 2], [3]] : tensor<1x1x16x32xf32> into tensor<16x32xf32>
// CHECK-NEXT:    return %[[O]]
func.func @rank2(%q: tensor<16x64xf32>, %k: tensor<12x64xf32>, %v: tensor<12x32xf32>) -> tensor<16x32xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %c = arith.constant 1.250000e-01 : f32
  %et = tensor.empty() : tensor<64x12xf32>
  %kt = linalg.transpose ins(%k : tensor<12x64xf32>) outs(%et : tensor<64x12xf32>) permutation = [1, 0]
  %e1 = tensor.empty() : tensor<16x12xf32>
  %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<16x12xf32>) -> tensor<16x12xf32>
  %s = linalg.matmul ins(%q, %kt : tensor<16x64xf32>, tensor<64x12xf32>) outs(%f1 : tensor<16x12xf32>) -> tensor<16x12xf32>
  %sc = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<16x12xf32>) outs(%e1 : tensor<16x12xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %c : f32
    linalg.yield %0 : f32
  } -> tensor<16x12xf32>
  %er = tensor.empty() : tensor<16xf32>
  %fm = linalg.fill ins(%ninf : f32) outs(%er : tensor<16xf32>) -> tensor<16xf32>
  %max = linalg.generic {indexing_maps = [#id2, #row2], iterator_types = ["parallel", "reduction"]} ins(%sc : tensor<16x12xf32>) outs(%fm : tensor<16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<16xf32>
  %exp = linalg.generic {indexing_maps = [#id2, #row2, #id2], iterator_types = ["parallel", "parallel"]} ins(%sc, %max : tensor<16x12xf32>, tensor<16xf32>) outs(%e1 : tensor<16x12xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.subf %in, %in_0 : f32
    %1 = math.exp %0 : f32
    linalg.yield %1 : f32
  } -> tensor<16x12xf32>
  %fs = linalg.fill ins(%cst : f32) outs(%er : tensor<16xf32>) -> tensor<16xf32>
  %sum = linalg.generic {indexing_maps = [#id2, #row2], iterator_types = ["parallel", "reduction"]} ins(%exp : tensor<16x12xf32>) outs(%fs : tensor<16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<16xf32>
  %p = linalg.generic {indexing_maps = [#id2, #row2, #id2], iterator_types = ["parallel", "parallel"]} ins(%exp, %sum : tensor<16x12xf32>, tensor<16xf32>) outs(%e1 : tensor<16x12xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.divf %in, %in_0 : f32
    linalg.yield %0 : f32
  } -> tensor<16x12xf32>
  %e2 = tensor.empty() : tensor<16x32xf32>
  %f2 = linalg.fill ins(%cst : f32) outs(%e2 : tensor<16x32xf32>) -> tensor<16x32xf32>
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf32>, tensor<12x32xf32>) outs(%f2 : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %o : tensor<16x32xf32>
}
