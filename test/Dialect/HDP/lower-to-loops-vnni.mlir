// RUN: hdp-opt --hdp-lower-to-loops="int-kernels=avx512-vnni" --split-input-file %s | FileCheck %s --check-prefixes=CHECK,Z
// RUN: hdp-opt --hdp-lower-to-loops="int-kernels=avx-vnni" --split-input-file %s | FileCheck %s --check-prefixes=CHECK,Y
// RUN: hdp-opt --hdp-lower-to-loops --split-input-file %s | FileCheck %s --check-prefix=GENERIC
// RUN: not hdp-opt --hdp-lower-to-loops="int-kernels=sse" %s 2>&1 | FileCheck %s --check-prefix=BAD

// With int-kernels = avx512-vnni (avx-vnni), the integer products are
// vpdpbusd dot products on 16 (8) i32 lanes over K packed 4 values of d per
// key, the Q side (u8) offset by 2^(I-1) = 8 and the offset's share
// subtracted with the per-key sums; the generic kernels have none of that.
// GENERIC-NOT: vpdpbusd
// BAD: int-kernels must be generic, avx512-vnni or avx-vnni, got 'sse'

// CHECK-LABEL: func.func @block_score
// Packing: each key's 4 bytes per row of d/4 in tiles of the W = 32 (16)
// keys a kernel call reads, and its sum (buffers for every head, H = 1 here;
// each head writes its view).
// Z: memref.alloc() : memref<2x4x128xi8>
// Y: memref.alloc() : memref<4x4x64xi8>
// CHECK: memref.alloc() : memref<64xi32>
// CHECK: memref.alloc() : memref<8x16xi8>
// CHECK: arith.remui
// Z: memref.store %{{.*}} : memref<2x4x128xi8, strided<[512, 128, 1], offset: ?>>
// Y: memref.store %{{.*}} : memref<4x4x64xi8, strided<[256, 64, 1], offset: ?>>
// CHECK: } {hdp.parallel}
// The Q side offset once per head, into a u8 copy.
// CHECK: arith.addi %{{.*}}, %c8_i8 : i8
// CHECK: memref.store %{{.*}} : memref<8x16xi8, strided<[16, 1], offset: ?>>
// CHECK: } {hdp.parallel}
// The d loop steps by 4; each broadcast Q value (read from the copy, no add)
// feeds two dot products over two vectors of keys.
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c4
// CHECK: vector.load %{{.*}} : memref<8x16xi8, strided<[16, 1], offset: ?>>, vector<4xi8>
// CHECK-NOT: arith.addi %{{.*}} : vector<4xi8>
// Z: vector.load %{{.*}} : memref<2x4x128xi8, strided<[512, 128, 1], offset: ?>>, vector<64xi8>
// Y: vector.load %{{.*}} : memref<4x4x64xi8, strided<[256, 64, 1], offset: ?>>, vector<32xi8>
// Z: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"({{.*}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// Y: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"({{.*}}) : (vector<8xi32>, vector<32xi8>, vector<32xi8>) -> vector<8xi32>
// Z: vector.load %{{.*}} : memref<2x4x128xi8, strided<[512, 128, 1], offset: ?>>, vector<64xi8>
// Y: vector.load %{{.*}} : memref<4x4x64xi8, strided<[256, 64, 1], offset: ?>>, vector<32xi8>
// Z: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// Y: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"
// CHECK: vector.load %{{.*}} : memref<64xi32, strided<[1], offset: ?>>
// CHECK: arith.muli
// CHECK: arith.subi
func.func @block_score(%qh: memref<1x1x8x16xi8>, %kh: memref<1x1x64x16xi8>, %s: memref<1x1x8x64xi32>, %theta: memref<1x1x4x32xi64>) {
  hdp.block_score config #hdp.config<rho = 0.3> ins(%qh, %kh : memref<1x1x8x16xi8>, memref<1x1x64x16xi8>) outs(%s, %theta : memref<1x1x8x64xi32>, memref<1x1x4x32xi64>)
  return
}

// -----

// approx_combine: the hi and lo parts of K packed, three terms in two
// accumulators (Int·Int; Frac·Int + Int·Frac).
// CHECK-LABEL: func.func @approx_combine
// Z-COUNT-2: memref.alloc() : memref<4x4x64xi8>
// Y-COUNT-2: memref.alloc() : memref<8x4x32xi8>
// Z-COUNT-12: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// Y-COUNT-12: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"
func.func @approx_combine(%qh: memref<1x1x8x16xi8>, %ql: memref<1x1x8x16xi8>, %kh: memref<1x1x64x16xi8>, %kl: memref<1x1x64x16xi8>, %s: memref<1x1x8x64xi32>, %bm: memref<1x1x4x32xi1>, %hm: memref<1x1xi1>, %out: memref<1x1x8x64xf32>) {
  hdp.approx_combine config #hdp.config<rho = 0.3> ins(%qh, %ql, %kh, %kl, %s, %bm, %hm : memref<1x1x8x16xi8>, memref<1x1x8x16xi8>, memref<1x1x64x16xi8>, memref<1x1x64x16xi8>, memref<1x1x8x64xi32>, memref<1x1x4x32xi1>, memref<1x1xi1>) outs(%out : memref<1x1x8x64xf32>)
  return
}

// -----

