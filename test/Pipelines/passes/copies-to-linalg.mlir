// RUN: hdp-opt --hdp-copies-to-linalg %s | FileCheck %s

// memref.copy (strided here: the LLVM lowering would call memrefCopy)
// becomes linalg.copy; other ops stay.
// CHECK-LABEL: func.func @copy
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%arg0 : memref<4x4xf32, strided<[8, 1]>>) outs(%arg1 : memref<4x4xf32>)
// CHECK: memref.load
func.func @copy(%a: memref<4x4xf32, strided<[8, 1]>>, %b: memref<4x4xf32>) -> f32 {
  memref.copy %a, %b : memref<4x4xf32, strided<[8, 1]>> to memref<4x4xf32>
  %c0 = arith.constant 0 : index
  %x = memref.load %b[%c0, %c0] : memref<4x4xf32>
  return %x : f32
}
