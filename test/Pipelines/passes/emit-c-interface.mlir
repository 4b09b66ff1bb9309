// RUN: hdp-opt --hdp-emit-c-interface %s | FileCheck %s

// Public definitions get llvm.emit_c_interface; private functions and
// declarations do not.
// CHECK-LABEL: func.func @public_def
// CHECK-SAME: attributes {llvm.emit_c_interface}
func.func @public_def(%x: f32) -> f32 {
  return %x : f32
}
// CHECK-LABEL: func.func private @private_def
// CHECK-NOT: llvm.emit_c_interface
func.func private @private_def(%x: f32) -> f32 {
  return %x : f32
}
// CHECK-LABEL: func.func private @declaration
// CHECK-NOT: llvm.emit_c_interface
func.func private @declaration(f32) -> f32
