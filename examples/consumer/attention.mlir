// The out-of-tree consumer (examples/consumer, built against an installed
// hdp) raises this frontend attention and compiles it to the LLVM dialect;
// run and checked by test/install/install-consumer.sh:
//   consumer-opt --hdp-raise-attention="config='#hdp.config<rho = 0.3>'" \
//     --hdp-cpu-pipeline attention.mlir | FileCheck attention.mlir
//
// The upstream form: rank-4 contractions as linalg.generic, linalg.softmax.
// After the pipeline nothing of linalg, tensor or hdp is left, the function
// has its C interface wrapper, and the pruning threshold of rho = 0.3 is
// there as its Q16 integer round(0.3 * 65536) = 19661.
// CHECK-NOT: {{linalg\.|tensor\.|hdp\.}}
// CHECK: llvm.func @attention(
// CHECK: llvm.mlir.constant(19661 : i{{[0-9]+}})
// CHECK: llvm.func @_mlir_ciface_attention(
// CHECK-NOT: {{linalg\.|tensor\.|hdp\.}}
#qk = affine_map<(b, h, n, m, d) -> (b, h, n, d)>
#kk = affine_map<(b, h, n, m, d) -> (b, h, m, d)>
#sk = affine_map<(b, h, n, m, d) -> (b, h, n, m)>
#pv_p = affine_map<(b, h, n, e, m) -> (b, h, n, m)>
#pv_v = affine_map<(b, h, n, e, m) -> (b, h, m, e)>
#pv_o = affine_map<(b, h, n, e, m) -> (b, h, n, e)>
func.func @attention(%q: tensor<2x3x8x4xf32>, %k: tensor<2x3x6x4xf32>, %v: tensor<2x3x6x5xf32>) -> tensor<2x3x8x5xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<2x3x8x6xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<2x3x8x6xf32>) -> tensor<2x3x8x6xf32>
  %s = linalg.generic {indexing_maps = [#qk, #kk, #sk], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<2x3x8x4xf32>, tensor<2x3x6x4xf32>) outs(%f0 : tensor<2x3x8x6xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %mul = arith.mulf %a, %b : f32
    %add = arith.addf %c, %mul : f32
    linalg.yield %add : f32
  } -> tensor<2x3x8x6xf32>
  %e1 = tensor.empty() : tensor<2x3x8x6xf32>
  %p = linalg.softmax dimension(3) ins(%s : tensor<2x3x8x6xf32>) outs(%e1 : tensor<2x3x8x6xf32>) -> tensor<2x3x8x6xf32>
  %e2 = tensor.empty() : tensor<2x3x8x5xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x3x8x5xf32>) -> tensor<2x3x8x5xf32>
  %o = linalg.generic {indexing_maps = [#pv_p, #pv_v, #pv_o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<2x3x8x6xf32>, tensor<2x3x6x5xf32>) outs(%f2 : tensor<2x3x8x5xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %mul = arith.mulf %a, %b : f32
    %add = arith.addf %c, %mul : f32
    linalg.yield %add : f32
  } -> tensor<2x3x8x5xf32>
  return %o : tensor<2x3x8x5xf32>
}
