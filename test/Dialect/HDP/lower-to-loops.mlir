// RUN: hdp-opt --hdp-lower-to-loops --split-input-file --verify-diagnostics %s | FileCheck %s

// Pruning is real. Whole tiles of 4 rows x 32 keys are skipped (-inf) unless
// the head and a block of the tile are kept; the kept blocks of a tile are
// listed by block row with a branch-free count. Tiles with at most 16 kept
// blocks compute only those, one 2x2 block at a time (query rows loaded once
// per block row, dot products along D: i8 widened to i16, lane sums by a
// shuffle tree) over a -inf tile. Other tiles come from a vector kernel over
// a transposed copy of K (i8 widened to i16, outer products, no reductions)
// whose pruned blocks become -inf by a lane select, with lane masks built
// only when not all 32 blocks are kept. Edge blocks (here all of them:
// M = 8 < 32) run the fraction products only behind an scf.if on (head kept
// && block kept), vectorised along D (16 lanes of i8 widened to i32).

// CHECK-LABEL: func.func @approx_combine
// CHECK-NOT: hdp.approx_combine
// CHECK: %[[NEGINF:.*]] = arith.constant dense<0xFF800000> : vector<32xf32>
// CHECK: %[[LIST:.*]] = memref.alloc() : memref<32xindex>
// CHECK: memref.alloc() : memref<32x8xi8>
// CHECK: %[[HEAD:.*]] = memref.load %arg6
// CHECK: memref.store %{{.*}}, %[[LIST]]
// CHECK: %[[NONZERO:.*]] = arith.cmpi ne, %[[COUNT:[^,]*]], %{{.*}} : index
// CHECK: %[[ANY:.*]] = arith.andi %[[NONZERO]], %[[HEAD]] : i1
// CHECK: scf.if %[[ANY]] {
// CHECK: %[[FEW:.*]] = arith.cmpi ule, %[[COUNT]], %{{.*}} : index
// CHECK: scf.if %[[FEW]] {
// CHECK: vector.store %[[NEGINF]], %arg7
// CHECK: vector.load %arg0{{.*}} : memref<1x2x8x32xi8>, vector<32xi8>
// CHECK: arith.extsi %{{.*}} : vector<32xi8> to vector<32xi16>
// CHECK: scf.for
// CHECK: memref.load %[[LIST]]
// CHECK: vector.load %arg2{{.*}} : memref<1x2x8x32xi8>, vector<32xi8>
// CHECK: arith.muli %{{.*}} : vector<32xi16>
// CHECK: vector.shuffle
// CHECK: arith.sitofp %{{.*}} : vector<4xi32> to vector<4xf32>
// CHECK: vector.store %{{.*}}, %arg7{{.*}} : memref<1x2x8x8xf32>, vector<2xf32>
// CHECK: vector.load %arg0{{.*}} : memref<1x2x8x32xi8>, vector<32xi8>
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[COUNT]]
// CHECK: } else {
// CHECK: %[[ALL:.*]] = arith.cmpi eq, %[[COUNT]], %{{.*}} : index
// CHECK: scf.if %[[ALL]] -> (vector<32xi1>, vector<32xi1>) {
// CHECK: vector.from_elements {{.*}} : vector<32xi1>
// CHECK: vector.load %{{.*}} : memref<32x8xi8>, vector<32xi8>
// CHECK: arith.extsi %{{.*}} : vector<32xi8> to vector<32xi16>
// CHECK: arith.muli %{{.*}} : vector<32xi16>
// CHECK: arith.select %{{.*}} : vector<32xi1>, vector<32xf32>
// CHECK: } else {
// CHECK: vector.store %[[NEGINF]], %arg7
// CHECK: %[[BLOCK:.*]] = memref.load %arg5
// CHECK: %[[KEPT:.*]] = arith.andi %[[HEAD]], %[[BLOCK]] : i1
// CHECK: scf.if %[[KEPT]] {
// CHECK: vector.load %{{.*}} : memref<1x2x8x32xi8>, vector<16xi8>
// CHECK: arith.extsi %{{.*}} : vector<16xi8> to vector<16xi32>
// CHECK: vector.reduction <add>
// CHECK: arith.sitofp %{{.*}} : i64 to f32
// CHECK: } else {
// CHECK: memref.store %{{.*}}, %arg7
func.func @approx_combine(%qh: memref<1x2x8x32xi8>, %ql: memref<1x2x8x32xi8>, %kh: memref<1x2x8x32xi8>, %kl: memref<1x2x8x32xi8>,
                          %s: memref<1x2x8x8xi32>, %bm: memref<1x2x4x4xi1>, %hm: memref<1x2xi1>, %out: memref<1x2x8x8xf32>) {
  hdp.approx_combine ins(%qh, %ql, %kh, %kl, %s, %bm, %hm : memref<1x2x8x32xi8>, memref<1x2x8x32xi8>, memref<1x2x8x32xi8>, memref<1x2x8x32xi8>, memref<1x2x8x8xi32>, memref<1x2x4x4xi1>, memref<1x2xi1>) outs(%out : memref<1x2x8x8xf32>)
  return
}