// D = 6 is not a multiple of 4: the generic kernels.
// CHECK-LABEL: func.func @odd_d
// CHECK-NOT: vpdpbusd
// CHECK: return
func.func @odd_d(%qh: memref<1x1x8x6xi8>, %kh: memref<1x1x64x6xi8>, %s: memref<1x1x8x64xi32>, %theta: memref<1x1x4x32xi64>) {
  hdp.block_score config #hdp.config<rho = 0.3> ins(%qh, %kh : memref<1x1x8x6xi8>, memref<1x1x64x6xi8>) outs(%s, %theta : memref<1x1x8x64xi32>, memref<1x1x4x32xi64>)
  return
}

// -----

// D = 64 (a multiple of 4·VL bytes) and I + F <= 8: each kept block of a
// tile with few kept blocks takes byte dot products of the whole fixed-point
// values, raw = hi·2^F + lo. Per head, the key bytes rawK + 128 (u8) and
// −loK; per block row, the query rows' rawQ and the accumulators' start
// −128·Σ rawQ (the constant 128 dotted with rawQ); per kept block and
// row, (rawK + 128)·rawQ then loQ·(−loK) (approx) into that accumulator.
// CHECK-LABEL: func.func @approx_combine_blocks
// CHECK: %[[KB:.*]] = memref.alloc() : memref<64x2x64xi8>
// CHECK: arith.shli %{{.*}}, %{{.*}} : vector<{{64|32}}xi8>
// CHECK: arith.xori %{{.*}}, %{{.*}} : vector<{{64|32}}xi8>
// CHECK: vector.store %{{.*}}, %[[KB]]
// CHECK: arith.subi %{{.*}} : vector<{{64|32}}xi8>
// CHECK: vector.store %{{.*}}, %[[KB]]
// CHECK: arith.shli %{{.*}}, %{{.*}} : vector<{{64|32}}xi8>
// Z: %[[SHARE:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %{{.*}}, %[[RAWQ:.*]]) :
// Z: %[[START:.*]] = arith.subi %{{.*}}, %[[SHARE]] : vector<16xi32>
// Z: %[[RAWK:.*]] = vector.load %[[KB]]
// Z: %[[NEGLO:.*]] = vector.load %[[KB]]
// Z: %[[FULL:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%[[START]], %[[RAWK]], %[[RAWQ]]) :
// Z: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%[[FULL]], %{{.*}}, %[[NEGLO]]) :
// Z-NOT: arith.subi %{{.*}} : vector<16xi32>
// CHECK: arith.sitofp %{{.*}} : vector<4xi32> to vector<4xf32>
// CHECK: memref.dealloc %[[KB]]
func.func @approx_combine_blocks(%qh: memref<1x1x8x64xi8>, %ql: memref<1x1x8x64xi8>, %kh: memref<1x1x64x64xi8>, %kl: memref<1x1x64x64xi8>, %s: memref<1x1x8x64xi32>, %bm: memref<1x1x4x32xi1>, %hm: memref<1x1xi1>, %out: memref<1x1x8x64xf32>) {
  hdp.approx_combine config #hdp.config<rho = 0.3> ins(%qh, %ql, %kh, %kl, %s, %bm, %hm : memref<1x1x8x64xi8>, memref<1x1x8x64xi8>, memref<1x1x64x64xi8>, memref<1x1x64x64xi8>, memref<1x1x8x64xi32>, memref<1x1x4x32xi1>, memref<1x1xi1>) outs(%out : memref<1x1x8x64xf32>)
  return
}

// -----

// With int-kernels = avx512-vnni (AVX-512F), the kept block columns of a
// block row are listed 16 at a time: 16 mask bytes loaded whole, the column
// numbers compressed to the kept ones (vpcompressd), the count moved by the
// popcount; the 36 mod 16 last columns one by one. AVX-VNNI and the generic
// kernels list one column at a time.
// CHECK-LABEL: func.func @sparse_pv_lists
// Z: %[[LIST:.*]] = memref.alloc(%{{.*}}) : memref<?xi32>
// Z: scf.for %{{.*}} = %{{.*}} to %[[MAIN:.*]] step %c16{{(_[0-9]+)?}} iter_args(%[[N:.*]] = %{{.*}}) -> (index)
// Z: %[[BYTES:.*]] = llvm.load %{{.*}} {alignment = 1 : i64} : !llvm.ptr -> vector<16xi8>
// Z: %[[KEPT:.*]] = arith.cmpi ne, %[[BYTES]], %{{.*}} : vector<16xi8>
// Z: %[[COLS:.*]] = arith.addi %{{.*}} : vector<16xi32>
// Z: vector.compressstore %[[LIST]][%[[N]]], %[[KEPT]], %[[COLS]] : memref<?xi32>, vector<16xi1>, vector<16xi32>
// Z: %[[BITS:.*]] = llvm.bitcast %[[KEPT]] : vector<16xi1> to i16
// Z: llvm.intr.ctpop(%[[BITS]]) : (i16) -> i16
// Z: scf.for %{{.*}} = %[[MAIN]] to %c36
// Y-NOT: vector.compressstore
// GENERIC-NOT: vector.compressstore
func.func @sparse_pv_lists(%p: memref<1x1x8x72xf32>, %v: memref<1x1x72x4xf32>, %bm: memref<1x1x4x36xi1>, %hm: memref<1x1xi1>, %out: memref<1x1x8x4xf32>) {
  hdp.sparse_pv ins(%p, %v, %bm, %hm : memref<1x1x8x72xf32>, memref<1x1x72x4xf32>, memref<1x1x4x36xi1>, memref<1x1xi1>) outs(%out : memref<1x1x8x4xf32>)
  return
}
