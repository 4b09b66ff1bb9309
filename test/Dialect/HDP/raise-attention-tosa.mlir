// Attention as TOSA lowers to linalg (tosa-to-linalg, tosa-to-linalg-named):
// tosa.matmul as batch_matmul on [G, N, D], tosa.transpose as
// linalg.transpose, tosa.mul by a [1, 1, 1] constant through a broadcasting
// map, tosa.reduce_max/reduce_sum as linalg.reduce + expand_shape (keepdims),
// the TF → TOSA softmax legalisation's reciprocal then multiply. Raised,
// then run against the unraised program (policy = dense, approx = false,
// 8.8 fixed point, 1/16-grid inputs: the fixed point is exact).

// RUN: rm -rf %t && mkdir -p %t
// RUN: hdp-opt --hdp-raise-attention="config='#hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false>'" %s -o %t/raised.mlir
// RUN: FileCheck %s --input-file=%t/raised.mlir
// Every softmax here is raised: explain has nothing to say.
// RUN: hdp-opt --hdp-raise-attention="explain=true" %s -o /dev/null 2>&1 | count 0

// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/q.npy 2,8,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/k.npy 2,8,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/v.npy 2,8,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/mask.npy 1,8,8 --causal

// Each run compiles only its function (the others made private and
// dropped), which keeps the JIT time down.
// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=tosa_softmax --symbol-dce -o %t/tosa_softmax.raised.mlir
// RUN: hdp-run %t/tosa_softmax.raised.mlir --function=tosa_softmax --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/mask.npy --output=@%t/a.npy
// RUN: hdp-opt %s --symbol-privatize=exclude=tosa_softmax --symbol-dce -o %t/tosa_softmax.unraised.mlir
// RUN: hdp-run %t/tosa_softmax.unraised.mlir --function=tosa_softmax --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/mask.npy --output=@%t/a_ref.npy
// RUN: %python %S/Inputs/allclose.py %t/a.npy %t/a_ref.npy 1e-5 | FileCheck %s --check-prefix=RUN-A
// RUN-A: shape (2, 8, 16) within-1e-5=True

// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=tosa_nan_ignoring_max --symbol-dce -o %t/tosa_nan_ignoring_max.raised.mlir
// RUN: hdp-run %t/tosa_nan_ignoring_max.raised.mlir --function=tosa_nan_ignoring_max --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/b.npy
// RUN: hdp-opt %s --symbol-privatize=exclude=tosa_nan_ignoring_max --symbol-dce -o %t/tosa_nan_ignoring_max.unraised.mlir
// RUN: hdp-run %t/tosa_nan_ignoring_max.unraised.mlir --function=tosa_nan_ignoring_max --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/b_ref.npy
// RUN: %python %S/Inputs/allclose.py %t/b.npy %t/b_ref.npy 1e-5 | FileCheck %s --check-prefix=RUN-B
// RUN-B: shape (2, 8, 16) within-1e-5=True

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#splat3 = affine_map<(d0, d1, d2) -> (0, 0, 0)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#mask3 = affine_map<(d0, d1, d2) -> (0, d1, d2)>

