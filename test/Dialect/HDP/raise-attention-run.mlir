// Held-out style end to end: frontend linalg attention is raised, compiled
// by hdp-cpu-pipeline and run by hdp-run. With policy = dense and
// approx = false on inputs the fixed point represents exactly, HDP attention
// is plain softmax(Q·Kᵀ/sqrt(D) + mask)·V, which numpy recomputes.

// RUN: rm -rf %t && mkdir -p %t
// RUN: hdp-opt --hdp-raise-attention="config='#hdp.config<policy = dense, approx = false>'" %s -o %t/raised.mlir
// RUN: FileCheck %s --check-prefix=RAISED --input-file=%t/raised.mlir
// RUN: FileCheck %s --check-prefix=GONE --input-file=%t/raised.mlir
// RAISED-COUNT-3: hdp.attention config #hdp.config<policy = dense, approx = false>
// GONE-NOT: {{linalg.batch_matmul|linalg.softmax|math.exp}}

// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/q.npy 1,2,8,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/k.npy 1,2,8,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/v.npy 1,2,8,16
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/mask.npy 1,1,8,8 --causal

// masked_fill(attn_mask != 0, -inf) on the scores: the same causal mask.
// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=sdpa_masked_fill --symbol-dce -o %t/sdpa_masked_fill.mlir
// RUN: hdp-run %t/sdpa_masked_fill.mlir --function=sdpa_masked_fill \
// RUN:   --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy \
// RUN:   --input=@%t/mask.npy --output=@%t/fill.npy
// RUN: %python %hdp_src/test/hdp-run/Inputs/dense_check.py %t/q.npy %t/k.npy \
// RUN:   %t/v.npy %t/fill.npy %t/mask.npy | FileCheck %s --check-prefix=FILL
// FILL: shape (1, 2, 8, 16) max-abs-error-within-1e-5=True

// torch-mlir BERT self-attention with a causal mask.
// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=bert_self_attention --symbol-dce -o %t/bert_self_attention.mlir
// RUN: hdp-run %t/bert_self_attention.mlir --function=bert_self_attention \
// RUN:   --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy \
// RUN:   --input=@%t/mask.npy --output=@%t/bert.npy
// RUN: %python %hdp_src/test/hdp-run/Inputs/dense_check.py %t/q.npy %t/k.npy \
// RUN:   %t/v.npy %t/bert.npy %t/mask.npy | FileCheck %s --check-prefix=BERT
// BERT: shape (1, 2, 8, 16) max-abs-error-within-1e-5=True

// torch-mlir scaled_dot_product_attention (no mask).
// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=sdpa --symbol-dce -o %t/sdpa.mlir
// RUN: hdp-run %t/sdpa.mlir --function=sdpa --input=@%t/q.npy \
// RUN:   --input=@%t/k.npy --input=@%t/v.npy --output=@%t/sdpa.npy
// RUN: %python %hdp_src/test/hdp-run/Inputs/dense_check.py %t/q.npy %t/k.npy \
// RUN:   %t/v.npy %t/sdpa.npy | FileCheck %s --check-prefix=SDPA
// SDPA: shape (1, 2, 8, 16) max-abs-error-within-1e-5=True

