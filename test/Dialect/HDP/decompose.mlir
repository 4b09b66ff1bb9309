// RUN: hdp-opt --hdp-decompose --split-input-file %s | FileCheck %s

// The stages in the order they run, all carrying the attention's config;
// partial edge blocks give a ceil(7/2) x ceil(5/2) = 4x3 block grid.

// CHECK-LABEL: func.func @static_with_mask
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x7x4xf32>, %[[K:.*]]: tensor<1x2x5x4xf32>, %[[V:.*]]: tensor<1x2x5x3xf32>, %[[M:.*]]: tensor<1x1x1x5xf32>)
// CHECK-NOT: hdp.attention
// CHECK-DAG: %[[QHI0:.*]] = tensor.empty() : tensor<1x2x7x4xi8>
// CHECK-DAG: %[[QLO0:.*]] = tensor.empty() : tensor<1x2x7x4xi8>
// CHECK: %[[QS:.*]]:2 = hdp.split_quantize config #hdp.config<rho = 0.5> ins(%[[Q]] : tensor<1x2x7x4xf32>) outs(%[[QHI0]], %[[QLO0]] : tensor<1x2x7x4xi8>, tensor<1x2x7x4xi8>)
// CHECK: %[[KS:.*]]:2 = hdp.split_quantize config #hdp.config<rho = 0.5> ins(%[[K]] : tensor<1x2x5x4xf32>)
// CHECK-DAG: %[[S0:.*]] = tensor.empty() : tensor<1x2x7x5xi32>
// CHECK-DAG: %[[T0:.*]] = tensor.empty() : tensor<1x2x4x3xi64>
// CHECK: %[[BS:.*]]:2 = hdp.block_score config #hdp.config<rho = 0.5> ins(%[[QS]]#0, %[[KS]]#0 : {{.*}}) mask(%[[M]] : tensor<1x1x1x5xf32>) outs(%[[S0]], %[[T0]] : tensor<1x2x7x5xi32>, tensor<1x2x4x3xi64>)
// CHECK: %[[BM:.*]] = hdp.prune_mask config #hdp.config<rho = 0.5> ins(%[[BS]]#1 : tensor<1x2x4x3xi64>) outs(%{{.*}} : tensor<1x2x4x3xi1>)
// CHECK: %[[HM:.*]]:2 = hdp.head_mask config #hdp.config<rho = 0.5> ins(%[[BS]]#1 : tensor<1x2x4x3xi64>) outs(%{{.*}}, %{{.*}} : tensor<1x2xi1>, tensor<1x2xi64>)
// CHECK: %[[SC:.*]] = hdp.approx_combine config #hdp.config<rho = 0.5> ins(%[[QS]]#0, %[[QS]]#1, %[[KS]]#0, %[[KS]]#1, %[[BS]]#0, %[[BM]], %[[HM]]#0 : {{.*}}) mask(%[[M]] : tensor<1x1x1x5xf32>) outs(%{{.*}} : tensor<1x2x7x5xf32>)
// CHECK: %[[P:.*]] = hdp.masked_softmax config #hdp.config<rho = 0.5> ins(%[[SC]] : tensor<1x2x7x5xf32>) outs(%{{.*}} : tensor<1x2x7x5xf32>)
// CHECK: %[[O:.*]] = hdp.sparse_pv config #hdp.config<rho = 0.5> ins(%[[P]], %[[V]], %[[BM]], %[[HM]]#0 : {{.*}}) outs(%{{.*}} : tensor<1x2x7x3xf32>)
// CHECK: return %[[O]], %[[BM]], %[[HM]]#0, %[[HM]]#1
func.func @static_with_mask(%q: tensor<1x2x7x4xf32>, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x3xf32>, %m: tensor<1x1x1x5xf32>)
    -> (tensor<1x2x7x3xf32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>, tensor<1x2xi64>) {
  %0:4 = hdp.attention config #hdp.config<rho = 0.5> %q, %k, %v mask %m
      : tensor<1x2x7x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x3xf32>, tensor<1x1x1x5xf32>
      -> tensor<1x2x7x3xf32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>, tensor<1x2xi64>
  return %0#0, %0#1, %0#2, %0#3 : tensor<1x2x7x3xf32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>, tensor<1x2xi64>
}

// -----

// No config stays no config; without a mask no mask operand appears.