// Q [G, N, D] with G = B·H unknown: each group is its own batch item.
// CHECK-LABEL: func.func @tosa_softmax(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<2x8x16xf32>, %[[K:[^:]*]]: tensor<2x8x16xf32>, %[[V:[^:]*]]: tensor<2x8x16xf32>, %[[M:[^:]*]]: tensor<1x8x8xf32>)
// CHECK-DAG: %[[Q4:.*]] = tensor.expand_shape %[[Q]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 1, 8, 16]
// CHECK-DAG: %[[K4:.*]] = tensor.expand_shape %[[K]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 1, 8, 16]
// CHECK-DAG: %[[V4:.*]] = tensor.expand_shape %[[V]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 1, 8, 16]
// CHECK: %[[O:.*]] = hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false, scale = 0.125> %[[Q4]], %[[K4]], %[[V4]] mask %[[M]] : tensor<2x1x8x16xf32>, tensor<2x1x8x16xf32>, tensor<2x1x8x16xf32>, tensor<1x8x8xf32> -> tensor<2x1x8x16xf32>
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[O]] {{\[\[}}0, 1], [2], [3]]
// CHECK-NEXT: return %[[R]]
func.func @tosa_softmax(%q: tensor<2x8x16xf32>, %k: tensor<2x8x16xf32>, %v: tensor<2x8x16xf32>, %mask: tensor<1x8x8xf32>) -> tensor<2x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %one = arith.constant 1.000000e+00 : f32
  %lowest = arith.constant -3.40282347E+38 : f32
  %scale = arith.constant dense<1.250000e-01> : tensor<1x1x1xf32>
  %kt0 = tensor.empty() : tensor<2x16x8xf32>
  %kt = linalg.transpose ins(%k : tensor<2x8x16xf32>) outs(%kt0 : tensor<2x16x8xf32>) permutation = [0, 2, 1]
  %s0 = tensor.empty() : tensor<2x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s2 = linalg.batch_matmul ins(%q, %kt : tensor<2x8x16xf32>, tensor<2x16x8xf32>) outs(%s1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s3 = linalg.generic {indexing_maps = [#id3, #splat3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s2, %scale : tensor<2x8x8xf32>, tensor<1x1x1xf32>) outs(%s0 : tensor<2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.mulf %a, %b : f32
    linalg.yield %x : f32
  } -> tensor<2x8x8xf32>
  %s4 = linalg.generic {indexing_maps = [#id3, #mask3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s3, %mask : tensor<2x8x8xf32>, tensor<1x8x8xf32>) outs(%s0 : tensor<2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.addf %a, %b : f32
    linalg.yield %x : f32
  } -> tensor<2x8x8xf32>
  %r0 = tensor.empty() : tensor<2x8xf32>
  %r1 = linalg.fill ins(%lowest : f32) outs(%r0 : tensor<2x8xf32>) -> tensor<2x8xf32>
  %max = linalg.reduce ins(%s4 : tensor<2x8x8xf32>) outs(%r1 : tensor<2x8xf32>) dimensions = [2]
    (%in: f32, %init: f32) {
      %m = arith.maximumf %in, %init : f32
      linalg.yield %m : f32
    }
  %max1 = tensor.expand_shape %max [[0], [1, 2]] output_shape [2, 8, 1] : tensor<2x8xf32> into tensor<2x8x1xf32>
  %sub = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s4, %max1 : tensor<2x8x8xf32>, tensor<2x8x1xf32>) outs(%s0 : tensor<2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.subf %a, %b : f32
    linalg.yield %x : f32
  } -> tensor<2x8x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%sub : tensor<2x8x8xf32>) outs(%s0 : tensor<2x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %x = math.exp %a : f32
    linalg.yield %x : f32
  } -> tensor<2x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<2x8xf32>) -> tensor<2x8xf32>
  %sum = linalg.reduce ins(%exp : tensor<2x8x8xf32>) outs(%z1 : tensor<2x8xf32>) dimensions = [2]
    (%in: f32, %init: f32) {
      %s = arith.addf %in, %init : f32
      linalg.yield %s : f32
    }
  %sum1 = tensor.expand_shape %sum [[0], [1, 2]] output_shape [2, 8, 1] : tensor<2x8xf32> into tensor<2x8x1xf32>
  %rc0 = tensor.empty() : tensor<2x8x1xf32>
  %recip = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%sum1 : tensor<2x8x1xf32>) outs(%rc0 : tensor<2x8x1xf32>) {
  ^bb0(%a: f32, %out: f32):
    %x = arith.divf %one, %a : f32
    linalg.yield %x : f32
  } -> tensor<2x8x1xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %recip : tensor<2x8x8xf32>, tensor<2x8x1xf32>) outs(%s0 : tensor<2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.mulf %a, %b : f32
    linalg.yield %x : f32
  } -> tensor<2x8x8xf32>
  %o0 = tensor.empty() : tensor<2x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o2 = linalg.batch_matmul ins(%p, %v : tensor<2x8x8xf32>, tensor<2x8x16xf32>) outs(%o1 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %o2 : tensor<2x8x16xf32>
}