// -----

// P·V visits only kept blocks of kept heads, with the output row in vector
// registers (separate mul and add: the reference's roundings).

// CHECK-LABEL: func.func @sparse_pv
// CHECK-NOT: hdp.sparse_pv
// The bm = 2 rows of a block row together: one V row load for both.
// The kept block columns of the block row are listed branch-free first
// (generic kernels: one column at a time), then walked.
// CHECK: %[[LIST:.*]] = memref.alloc(%{{.*}}) : memref<?xi32>
// CHECK: scf.if %{{.*}} -> (vector<4xf32>, vector<4xf32>)
// CHECK: %[[CNT:.*]] = scf.for {{.*}} -> (index)
// CHECK: memref.store %{{.*}}, %[[LIST]]
// CHECK: %[[KEPT:.*]] = memref.load %arg2
// CHECK: arith.select %[[KEPT]]
// Every listed block but the last is whole: its bn = 2 keys unrolled.
// CHECK: %[[LAST:.*]] = arith.maxsi
// CHECK: %[[WHOLE:.*]]:2 = scf.for %{{.*}} = %{{.*}} to %[[LAST]] {{.*}} -> (vector<4xf32>, vector<4xf32>)
// CHECK: memref.load %[[LIST]]
// CHECK-NOT: scf.for
// CHECK: %[[V:.*]] = vector.load %arg1{{.*}} : memref<1x2x8x4xf32>, vector<4xf32>
// CHECK: vector.broadcast %{{.*}} : f32 to vector<4xf32>
// CHECK: arith.mulf %{{.*}}, %[[V]] : vector<4xf32>
// CHECK: arith.addf %{{.*}} : vector<4xf32>
// CHECK-NOT: vector.load
// CHECK: arith.mulf %{{.*}}, %[[V]] : vector<4xf32>
// CHECK: arith.addf %{{.*}} : vector<4xf32>
// CHECK: %[[V2:.*]] = vector.load %arg1{{.*}} : memref<1x2x8x4xf32>, vector<4xf32>
// CHECK: arith.mulf %{{.*}}, %[[V2]] : vector<4xf32>
// CHECK-NOT: vector.load
// CHECK: arith.mulf %{{.*}}, %[[V2]] : vector<4xf32>
// CHECK: scf.yield
// The last listed block, which M may cut, key by key.
// CHECK: scf.for %{{.*}} = %[[LAST]] to %[[CNT]] step %{{.*}} iter_args(%{{.*}} = %[[WHOLE]]#0, %{{.*}} = %[[WHOLE]]#1) -> (vector<4xf32>, vector<4xf32>)
// CHECK: memref.load %[[LIST]]
// CHECK: arith.minsi
// CHECK: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>)
// CHECK: vector.load %arg1{{.*}} : memref<1x2x8x4xf32>, vector<4xf32>
// CHECK: vector.store %{{.*}} : memref<1x2x8x4xf32>, vector<4xf32>
// CHECK: vector.store %{{.*}} : memref<1x2x8x4xf32>, vector<4xf32>
func.func @sparse_pv(%p: memref<1x2x8x8xf32>, %v: memref<1x2x8x4xf32>, %bm: memref<1x2x4x4xi1>, %hm: memref<1x2xi1>, %out: memref<1x2x8x4xf32>) {
  hdp.sparse_pv ins(%p, %v, %bm, %hm : memref<1x2x8x8xf32>, memref<1x2x8x4xf32>, memref<1x2x4x4xi1>, memref<1x2xi1>) outs(%out : memref<1x2x8x4xf32>)
  return
}

// -----

// The threshold T of a block row is evaluated in i128; the Q16 ratio is a
// constant (rho = 0.5 → 32768). When T fits i64 each block compares θ with
// the row's cutoff ⌈T / (65536·nb)⌉ (i64); otherwise with i128 products.