// CHECK-LABEL: func.func @defaults_no_mask
// CHECK: hdp.split_quantize ins(
// CHECK: hdp.block_score ins(%{{.*}}, %{{.*}} : tensor<1x1x4x8xi8>, tensor<1x1x4x8xi8>) outs(
// CHECK: hdp.approx_combine ins({{.*}}) outs(
// CHECK: %[[O:.*]] = hdp.sparse_pv ins(
// CHECK: return %[[O]] : tensor<1x1x4x8xf32>
func.func @defaults_no_mask(%q: tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32> {
  %0 = hdp.attention %q, %q, %q : tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32> -> tensor<1x1x4x8xf32>
  return %0 : tensor<1x1x4x8xf32>
}

// -----

// Wider fixed point: i16 parts; D * 2^(2I-2) beyond i32: i64 scores.

// CHECK-LABEL: func.func @wide_types
// CHECK: hdp.split_quantize {{.*}} outs(%{{.*}}, %{{.*}} : tensor<1x1x4x64xi16>, tensor<1x1x4x64xi16>)
// CHECK: hdp.block_score {{.*}} outs(%{{.*}}, %{{.*}} : tensor<1x1x4x4xi64>, tensor<1x1x1x1xi64>)
func.func @wide_types(%q: tensor<1x1x4x64xf32>) -> tensor<1x1x4x64xf32> {
  %0 = hdp.attention config #hdp.config<int_bits = 14, frac_bits = 2, block = [4, 4]> %q, %q, %q : tensor<1x1x4x64xf32>, tensor<1x1x4x64xf32>, tensor<1x1x4x64xf32> -> tensor<1x1x4x64xf32>
  return %0 : tensor<1x1x4x64xf32>
}

// -----

// importance = signed: block_score writes θ (Σ S_int) and the block
// magnitudes (Σ|S_int|); the prune mask reads both, the head mask the
// magnitudes.

// CHECK-LABEL: func.func @signed_importance
// CHECK: %[[BS:.*]]:3 = hdp.block_score config #hdp.config<importance = signed> ins({{.*}}) outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x2x4x3xi32>, tensor<1x2x2x2xi64>, tensor<1x2x2x2xi64>)
// CHECK: %[[BM:.*]] = hdp.prune_mask config #hdp.config<importance = signed> ins(%[[BS]]#1 : tensor<1x2x2x2xi64>) magnitude(%[[BS]]#2 : tensor<1x2x2x2xi64>) outs(
// CHECK: hdp.head_mask config #hdp.config<importance = signed> ins(%[[BS]]#2 : tensor<1x2x2x2xi64>)
func.func @signed_importance(%q: tensor<1x2x4x4xf32>, %k: tensor<1x2x3x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = hdp.attention config #hdp.config<importance = signed> %q, %k, %k : tensor<1x2x4x4xf32>, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32> -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// Dynamic shapes: sizes read with tensor.dim, the block grid with ceildivui.

// CHECK-LABEL: func.func @dynamic
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[N:.*]] = tensor.dim %arg0, %c2
// CHECK-DAG: %[[M:.*]] = tensor.dim %arg1, %c2
// CHECK-DAG: %[[NB:.*]] = arith.ceildivui %[[N]], %{{.*}} : index
// CHECK-DAG: %[[MB:.*]] = arith.ceildivui %[[M]], %{{.*}} : index
// CHECK: tensor.empty(%{{.*}}, %{{.*}}, %[[NB]], %[[MB]]) : tensor<?x?x?x?xi64>
// CHECK: hdp.block_score {{.*}} -> tensor<?x?x?x?xi64>, tensor<?x?x?x?xi64>
// CHECK: hdp.sparse_pv
func.func @dynamic(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %0 = hdp.attention %q, %k, %v : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----

// IR without hdp.attention is left exactly alone: no folding, no dead-code
// removal, stage ops untouched.

// CHECK-LABEL: func.func @untouched
// CHECK-NEXT: %[[C1:.*]] = arith.constant 1 : i32
// CHECK-NEXT: %[[C2:.*]] = arith.constant 2 : i32
// CHECK-NEXT: %[[SUM:.*]] = arith.addi %[[C1]], %[[C2]] : i32
// CHECK-NEXT: %[[DEAD:.*]] = arith.muli %[[SUM]], %[[SUM]] : i32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<1x1x2x2xf32>
// CHECK-NEXT: %[[P:.*]] = hdp.masked_softmax ins(%arg0 : tensor<1x1x2x2xf32>) outs(%[[E]] : tensor<1x1x2x2xf32>)
// CHECK-NEXT: return %[[SUM]], %[[P]]
func.func @untouched(%s: tensor<1x1x2x2xf32>) -> (i32, tensor<1x1x2x2xf32>) {
  %c1 = arith.constant 1 : i32
  %c2 = arith.constant 2 : i32
  %sum = arith.addi %c1, %c2 : i32
  %dead = arith.muli %sum, %sum : i32
  %e = tensor.empty() : tensor<1x1x2x2xf32>
  %p = hdp.masked_softmax ins(%s : tensor<1x1x2x2xf32>) outs(%e : tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %sum, %p : i32, tensor<1x1x2x2xf32>
}