// reduce_max with nan_mode = IGNORE: maxnumf from the quiet NaN 0xFFC00000
// (maxnumf(NaN, x) = x), no mask; the scale 1/sqrt(16) is the default.
// CHECK-LABEL: func.func @tosa_nan_ignoring_max(
// CHECK: hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false> %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x1x8x16xf32>
// CHECK-NOT: linalg.reduce
// CHECK: return
func.func @tosa_nan_ignoring_max(%q: tensor<2x8x16xf32>, %k: tensor<2x8x16xf32>, %v: tensor<2x8x16xf32>) -> tensor<2x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %one = arith.constant 1.000000e+00 : f32
  %nan = arith.constant 0xFFC00000 : f32
  %scale = arith.constant dense<2.500000e-01> : tensor<1x1x1xf32>
  %kt0 = tensor.empty() : tensor<2x16x8xf32>
  %kt = linalg.transpose ins(%k : tensor<2x8x16xf32>) outs(%kt0 : tensor<2x16x8xf32>) permutation = [0, 2, 1]
  %s0 = tensor.empty() : tensor<2x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s2 = linalg.batch_matmul ins(%q, %kt : tensor<2x8x16xf32>, tensor<2x16x8xf32>) outs(%s1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s3 = linalg.generic {indexing_maps = [#id3, #splat3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s2, %scale : tensor<2x8x8xf32>, tensor<1x1x1xf32>) outs(%s0 : tensor<2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.mulf %a, %b : f32
    linalg.yield %x : f32
  } -> tensor<2x8x8xf32>
  %r0 = tensor.empty() : tensor<2x8xf32>
  %r1 = linalg.fill ins(%nan : f32) outs(%r0 : tensor<2x8xf32>) -> tensor<2x8xf32>
  %max = linalg.reduce ins(%s3 : tensor<2x8x8xf32>) outs(%r1 : tensor<2x8xf32>) dimensions = [2]
    (%in: f32, %init: f32) {
      %m = arith.maxnumf %in, %init : f32
      linalg.yield %m : f32
    }
  %max1 = tensor.expand_shape %max [[0], [1, 2]] output_shape [2, 8, 1] : tensor<2x8xf32> into tensor<2x8x1xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s3, %max1 : tensor<2x8x8xf32>, tensor<2x8x1xf32>) outs(%s0 : tensor<2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.subf %a, %b : f32
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<2x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<2x8xf32>) -> tensor<2x8xf32>
  %sum = linalg.reduce ins(%exp : tensor<2x8x8xf32>) outs(%z1 : tensor<2x8xf32>) dimensions = [2]
    (%in: f32, %init: f32) {
      %s = arith.addf %in, %init : f32
      linalg.yield %s : f32
    }
  %sum1 = tensor.expand_shape %sum [[0], [1, 2]] output_shape [2, 8, 1] : tensor<2x8xf32> into tensor<2x8x1xf32>
  %rc0 = tensor.empty() : tensor<2x8x1xf32>
  %recip = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%sum1 : tensor<2x8x1xf32>) outs(%rc0 : tensor<2x8x1xf32>) {
  ^bb0(%a: f32, %out: f32):
    %x = arith.divf %one, %a : f32
    linalg.yield %x : f32
  } -> tensor<2x8x1xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %recip : tensor<2x8x8xf32>, tensor<2x8x1xf32>) outs(%s0 : tensor<2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.mulf %b, %a : f32
    linalg.yield %x : f32
  } -> tensor<2x8x8xf32>
  %o0 = tensor.empty() : tensor<2x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o2 = linalg.batch_matmul ins(%p, %v : tensor<2x8x8xf32>, tensor<2x8x16xf32>) outs(%o1 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %o2 : tensor<2x8x16xf32>
}