// CHECK-LABEL: func.func @prune_mask
// CHECK-DAG: arith.constant 32768 : i128
// CHECK-DAG: arith.constant 65536 : i128
// CHECK: %[[T:.*]] = arith.addi %{{.*}} : i128
// CHECK: %[[FITS:.*]] = arith.cmpi sle, %[[T]], %{{.*}} : i128
// CHECK: scf.if %[[FITS]] {
// CHECK: %[[T64:.*]] = arith.trunci %[[T]] : i128 to i64
// CHECK: %[[CUT:.*]] = arith.ceildivsi %[[T64]], %{{.*}} : i64
// CHECK: scf.for
// CHECK: arith.cmpi sge, %{{.*}}, %[[CUT]] : i64
// CHECK: } else {
// CHECK: scf.for
// CHECK: arith.muli %{{.*}} : i128
// CHECK: arith.cmpi sge, %{{.*}}, %[[T]] : i128
func.func @prune_mask(%t: memref<1x1x2x3xi64>, %bm: memref<1x1x2x3xi1>) {
  hdp.prune_mask config #hdp.config<rho = 0.5> ins(%t : memref<1x1x2x3xi64>) outs(%bm : memref<1x1x2x3xi1>)
  return
}

// -----

// With the i64 cutoff, 8 blocks at a time: θ as vector<8xi64>, the 8 mask
// bytes stored whole through the element's address (vector.store of i1
// vectors would pack bits); the last 19 mod 8 blocks one by one.