// torch-mlir BERT self-attention (see raise-attention.mlir) with a mask
// [1, 1, N, M].
#map = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#map1 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map12 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
#map13 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, d3)>
#map14 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#map15 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, 0)>
func.func @bert_self_attention(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %mask: tensor<1x1x8x8xf32>) -> tensor<1x2x8x16xf32> {
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
  %7 = linalg.generic {indexing_maps = [#map13, #map, #map1], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%6, %mask : tensor<1x2x8x8xf32>, tensor<1x1x8x8xf32>) outs(%5 : tensor<1x2x8x8xf32>) {
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

// torch-mlir scaled_dot_product_attention (see raise-attention.mlir).
#sdpa_map7 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#sdpa_map9 = affine_map<() -> ()>
#sdpa_map10 = affine_map<(d0, d1, d2, d3) -> ()>
#sdpa_map15 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
#sdpa_map16 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, d3)>
#sdpa_map17 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#sdpa_map18 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, 0)>
#sdpa_map19 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
func.func @sdpa(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %cst_0 = arith.constant 0.000000e+00 : f32
  %cst_2 = arith.constant 0xFF800000 : f32
  %c0_i64 = arith.constant 0 : i64
  %cst_15 = arith.constant dense<16> : tensor<i64>
  %28 = tensor.empty() : tensor<f32>
  %39 = tensor.empty() : tensor<1x2x8x16xf32>
  %41 = linalg.generic {indexing_maps = [#sdpa_map9, #sdpa_map9], iterator_types = []} ins(%cst_15 : tensor<i64>) outs(%28 : tensor<f32>) {
  ^bb0(%in: i64, %out: f32):
    %741 = arith.sitofp %in : i64 to f32
    linalg.yield %741 : f32
  } -> tensor<f32>
  %42 = tensor.empty() : tensor<1x2x16x8xf32>
  %43 = linalg.generic {indexing_maps = [#sdpa_map7, #sdpa_map15], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k : tensor<1x2x8x16xf32>) outs(%42 : tensor<1x2x16x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x16x8xf32>
  %44 = linalg.generic {indexing_maps = [#sdpa_map16, #sdpa_map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q : tensor<1x2x8x16xf32>) outs(%39 : tensor<1x2x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x8x16xf32>
  %45 = linalg.generic {indexing_maps = [#sdpa_map16, #sdpa_map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%43 : tensor<1x2x16x8xf32>) outs(%42 : tensor<1x2x16x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x16x8xf32>
  %collapsed = tensor.collapse_shape %44 [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %collapsed_20 = tensor.collapse_shape %45 [[0, 1], [2], [3]] : tensor<1x2x16x8xf32> into tensor<2x16x8xf32>
  %46 = tensor.empty() : tensor<2x8x8xf32>
  %47 = linalg.fill ins(%cst_0 : f32) outs(%46 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %48 = linalg.batch_matmul ins(%collapsed, %collapsed_20 : tensor<2x8x16xf32>, tensor<2x16x8xf32>) outs(%47 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %expanded_21 = tensor.expand_shape %48 [[0, 1], [2], [3]] output_shape [1, 2, 8, 8] : tensor<2x8x8xf32> into tensor<1x2x8x8xf32>
  %49 = linalg.generic {indexing_maps = [#sdpa_map9, #sdpa_map9], iterator_types = []} ins(%41 : tensor<f32>) outs(%28 : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %741 = math.sqrt %in : f32
    linalg.yield %741 : f32
  } -> tensor<f32>
  %50 = tensor.empty() : tensor<1x2x8x8xf32>
  %51 = linalg.generic {indexing_maps = [#sdpa_map16, #sdpa_map10, #sdpa_map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%expanded_21, %49 : tensor<1x2x8x8xf32>, tensor<f32>) outs(%50 : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_116: f32, %out: f32):
    %741 = arith.divf %in, %in_116 : f32
    linalg.yield %741 : f32
  } -> tensor<1x2x8x8xf32>
  %55 = tensor.empty() : tensor<1x2x8xi64>
  %56 = linalg.fill ins(%c0_i64 : i64) outs(%55 : tensor<1x2x8xi64>) -> tensor<1x2x8xi64>
  %57 = tensor.empty() : tensor<1x2x8xf32>
  %58 = linalg.fill ins(%cst_2 : f32) outs(%57 : tensor<1x2x8xf32>) -> tensor<1x2x8xf32>
  %59:2 = linalg.generic {indexing_maps = [#sdpa_map7, #sdpa_map17, #sdpa_map17], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%51 : tensor<1x2x8x8xf32>) outs(%58, %56 : tensor<1x2x8xf32>, tensor<1x2x8xi64>) {
  ^bb0(%in: f32, %out: f32, %out_116: i64):
    %741 = linalg.index 3 : index
    %742 = arith.index_cast %741 : index to i64
    %743 = arith.maximumf %in, %out : f32
    %744 = arith.cmpf ogt, %in, %out : f32
    %745 = arith.select %744, %742, %out_116 : i64
    linalg.yield %743, %745 : f32, i64
  } -> (tensor<1x2x8xf32>, tensor<1x2x8xi64>)
  %expanded_22 = tensor.expand_shape %59#0 [[0], [1], [2, 3]] output_shape [1, 2, 8, 1] : tensor<1x2x8xf32> into tensor<1x2x8x1xf32>
  %60 = linalg.generic {indexing_maps = [#sdpa_map16, #sdpa_map18, #sdpa_map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%51, %expanded_22 : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%50 : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_116: f32, %out: f32):
    %741 = arith.subf %in, %in_116 : f32
    linalg.yield %741 : f32
  } -> tensor<1x2x8x8xf32>
  %61 = linalg.generic {indexing_maps = [#sdpa_map16, #sdpa_map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%60 : tensor<1x2x8x8xf32>) outs(%50 : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %741 = math.exp %in : f32
    linalg.yield %741 : f32
  } -> tensor<1x2x8x8xf32>
  %62 = tensor.empty() : tensor<1x2x8x1xf32>
  %63 = linalg.fill ins(%cst_0 : f32) outs(%62 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %64 = linalg.generic {indexing_maps = [#sdpa_map7, #sdpa_map19], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%61 : tensor<1x2x8x8xf32>) outs(%63 : tensor<1x2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %741 = arith.addf %in, %out : f32
    linalg.yield %741 : f32
  } -> tensor<1x2x8x1xf32>
  %65 = linalg.generic {indexing_maps = [#sdpa_map16, #sdpa_map18, #sdpa_map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%61, %64 : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%50 : tensor<1x2x8x8xf32>) {
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

// SDPA with masked_fill(attn_mask != 0, -inf) and the default scale as a
// mulf by 0.25.
#fill_map7 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#fill_map8 = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#fill_map9 = affine_map<() -> ()>
#fill_map10 = affine_map<(d0, d1, d2, d3) -> ()>
#fill_map16 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, d3)>
func.func @sdpa_masked_fill(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %am: tensor<1x1x8x8xf32>) -> tensor<1x2x8x16xf32> {
  %cst_0 = arith.constant 0.000000e+00 : f32
  %cst_18 = arith.constant dense<0xFFF0000000000000> : tensor<f64>
  %28 = tensor.empty() : tensor<f32>
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %ck = tensor.collapse_shape %k [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %e1 = tensor.empty() : tensor<2x8x8xf32>
  %f1 = linalg.fill ins(%cst_0 : f32) outs(%e1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s3 = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%cq, %ck : tensor<2x8x16xf32>, tensor<2x8x16xf32>) outs(%f1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s4 = tensor.expand_shape %s3 [[0, 1], [2], [3]] output_shape [1, 2, 8, 8] : tensor<2x8x8xf32> into tensor<1x2x8x8xf32>
  %quarter = arith.constant 2.500000e-01 : f32
  %es = tensor.empty() : tensor<1x2x8x8xf32>
  %s = linalg.generic {indexing_maps = [#fill_map7, #fill_map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s4 : tensor<1x2x8x8xf32>) outs(%es : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = arith.mulf %in, %quarter : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %26 = tensor.empty() : tensor<1x1x8x8xi1>
  %52 = linalg.generic {indexing_maps = [#fill_map8, #fill_map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%am : tensor<1x1x8x8xf32>) outs(%26 : tensor<1x1x8x8xi1>) {
  ^bb0(%in: f32, %out: i1):
    %741 = arith.cmpf une, %in, %cst_0 : f32
    linalg.yield %741 : i1
  } -> tensor<1x1x8x8xi1>
  %53 = linalg.generic {indexing_maps = [#fill_map9, #fill_map9], iterator_types = []} ins(%cst_18 : tensor<f64>) outs(%28 : tensor<f32>) {
  ^bb0(%in: f64, %out: f32):
    %741 = arith.truncf %in : f64 to f32
    linalg.yield %741 : f32
  } -> tensor<f32>
  %50 = tensor.empty() : tensor<1x2x8x8xf32>
  %54 = linalg.generic {indexing_maps = [#fill_map8, #fill_map10, #fill_map16, #fill_map7], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%52, %53, %s : tensor<1x1x8x8xi1>, tensor<f32>, tensor<1x2x8x8xf32>) outs(%50 : tensor<1x2x8x8xf32>) {
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
