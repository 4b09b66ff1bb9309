// RUN: hdp-opt --hdp-parallelize-loops %s | FileCheck %s

// A marked loop that is all its marked parent does (the constant is free of
// side effects) becomes a second dimension of one scf.parallel, the
// parent's pure ops cloned into the body.
// CHECK-LABEL: func.func @nest
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) = (%c0, %c0) to (%c8, %c4) step (%c1, %c1) {
// CHECK-NOT: scf.for
// CHECK: %[[Y:.*]] = arith.addf
// CHECK: memref.store %[[Y]], %arg0[%[[I]], %[[J]]]
// CHECK: scf.reduce
func.func @nest(%m: memref<8x4xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %y = arith.addf %x, %x : f32
    scf.for %j = %c0 to %c4 step %c1 {
      memref.store %y, %m[%i, %j] : memref<8x4xf32>
    } {hdp.parallel}
  } {hdp.parallel}
  return
}

// A marked loop next to other work with effects, or with bounds that depend
// on the outer loop, stays a sequential scf.for inside the one-dimensional
// scf.parallel.
// CHECK-LABEL: func.func @not_alone
// CHECK: scf.parallel (%[[I:.*]]) = (%c0) to (%c8) step (%c1) {
// CHECK: memref.store %{{.*}}, %arg0[%[[I]], %c0]
// CHECK: scf.for %[[J:.*]] = %c0 to %c4 step %c1 {
// CHECK: memref.store %{{.*}}, %arg0[%[[I]], %[[J]]]
// CHECK: } {hdp.parallel}
// CHECK: scf.reduce
// CHECK-LABEL: func.func @dependent_bounds
// CHECK: scf.parallel (%[[I:.*]]) = (%c0) to (%c8) step (%c1) {
// CHECK: scf.for %{{.*}} = %c0 to %[[I]] step %c1 {
func.func @not_alone(%m: memref<8x4xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %x, %m[%i, %c0] : memref<8x4xf32>
    scf.for %j = %c0 to %c4 step %c1 {
      memref.store %x, %m[%i, %j] : memref<8x4xf32>
    } {hdp.parallel}
  } {hdp.parallel}
  return
}
func.func @dependent_bounds(%m: memref<8x4xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %i step %c1 {
      memref.store %x, %m[%i, %j] : memref<8x4xf32>
    } {hdp.parallel}
  } {hdp.parallel}
  return
}

// Unmarked loops and marked loops that carry values stay; a marked loop
// nested in an unmarked one is converted.
// CHECK-LABEL: func.func @left_alone
// CHECK: scf.for {{.*}} iter_args
// CHECK: } {hdp.parallel}
// CHECK: scf.for
// CHECK-NEXT: scf.parallel
func.func @left_alone(%m: memref<8x4xf32>, %x: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %s = scf.for %i = %c0 to %c8 step %c1 iter_args(%a = %x) -> f32 {
    %b = arith.addf %a, %x : f32
    scf.yield %b : f32
  } {hdp.parallel}
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      memref.store %x, %m[%i, %j] : memref<8x4xf32>
    } {hdp.parallel}
  }
  return %s : f32
}

// A loop whose iterations would share a buffer allocated before it (the
// scratch of one tile reused by every tile, as bufferization may arrange)
// stays sequential, and explain says which write is in the way.
// RUN: hdp-opt --hdp-parallelize-loops="explain=true" --mlir-print-op-on-diagnostic=false %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=EXPLAIN
// EXPLAIN: remark: loop stays sequential: 'memref.store' writes a buffer defined outside the loop at an address that does not depend on induction variable 0 of the nest
// EXPLAIN: note: written here
// EXPLAIN: remark: only 1 of 2 loop dimensions run in parallel: 'memref.store' writes a buffer defined outside the loop at an address that does not depend on induction variable 1 of the nest
// EXPLAIN: remark: loop stays sequential: 'func.call' has effects the pass cannot read
// EXPLAIN: remark: loop stays sequential: intrinsic 'llvm.x86.sse2.clflush' may access memory
// EXPLAIN: remark: loop stays sequential: 'llvm.store' writes a buffer defined outside the loop at an address that does not depend on induction variable 0 of the nest
// EXPLAIN-NOT: remark
// CHECK-LABEL: func.func @shared_scratch
// CHECK-NOT: scf.parallel
// CHECK: scf.for %[[H:.*]] = %c0 to %c2 step %c1 {
// CHECK: scf.for %[[J:.*]] = %c0 to %c4 step %c1 {
// CHECK: memref.store %{{.*}}, %[[S:.*]][%[[J]]]
// CHECK: } {hdp.parallel}
func.func @shared_scratch(%out: memref<2x4xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %scratch = memref.alloc() : memref<4xf32>
  scf.for %h = %c0 to %c2 step %c1 {
    %hf = arith.index_cast %h : index to i32
    %y = arith.sitofp %hf : i32 to f32
    scf.for %j = %c0 to %c4 step %c1 {
      memref.store %y, %scratch[%j] : memref<4xf32>
    }
    scf.for %j = %c0 to %c4 step %c1 {
      %v = memref.load %scratch[%j] : memref<4xf32>
      memref.store %v, %out[%h, %j] : memref<2x4xf32>
    }
  } {hdp.parallel}
  memref.dealloc %scratch : memref<4xf32>
  return
}