// CHECK-LABEL: func.func @prune_mask_lanes
// CHECK: %[[CUT:.*]] = arith.ceildivsi %{{.*}} : i64
// CHECK: %[[CUTS:.*]] = vector.broadcast %[[CUT]] : i64 to vector<8xi64>
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[MAIN:.*]] step %c8{{(_[0-9]+)?}} {
// CHECK: %[[T:.*]] = vector.load %arg0{{.*}} : memref<1x1x2x19xi64>, vector<8xi64>
// CHECK: arith.cmpi sge, %[[T]], %[[CUTS]] : vector<8xi64>
// CHECK: %[[BYTES:.*]] = arith.extui %{{.*}} : vector<8xi1> to vector<8xi8>
// CHECK: memref.extract_aligned_pointer_as_index %arg1
// CHECK: %[[PTR:.*]] = llvm.inttoptr
// CHECK: llvm.store %[[BYTES]], %[[PTR]] {alignment = 1 : i64} : vector<8xi8>, !llvm.ptr
// CHECK: scf.for %{{.*}} = %[[MAIN]] to %c19
// CHECK: memref.store %{{.*}}, %arg1{{.*}} : memref<1x1x2x19xi1>
func.func @prune_mask_lanes(%t: memref<1x1x2x19xi64>, %bm: memref<1x1x2x19xi1>) {
  hdp.prune_mask config #hdp.config<rho = 0.5> ins(%t : memref<1x1x2x19xi64>) outs(%bm : memref<1x1x2x19xi1>)
  return
}

// -----

// θ private to its prune_mask and head_mask: the three are lowered together,
// θ lives one step of block rows at a time ([kTileRows / bm, M / bn] = 2x32
// here, each step its own: steps are independent, marked hdp.parallel) and
// its [B, H, N/bm, M/bn] buffer goes away; each block row's sum is stored,
// θ_H is their sum once the steps are done, and the head mask follows each
// batch item.

// CHECK-LABEL: func.func @fused_scoring
// CHECK-NOT: memref<1x2x4x32xi64>
// The block-row sums of every head (H = 2 heads × NB = 4): heads run in
// parallel (their K copies first, then the steps of all heads as one
// parallel nest), each writing its own view.
// CHECK: %[[SUMS:.*]] = memref.alloc() : memref<8xi64>
// CHECK: } {hdp.parallel}
// CHECK-NEXT: } {hdp.parallel}
// CHECK: %[[HEAD:.*]] = memref.subview %[[SUMS]][
// CHECK: scf.for
// CHECK: %[[ROWS:.*]] = memref.alloc() : memref<2x32xi64>
// CHECK: vector.store %{{.*}}, %[[ROWS]][%{{.*}}] : memref<2x32xi64>, vector<16xi64>
// CHECK: memref.load %[[ROWS]]
// CHECK: arith.ceildivsi
// CHECK: memref.store %{{.*}}, %arg3[
// CHECK: memref.store %{{.*}}, %[[HEAD]][
// CHECK: memref.dealloc %[[ROWS]]
// CHECK-NEXT: } {hdp.parallel}
// CHECK-NEXT: } {hdp.parallel}
// θ_H once every head is done: the sums loop carries the batch total.
// CHECK: scf.for {{.*}} iter_args
// CHECK: %[[VIEW:.*]] = memref.subview %[[SUMS]][
// CHECK: memref.load %[[VIEW]]
// CHECK: memref.store %{{.*}}, %arg5[
// CHECK: memref.store %{{.*}}, %arg4[
// CHECK: memref.dealloc %[[SUMS]]
// CHECK-NOT: memref<1x2x4x32xi64>
// CHECK: return
func.func @fused_scoring(%qh: memref<1x2x8x16xi8>, %kh: memref<1x2x64x16xi8>, %s: memref<1x2x8x64xi32>, %bm: memref<1x2x4x32xi1>, %hm: memref<1x2xi1>, %th: memref<1x2xi64>) {
  %theta = memref.alloc() : memref<1x2x4x32xi64>
  hdp.block_score config #hdp.config<rho = 0.3> ins(%qh, %kh : memref<1x2x8x16xi8>, memref<1x2x64x16xi8>) outs(%s, %theta : memref<1x2x8x64xi32>, memref<1x2x4x32xi64>)
  hdp.prune_mask config #hdp.config<rho = 0.3> ins(%theta : memref<1x2x4x32xi64>) outs(%bm : memref<1x2x4x32xi1>)
  hdp.head_mask config #hdp.config<tau_h = 0.5> ins(%theta : memref<1x2x4x32xi64>) outs(%hm, %th : memref<1x2xi1>, memref<1x2xi64>)
  memref.dealloc %theta : memref<1x2x4x32xi64>
  return
}

// -----

// θ read by something else (here a copy out): block_score writes it whole.

// CHECK-LABEL: func.func @unfused_scoring
// CHECK: %[[THETA:.*]] = memref.alloc() : memref<1x2x4x32xi64>
// CHECK: vector.store %{{.*}}, %[[THETA]][%{{.*}}] : memref<1x2x4x32xi64>, vector<16xi64>
// CHECK: memref.copy %[[THETA]], %arg6
func.func @unfused_scoring(%qh: memref<1x2x8x16xi8>, %kh: memref<1x2x64x16xi8>, %s: memref<1x2x8x64xi32>, %bm: memref<1x2x4x32xi1>, %hm: memref<1x2xi1>, %th: memref<1x2xi64>, %out: memref<1x2x4x32xi64>) {
  %theta = memref.alloc() : memref<1x2x4x32xi64>
  hdp.block_score config #hdp.config<rho = 0.3> ins(%qh, %kh : memref<1x2x8x16xi8>, memref<1x2x64x16xi8>) outs(%s, %theta : memref<1x2x8x64xi32>, memref<1x2x4x32xi64>)
  hdp.prune_mask config #hdp.config<rho = 0.3> ins(%theta : memref<1x2x4x32xi64>) outs(%bm : memref<1x2x4x32xi1>)
  hdp.head_mask config #hdp.config<tau_h = 0.5> ins(%theta : memref<1x2x4x32xi64>) outs(%hm, %th : memref<1x2xi1>, memref<1x2xi64>)
  memref.copy %theta, %out : memref<1x2x4x32xi64> to memref<1x2x4x32xi64>
  memref.dealloc %theta : memref<1x2x4x32xi64>
  return
}

// -----

// Other ops are left alone.

// CHECK-LABEL: func.func @untouched
// CHECK-NEXT: %[[S:.*]] = arith.addf %arg0, %arg0 : f32
// CHECK-NEXT: return %[[S]]
func.func @untouched(%x: f32) -> f32 {
  %0 = arith.addf %x, %x : f32
  return %0 : f32
}

// -----

// Stage ops still on tensors, and hdp.attention, are errors.

func.func @tensors(%t: tensor<1x1x2x3xi64>, %bm: tensor<1x1x2x3xi1>) -> tensor<1x1x2x3xi1> {
  // expected-error @+1 {{hdp-lower-to-loops expects stage ops on memrefs: run one-shot-bufferize first}}
  %0 = hdp.prune_mask ins(%t : tensor<1x1x2x3xi64>) outs(%bm : tensor<1x1x2x3xi1>) -> tensor<1x1x2x3xi1>
  return %0 : tensor<1x1x2x3xi1>
}

// -----

func.func @attention(%q: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{hdp-lower-to-loops expects the stage ops: run hdp-decompose and one-shot-bufferize first}}
  %0 = hdp.attention %q, %q, %q : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}
