// Attention as torch-mlir emits it (torch → linalg on tensors), raised to
// hdp.attention, then the raised and the unraised programs run side by side
// (policy = dense, approx = false, 8.8 fixed point: on inputs that are
// multiples of 1/16 the fixed point is exact, so both compute the same
// softmax(Q·Kᵀ·scale + mask)·V up to f32 rounding).

// RUN: rm -rf %t && mkdir -p %t
// RUN: hdp-opt --hdp-raise-attention="config='#hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false>'" %s -o %t/raised.mlir
// RUN: FileCheck %s --input-file=%t/raised.mlir
// Every softmax here is raised: explain has nothing to say.
// RUN: hdp-opt --hdp-raise-attention="explain=true" %s -o /dev/null 2>&1 | count 0

// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/q.npy 1,2,8,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/k.npy 1,2,8,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/v.npy 1,2,8,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/q4.npy 1,4,8,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/mask.npy 1,1,8,8 --causal
// RUN: %python -c "import numpy as np; np.save('%t/pad.npy', np.array([[1, 1, 1, 1, 1, 1, 0, 0]], np.int64))"

// Each run compiles only its function (the others made private and
// dropped), which keeps the JIT time down.
// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=softmax_reciprocal_fused --symbol-dce -o %t/softmax_reciprocal_fused.raised.mlir
// RUN: hdp-run %t/softmax_reciprocal_fused.raised.mlir --function=softmax_reciprocal_fused --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/mask.npy --output=@%t/a.npy
// RUN: hdp-opt %s --symbol-privatize=exclude=softmax_reciprocal_fused --symbol-dce -o %t/softmax_reciprocal_fused.unraised.mlir
// RUN: hdp-run %t/softmax_reciprocal_fused.unraised.mlir --function=softmax_reciprocal_fused --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/mask.npy --output=@%t/a_ref.npy
// RUN: %python %S/Inputs/allclose.py %t/a.npy %t/a_ref.npy 1e-5 | FileCheck %s --check-prefix=RUN-A
// RUN-A: shape (1, 2, 8, 16) within-1e-5=True

// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=gqa --symbol-dce -o %t/gqa.raised.mlir
// RUN: hdp-run %t/gqa.raised.mlir --function=gqa --input=@%t/q4.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/b.npy
// RUN: hdp-opt %s --symbol-privatize=exclude=gqa --symbol-dce -o %t/gqa.unraised.mlir
// RUN: hdp-run %t/gqa.unraised.mlir --function=gqa --input=@%t/q4.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/b_ref.npy
// RUN: %python %S/Inputs/allclose.py %t/b.npy %t/b_ref.npy 1e-5 | FileCheck %s --check-prefix=RUN-B
// RUN-B: shape (1, 4, 8, 16) within-1e-5=True

// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=integer_padding_mask --symbol-dce -o %t/integer_padding_mask.raised.mlir
// RUN: hdp-run %t/integer_padding_mask.raised.mlir --function=integer_padding_mask --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/pad.npy --output=@%t/c.npy
// RUN: hdp-opt %s --symbol-privatize=exclude=integer_padding_mask --symbol-dce -o %t/integer_padding_mask.unraised.mlir
// RUN: hdp-run %t/integer_padding_mask.unraised.mlir --function=integer_padding_mask --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/pad.npy --output=@%t/c_ref.npy
// RUN: %python %S/Inputs/allclose.py %t/c.npy %t/c_ref.npy 1e-5 | FileCheck %s --check-prefix=RUN-C
// RUN-C: shape (1, 2, 8, 16) within-1e-5=True

// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=fused_padding_mask --symbol-dce -o %t/fused_padding_mask.raised.mlir
// RUN: hdp-run %t/fused_padding_mask.raised.mlir --function=fused_padding_mask --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/pad.npy --output=@%t/c2.npy
// RUN: hdp-opt %s --symbol-privatize=exclude=fused_padding_mask --symbol-dce -o %t/fused_padding_mask.unraised.mlir
// RUN: hdp-run %t/fused_padding_mask.unraised.mlir --function=fused_padding_mask --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/pad.npy --output=@%t/c2_ref.npy
// RUN: %python %S/Inputs/allclose.py %t/c2.npy %t/c2_ref.npy 1e-5 | FileCheck %s --check-prefix=RUN-C2
// RUN-C2: shape (1, 2, 8, 16) within-1e-5=True