// The buffer a tile writes through a subview placed by the head, at indices
// from the row: the head dimension runs in parallel; rows of one head share
// the subview's columns, so the row dimension stays a sequential loop.
// CHECK-LABEL: func.func @head_private
// CHECK: scf.parallel (%[[H:.*]]) = (%c0) to (%c2) step (%c1) {
// CHECK: memref.subview %arg0[%[[H]], 0] [1, 4]
// CHECK: scf.for %[[R:.*]] = %c0 to %c4 step %c1 {
// CHECK: } {hdp.parallel}
func.func @head_private(%out: memref<2x4xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  scf.for %h = %c0 to %c2 step %c1 {
    scf.for %r = %c0 to %c4 step %c1 {
      %head = memref.subview %out[%h, 0] [1, 4] [1, 1] : memref<2x4xf32> to memref<4xf32, strided<[1], offset: ?>>
      scf.for %j = %c0 to %c4 step %c1 {
        memref.store %x, %head[%j] : memref<4xf32, strided<[1], offset: ?>>
      }
    } {hdp.parallel}
  } {hdp.parallel}
  return
}

// Scratch allocated in the body is the iteration's own; an inner loop's
// bounds carry the dependence on the induction variable.
// CHECK-LABEL: func.func @own_scratch
// CHECK: scf.parallel (%[[I:.*]]) = (%c0) to (%c4) step (%c1) {
// CHECK: memref.alloc() : memref<2xf32>
func.func @own_scratch(%out: memref<8xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %s = memref.alloc() : memref<2xf32>
    memref.store %x, %s[%c0] : memref<2xf32>
    %lo = arith.muli %i, %c2 : index
    %hi = arith.addi %lo, %c2 : index
    scf.for %k = %lo to %hi step %c1 {
      %v = memref.load %s[%c0] : memref<2xf32>
      memref.store %v, %out[%k] : memref<8xf32>
    }
    memref.dealloc %s : memref<2xf32>
  } {hdp.parallel}
  return
}

// A call may write anything: the loop stays sequential.
// CHECK-LABEL: func.func @opaque_call
// CHECK-NOT: scf.parallel
// CHECK: scf.for
// CHECK: func.call @sink
func.func private @sink(memref<8xf32>)
func.func @opaque_call(%out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    func.call @sink(%out) : (memref<8xf32>) -> ()
  } {hdp.parallel}
  return
}

// An intrinsic that LLVM's table says touches no memory (the VNNI dot
// product) is like any pure op; one that may (a cache flush) keeps the loop
// sequential.
// CHECK-LABEL: func.func @pure_intrinsic
// CHECK: scf.parallel
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
func.func @pure_intrinsic(%out: memref<8xvector<16xi32>>, %a: vector<16xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %d = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%a, %a, %a) : (vector<16xi32>, vector<16xi32>, vector<16xi32>) -> vector<16xi32>
    memref.store %d, %out[%i] : memref<8xvector<16xi32>>
  } {hdp.parallel}
  return
}
// CHECK-LABEL: func.func @memory_intrinsic
// CHECK-NOT: scf.parallel
// CHECK: llvm.call_intrinsic "llvm.x86.sse2.clflush"
func.func @memory_intrinsic(%p: !llvm.ptr) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    llvm.call_intrinsic "llvm.x86.sse2.clflush"(%p) : (!llvm.ptr) -> ()
  } {hdp.parallel}
  return
}

// Stores through raw pointers into a buffer from outside (the byte stores
// of the block masks) are checked like memref stores: the pointer must be
// computed from the induction variable.
// CHECK-LABEL: func.func @pointer_store_by_row
// CHECK: scf.parallel
// CHECK: llvm.store
// CHECK-LABEL: func.func @pointer_store_shared
// CHECK-NOT: scf.parallel
// CHECK: llvm.store
func.func @pointer_store_by_row(%m: memref<8xi8>, %x: i8) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %base = memref.extract_aligned_pointer_as_index %m : memref<8xi8> -> index
  scf.for %i = %c0 to %c8 step %c1 {
    %a = arith.addi %base, %i : index
    %ai = arith.index_cast %a : index to i64
    %p = llvm.inttoptr %ai : i64 to !llvm.ptr
    llvm.store %x, %p : i8, !llvm.ptr
  } {hdp.parallel}
  return
}
func.func @pointer_store_shared(%m: memref<8xi8>, %x: i8) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %base = memref.extract_aligned_pointer_as_index %m : memref<8xi8> -> index
    %ai = arith.index_cast %base : index to i64
    %p = llvm.inttoptr %ai : i64 to !llvm.ptr
    llvm.store %x, %p : i8, !llvm.ptr
  } {hdp.parallel}
  return
}
// CHECK-LABEL: func.func @pointer_store_own
// CHECK: scf.parallel
func.func @pointer_store_own(%x: i8) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %s = memref.alloc() : memref<4xi8>
    %base = memref.extract_aligned_pointer_as_index %s : memref<4xi8> -> index
    %ai = arith.index_cast %base : index to i64
    %p = llvm.inttoptr %ai : i64 to !llvm.ptr
    llvm.store %x, %p : i8, !llvm.ptr
    memref.dealloc %s : memref<4xi8>
  } {hdp.parallel}
  return
}
