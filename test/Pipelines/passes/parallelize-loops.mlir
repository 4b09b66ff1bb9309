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