// f16 computes the unraised program with 11-bit significands (sums of 8
// terms, outputs below 8 in magnitude): 1e-2 bounds its rounding. The raised
// program computes in f32 and rounds only the output to f16.
// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=f16_upcast_softmax --symbol-dce -o %t/f16_upcast_softmax.raised.mlir
// RUN: hdp-run %t/f16_upcast_softmax.raised.mlir --function=f16_upcast_softmax --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/d.npy
// RUN: hdp-opt %s --symbol-privatize=exclude=f16_upcast_softmax --symbol-dce -o %t/f16_upcast_softmax.unraised.mlir
// RUN: hdp-run %t/f16_upcast_softmax.unraised.mlir --function=f16_upcast_softmax --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/d_ref.npy
// RUN: %python %S/Inputs/allclose.py %t/d.npy %t/d_ref.npy 1e-2 | FileCheck %s --check-prefix=RUN-D
// RUN-D: shape (1, 2, 8, 16) within-1e-2=True
// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=sdpa_f32 --symbol-dce -o %t/sdpa_f32.raised.mlir
// RUN: hdp-run %t/sdpa_f32.raised.mlir --function=sdpa_f32 --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/d_f32.npy
// The raised f16 program is the f32 attention rounded to f16 (outputs are
// averages of V, below 8: half an ulp of f16 there is 2^-9).
// RUN: %python %S/Inputs/allclose.py %t/d.npy %t/d_f32.npy 0.001953125 | FileCheck %s --check-prefix=RUN-D32
// RUN-D32: shape (1, 2, 8, 16) within-0.001953125=True

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#t4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
#b0 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, d3)>
#m00 = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#row = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#row0 = affine_map<(d0, d1, d2, d3) -> (0, d1, d2, 0)>

// aten._softmax decomposed: max with argmax (cmpf+select), sub, exp, sum,
// then the reciprocal of the sum in the same generic as the multiply.
// CHECK-LABEL: func.func @softmax_reciprocal_fused(
// CHECK-SAME: %[[Q:.*]]: tensor<1x2x8x16xf32>, %[[K:.*]]: tensor<1x2x8x16xf32>, %[[V:.*]]: tensor<1x2x8x16xf32>, %[[M:.*]]: tensor<1x1x8x8xf32>)
// CHECK-NEXT: %[[O:.*]] = hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false> %[[Q]], %[[K]], %[[V]] mask %[[M]]
// CHECK-NEXT: return %[[O]]
func.func @softmax_reciprocal_fused(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %mask: tensor<1x1x8x8xf32>) -> tensor<1x2x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %one = arith.constant 1.000000e+00 : f32
  %four = arith.constant 4.000000e+00 : f32
  %c0_i64 = arith.constant 0 : i64
  %kt0 = tensor.empty() : tensor<1x2x16x8xf32>
  %kt = linalg.generic {indexing_maps = [#id4, #t4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k : tensor<1x2x8x16xf32>) outs(%kt0 : tensor<1x2x16x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x16x8xf32>
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %ck = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x16x8xf32> into tensor<2x16x8xf32>
  %s0 = tensor.empty() : tensor<2x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s2 = linalg.batch_matmul ins(%cq, %ck : tensor<2x8x16xf32>, tensor<2x16x8xf32>) outs(%s1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s3 = tensor.expand_shape %s2 [[0, 1], [2], [3]] output_shape [1, 2, 8, 8] : tensor<2x8x8xf32> into tensor<1x2x8x8xf32>
  %e = tensor.empty() : tensor<1x2x8x8xf32>
  %s4 = linalg.generic {indexing_maps = [#b0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s3 : tensor<1x2x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = arith.divf %in, %four : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %s5 = linalg.generic {indexing_maps = [#b0, #m00, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s4, %mask : tensor<1x2x8x8xf32>, tensor<1x1x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %x = arith.addf %in, %in_1 : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %i0 = tensor.empty() : tensor<1x2x8x1xi64>
  %i1 = linalg.fill ins(%c0_i64 : i64) outs(%i0 : tensor<1x2x8x1xi64>) -> tensor<1x2x8x1xi64>
  %r0 = tensor.empty() : tensor<1x2x8x1xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %max:2 = linalg.generic {indexing_maps = [#id4, #row, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%s5 : tensor<1x2x8x8xf32>) outs(%r1, %i1 : tensor<1x2x8x1xf32>, tensor<1x2x8x1xi64>) {
  ^bb0(%in: f32, %out: f32, %out_1: i64):
    %idx = linalg.index 3 : index
    %idx64 = arith.index_cast %idx : index to i64
    %gt = arith.cmpf ogt, %in, %out : f32
    %m = arith.select %gt, %in, %out : f32
    %a = arith.select %gt, %idx64, %out_1 : i64
    linalg.yield %m, %a : f32, i64
  } -> (tensor<1x2x8x1xf32>, tensor<1x2x8x1xi64>)
  %sub = linalg.generic {indexing_maps = [#b0, #row0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s5, %max#0 : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %x = arith.subf %in, %in_1 : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %exp = linalg.generic {indexing_maps = [#b0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sub : tensor<1x2x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = math.exp %in : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%exp : tensor<1x2x8x8xf32>) outs(%z1 : tensor<1x2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = arith.addf %in, %out : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x1xf32>
  %p = linalg.generic {indexing_maps = [#b0, #row0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %r = arith.divf %one, %in_1 : f32
    %x = arith.mulf %in, %r : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %cp = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x8x8xf32> into tensor<2x8x8xf32>
  %cv = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %o0 = tensor.empty() : tensor<2x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o2 = linalg.batch_matmul ins(%cp, %cv : tensor<2x8x8xf32>, tensor<2x8x16xf32>) outs(%o1 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o3 = tensor.expand_shape %o2 [[0, 1], [2], [3]] output_shape [1, 2, 8, 16] : tensor<2x8x16xf32> into tensor<1x2x8x16xf32>
  return %o3 : tensor<1x2x8x16xf32>
}

// Grouped-query attention: repeat_kv broadcasts K and V from 2 to 4 heads
// (unsqueeze, expand, reshape). hdp.attention takes one K and V per head, so
// the broadcasts stay and feed it.
#kv5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>
#id5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func.func @gqa(
// CHECK: %[[KB:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
// CHECK: %[[VB:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
// CHECK: hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false> %{{.*}}, %[[KB]], %[[VB]] :
// CHECK-NOT: math.exp
// CHECK: return
func.func @gqa(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %k1 = tensor.expand_shape %k [[0], [1, 2], [3], [4]] output_shape [1, 2, 1, 8, 16] : tensor<1x2x8x16xf32> into tensor<1x2x1x8x16xf32>
  %kb0 = tensor.empty() : tensor<1x2x2x8x16xf32>
  %kb = linalg.generic {indexing_maps = [#kv5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%k1 : tensor<1x2x1x8x16xf32>) outs(%kb0 : tensor<1x2x2x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x2x8x16xf32>
  %kr = tensor.collapse_shape %kb [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
  %v1 = tensor.expand_shape %v [[0], [1, 2], [3], [4]] output_shape [1, 2, 1, 8, 16] : tensor<1x2x8x16xf32> into tensor<1x2x1x8x16xf32>
  %vb = linalg.generic {indexing_maps = [#kv5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%v1 : tensor<1x2x1x8x16xf32>) outs(%kb0 : tensor<1x2x2x8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x2x8x16xf32>
  %vr = tensor.collapse_shape %vb [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
  %kt0 = tensor.empty() : tensor<1x4x16x8xf32>
  %kt = linalg.generic {indexing_maps = [#id4, #t4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kr : tensor<1x4x8x16xf32>) outs(%kt0 : tensor<1x4x16x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x4x16x8xf32>
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x4x8x16xf32> into tensor<4x8x16xf32>
  %ck = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x4x16x8xf32> into tensor<4x16x8xf32>
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s2 = linalg.batch_matmul ins(%cq, %ck : tensor<4x8x16xf32>, tensor<4x16x8xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s3 = tensor.expand_shape %s2 [[0, 1], [2], [3]] output_shape [1, 4, 8, 8] : tensor<4x8x8xf32> into tensor<1x4x8x8xf32>
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %s4 = linalg.generic {indexing_maps = [#b0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s3 : tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = arith.mulf %in, %quarter : f32
    linalg.yield %x : f32
  } -> tensor<1x4x8x8xf32>
  %r0 = tensor.empty() : tensor<1x4x8x1xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<1x4x8x1xf32>) -> tensor<1x4x8x1xf32>
  %max = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%s4 : tensor<1x4x8x8xf32>) outs(%r1 : tensor<1x4x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<1x4x8x1xf32>
  %exp = linalg.generic {indexing_maps = [#b0, #row0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s4, %max : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %x = arith.subf %in, %in_1 : f32
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<1x4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<1x4x8x1xf32>) -> tensor<1x4x8x1xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%exp : tensor<1x4x8x8xf32>) outs(%z1 : tensor<1x4x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = arith.addf %in, %out : f32
    linalg.yield %x : f32
  } -> tensor<1x4x8x1xf32>
  %p = linalg.generic {indexing_maps = [#b0, #row0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %x = arith.divf %in, %in_1 : f32
    linalg.yield %x : f32
  } -> tensor<1x4x8x8xf32>
  %cp = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x4x8x8xf32> into tensor<4x8x8xf32>
  %cv = tensor.collapse_shape %vr [[0, 1], [2], [3]] : tensor<1x4x8x16xf32> into tensor<4x8x16xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o2 = linalg.batch_matmul ins(%cp, %cv : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o3 = tensor.expand_shape %o2 [[0, 1], [2], [3]] output_shape [1, 4, 8, 16] : tensor<4x8x16xf32> into tensor<1x4x8x16xf32>
  return %o3 : tensor<1x4x8x16xf32>
}

// A BERT padding mask from HuggingFace: an integer attention_mask [B, M]
// becomes (1 - mask) · finfo(f32).min, broadcast over heads and rows. The
// mask computation stays; its result is the additive mask.
#pad_in = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
#pad_b = affine_map<(d0, d1, d2, d3) -> (0, 0, 0, d3)>
// CHECK-LABEL: func.func @integer_padding_mask(
// CHECK: arith.subf
// CHECK: %[[MUL:.*]] = linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false> %{{.*}}, %{{.*}}, %{{.*}} mask %[[MUL]] : {{.*}}, tensor<1x1x1x8xf32> ->
// CHECK-NOT: math.exp
// CHECK: return
func.func @integer_padding_mask(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %am: tensor<1x8xi64>) -> tensor<1x2x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %one = arith.constant 1.000000e+00 : f32
  %fmin = arith.constant -3.40282347E+38 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %m0 = tensor.empty() : tensor<1x1x1x8xf32>
  %m1 = linalg.generic {indexing_maps = [#pad_in, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%am : tensor<1x8xi64>) outs(%m0 : tensor<1x1x1x8xf32>) {
  ^bb0(%in: i64, %out: f32):
    %x = arith.sitofp %in : i64 to f32
    linalg.yield %x : f32
  } -> tensor<1x1x1x8xf32>
  %m2 = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%m1 : tensor<1x1x1x8xf32>) outs(%m0 : tensor<1x1x1x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = arith.subf %one, %in : f32
    linalg.yield %x : f32
  } -> tensor<1x1x1x8xf32>
  %m3 = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%m2 : tensor<1x1x1x8xf32>) outs(%m0 : tensor<1x1x1x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = arith.mulf %in, %fmin : f32
    linalg.yield %x : f32
  } -> tensor<1x1x1x8xf32>
  %kt0 = tensor.empty() : tensor<1x2x16x8xf32>
  %kt = linalg.transpose ins(%k : tensor<1x2x8x16xf32>) outs(%kt0 : tensor<1x2x16x8xf32>) permutation = [0, 1, 3, 2]
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %ck = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x16x8xf32> into tensor<2x16x8xf32>
  %s0 = tensor.empty() : tensor<2x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s2 = linalg.batch_matmul ins(%cq, %ck : tensor<2x8x16xf32>, tensor<2x16x8xf32>) outs(%s1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s3 = tensor.expand_shape %s2 [[0, 1], [2], [3]] output_shape [1, 2, 8, 8] : tensor<2x8x8xf32> into tensor<1x2x8x8xf32>
  %e = tensor.empty() : tensor<1x2x8x8xf32>
  %s4 = linalg.generic {indexing_maps = [#b0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s3 : tensor<1x2x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = arith.mulf %in, %quarter : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %s5 = linalg.generic {indexing_maps = [#b0, #pad_b, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s4, %m3 : tensor<1x2x8x8xf32>, tensor<1x1x1x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %x = arith.addf %in, %in_1 : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %r0 = tensor.empty() : tensor<1x2x8x1xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %max = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%s5 : tensor<1x2x8x8xf32>) outs(%r1 : tensor<1x2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<1x2x8x1xf32>
  %exp = linalg.generic {indexing_maps = [#b0, #row0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s5, %max : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %x = arith.subf %in, %in_1 : f32
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%exp : tensor<1x2x8x8xf32>) outs(%z1 : tensor<1x2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = arith.addf %in, %out : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x1xf32>
  %p = linalg.generic {indexing_maps = [#b0, #row0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %x = arith.divf %in, %in_1 : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %cp = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x8x8xf32> into tensor<2x8x8xf32>
  %cv = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %o0 = tensor.empty() : tensor<2x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o2 = linalg.batch_matmul ins(%cp, %cv : tensor<2x8x8xf32>, tensor<2x8x16xf32>) outs(%o1 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o3 = tensor.expand_shape %o2 [[0, 1], [2], [3]] output_shape [1, 2, 8, 16] : tensor<2x8x16xf32> into tensor<1x2x8x16xf32>
  return %o3 : tensor<1x2x8x16xf32>
}

// The same mask computed inside the add, as elementwise fusion leaves it:
// the addend becomes a generic of its own that feeds the raised op.
// CHECK-LABEL: func.func @fused_padding_mask(
// CHECK-SAME: %[[AM:[^:]*]]: tensor<1x8xi64>)
// CHECK: %[[MASK:.*]] = linalg.generic {{.*}} ins(%[[AM]] : tensor<1x8xi64>) outs(%{{.*}} : tensor<1x2x8x8xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.sitofp
// CHECK-NEXT: arith.subf
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: linalg.yield
// CHECK: hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false> %{{.*}}, %{{.*}}, %{{.*}} mask %[[MASK]] : {{.*}}, tensor<1x2x8x8xf32> ->
// CHECK-NOT: math.exp
// CHECK: return
func.func @fused_padding_mask(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %am: tensor<1x8xi64>) -> tensor<1x2x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %one = arith.constant 1.000000e+00 : f32
  %fmin = arith.constant -3.40282347E+38 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %kt0 = tensor.empty() : tensor<1x2x16x8xf32>
  %kt = linalg.transpose ins(%k : tensor<1x2x8x16xf32>) outs(%kt0 : tensor<1x2x16x8xf32>) permutation = [0, 1, 3, 2]
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %ck = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x16x8xf32> into tensor<2x16x8xf32>
  %s0 = tensor.empty() : tensor<2x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s2 = linalg.batch_matmul ins(%cq, %ck : tensor<2x8x16xf32>, tensor<2x16x8xf32>) outs(%s1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s3 = tensor.expand_shape %s2 [[0, 1], [2], [3]] output_shape [1, 2, 8, 8] : tensor<2x8x8xf32> into tensor<1x2x8x8xf32>
  %e = tensor.empty() : tensor<1x2x8x8xf32>
  %s4 = linalg.generic {indexing_maps = [#b0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s3 : tensor<1x2x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = arith.mulf %in, %quarter : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %s5 = linalg.generic {indexing_maps = [#b0, #pad_in, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s4, %am : tensor<1x2x8x8xf32>, tensor<1x8xi64>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_1: i64, %out: f32):
    %mf = arith.sitofp %in_1 : i64 to f32
    %inv = arith.subf %one, %mf : f32
    %neg = arith.mulf %inv, %fmin : f32
    %x = arith.addf %in, %neg : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %r0 = tensor.empty() : tensor<1x2x8x1xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %max = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%s5 : tensor<1x2x8x8xf32>) outs(%r1 : tensor<1x2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<1x2x8x1xf32>
  %exp = linalg.generic {indexing_maps = [#b0, #row0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s5, %max : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %x = arith.subf %in, %in_1 : f32
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%exp : tensor<1x2x8x8xf32>) outs(%z1 : tensor<1x2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = arith.addf %in, %out : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x1xf32>
  %p = linalg.generic {indexing_maps = [#b0, #row0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %x = arith.divf %in, %in_1 : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %cp = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x8x8xf32> into tensor<2x8x8xf32>
  %cv = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %o0 = tensor.empty() : tensor<2x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o2 = linalg.batch_matmul ins(%cp, %cv : tensor<2x8x8xf32>, tensor<2x8x16xf32>) outs(%o1 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o3 = tensor.expand_shape %o2 [[0, 1], [2], [3]] output_shape [1, 2, 8, 16] : tensor<2x8x16xf32> into tensor<1x2x8x16xf32>
  return %o3 : tensor<1x2x8x16xf32>
}

// Half precision as torch autocast runs it: Q, K, V and the matmuls in f16,
// the softmax upcast to f32 (softmax(x, dtype=float32)) and cast back. The
// raised attention computes in f32: extf before it, truncf after it. (The
// f32 arguments and the final extf make the function runnable from f32
// .npy files; the truncf of the inputs is exact on grid inputs.)
// CHECK-LABEL: func.func @f16_upcast_softmax(
// CHECK-DAG: %[[Q16:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<1x2x8x16xf32>) outs(%{{.*}} : tensor<1x2x8x16xf16>)
// CHECK-DAG: %[[K16:.*]] = linalg.generic {{.*}} ins(%arg1 : tensor<1x2x8x16xf32>) outs(%{{.*}} : tensor<1x2x8x16xf16>)
// CHECK-DAG: %[[V16:.*]] = linalg.generic {{.*}} ins(%arg2 : tensor<1x2x8x16xf32>) outs(%{{.*}} : tensor<1x2x8x16xf16>)
// CHECK-DAG: %[[Q32:.*]] = linalg.generic {{.*}} ins(%[[Q16]] : tensor<1x2x8x16xf16>) outs(%{{.*}} : tensor<1x2x8x16xf32>)
// CHECK-DAG: %[[K32:.*]] = linalg.generic {{.*}} ins(%[[K16]] : tensor<1x2x8x16xf16>) outs(%{{.*}} : tensor<1x2x8x16xf32>)
// CHECK-DAG: %[[V32:.*]] = linalg.generic {{.*}} ins(%[[V16]] : tensor<1x2x8x16xf16>) outs(%{{.*}} : tensor<1x2x8x16xf32>)
// CHECK: %[[O:.*]] = hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false> %[[Q32]], %[[K32]], %[[V32]] : {{.*}} -> tensor<1x2x8x16xf32>
// CHECK: %[[O16:.*]] = linalg.generic {{.*}} ins(%[[O]] : tensor<1x2x8x16xf32>) outs(%{{.*}} : tensor<1x2x8x16xf16>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK-NOT: math.exp
// CHECK: ins(%[[O16]] : tensor<1x2x8x16xf16>)
// CHECK: return
func.func @f16_upcast_softmax(%q32: tensor<1x2x8x16xf32>, %k32: tensor<1x2x8x16xf32>, %v32: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f16
  %zero32 = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f16
  %h0 = tensor.empty() : tensor<1x2x8x16xf16>
  %q = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q32 : tensor<1x2x8x16xf32>) outs(%h0 : tensor<1x2x8x16xf16>) {
  ^bb0(%in: f32, %out: f16):
    %x = arith.truncf %in : f32 to f16
    linalg.yield %x : f16
  } -> tensor<1x2x8x16xf16>
  %k = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k32 : tensor<1x2x8x16xf32>) outs(%h0 : tensor<1x2x8x16xf16>) {
  ^bb0(%in: f32, %out: f16):
    %x = arith.truncf %in : f32 to f16
    linalg.yield %x : f16
  } -> tensor<1x2x8x16xf16>
  %v = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%v32 : tensor<1x2x8x16xf32>) outs(%h0 : tensor<1x2x8x16xf16>) {
  ^bb0(%in: f32, %out: f16):
    %x = arith.truncf %in : f32 to f16
    linalg.yield %x : f16
  } -> tensor<1x2x8x16xf16>
  %kt0 = tensor.empty() : tensor<1x2x16x8xf16>
  %kt = linalg.transpose ins(%k : tensor<1x2x8x16xf16>) outs(%kt0 : tensor<1x2x16x8xf16>) permutation = [0, 1, 3, 2]
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x8x16xf16> into tensor<2x8x16xf16>
  %ck = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x16x8xf16> into tensor<2x16x8xf16>
  %s0 = tensor.empty() : tensor<2x8x8xf16>
  %s1 = linalg.fill ins(%zero : f16) outs(%s0 : tensor<2x8x8xf16>) -> tensor<2x8x8xf16>
  %s2 = linalg.batch_matmul ins(%cq, %ck : tensor<2x8x16xf16>, tensor<2x16x8xf16>) outs(%s1 : tensor<2x8x8xf16>) -> tensor<2x8x8xf16>
  %s3 = tensor.expand_shape %s2 [[0, 1], [2], [3]] output_shape [1, 2, 8, 8] : tensor<2x8x8xf16> into tensor<1x2x8x8xf16>
  %eh = tensor.empty() : tensor<1x2x8x8xf16>
  %s4 = linalg.generic {indexing_maps = [#b0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s3 : tensor<1x2x8x8xf16>) outs(%eh : tensor<1x2x8x8xf16>) {
  ^bb0(%in: f16, %out: f16):
    %x = arith.mulf %in, %quarter : f16
    linalg.yield %x : f16
  } -> tensor<1x2x8x8xf16>
  %e = tensor.empty() : tensor<1x2x8x8xf32>
  %s5 = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s4 : tensor<1x2x8x8xf16>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f16, %out: f32):
    %x = arith.extf %in : f16 to f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %r0 = tensor.empty() : tensor<1x2x8x1xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %max = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%s5 : tensor<1x2x8x8xf32>) outs(%r1 : tensor<1x2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<1x2x8x1xf32>
  %exp = linalg.generic {indexing_maps = [#b0, #row0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s5, %max : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %x = arith.subf %in, %in_1 : f32
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x8xf32>
  %z1 = linalg.fill ins(%zero32 : f32) outs(%r0 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%exp : tensor<1x2x8x8xf32>) outs(%z1 : tensor<1x2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = arith.addf %in, %out : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x1xf32>
  %p = linalg.generic {indexing_maps = [#b0, #row0, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %x = arith.divf %in, %in_1 : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %ph = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p : tensor<1x2x8x8xf32>) outs(%eh : tensor<1x2x8x8xf16>) {
  ^bb0(%in: f32, %out: f16):
    %x = arith.truncf %in : f32 to f16
    linalg.yield %x : f16
  } -> tensor<1x2x8x8xf16>
  %cp = tensor.collapse_shape %ph [[0, 1], [2], [3]] : tensor<1x2x8x8xf16> into tensor<2x8x8xf16>
  %cv = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x8x16xf16> into tensor<2x8x16xf16>
  %o0 = tensor.empty() : tensor<2x8x16xf16>
  %o1 = linalg.fill ins(%zero : f16) outs(%o0 : tensor<2x8x16xf16>) -> tensor<2x8x16xf16>
  %o2 = linalg.batch_matmul ins(%cp, %cv : tensor<2x8x8xf16>, tensor<2x8x16xf16>) outs(%o1 : tensor<2x8x16xf16>) -> tensor<2x8x16xf16>
  %o3 = tensor.expand_shape %o2 [[0, 1], [2], [3]] output_shape [1, 2, 8, 16] : tensor<2x8x16xf16> into tensor<1x2x8x16xf16>
  %r = tensor.empty() : tensor<1x2x8x16xf32>
  %o4 = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%o3 : tensor<1x2x8x16xf16>) outs(%r : tensor<1x2x8x16xf32>) {
  ^bb0(%in: f16, %out: f32):
    %x = arith.extf %in : f16 to f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x16xf32>
  return %o4 : tensor<1x2x8x16xf32>
}

// The same attention in f32, directly as hdp.attention: what the raised f16
// program computes before rounding its output.
// CHECK-LABEL: func.func @sdpa_f32(
func.func @sdpa_f32(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %o = hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false> %q, %k, %v : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}
