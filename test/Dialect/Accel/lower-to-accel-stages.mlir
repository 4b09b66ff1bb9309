// RUN: hdp-opt %s -split-input-file -verify-diagnostics \
// RUN:   --hdp-lower-to-accel=accel-config=%hdp_src/configs/hdp-edge.json \
// RUN:   | FileCheck %s

// hdp-lower-to-accel on the stage ops hdp-decompose emits (tensors, untiled;
// test/tools/hdp-translate/tiled-stages.test runs the tiled, bufferized form
// through the simulator). The chain becomes one launch; the block mask is
// used after the chain, so the launch returns it too.

// CHECK-LABEL: func.func @stages
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x8x4xf32>, %[[K:.*]]: tensor<1x2x8x4xf32>, %[[V:.*]]: tensor<1x2x8x4xf32>)
// CHECK-NEXT: %[[R:.*]]:2 = hdp_accel.launch @stages_attn0(%[[Q]], %[[K]], %[[V]])
// CHECK-SAME: -> (tensor<1x2x8x4xf32>, tensor<1x2x4x4xi1>)
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1
// CHECK: hdp_accel.program @stages_attn0 {{.*}} attention <{{.*}}rho_q16 = 19661, tau_h_q16 = 58982{{.*}}> shape <b = 1, h = 2, n = 8, m = 8, d = 4, dv = 4, mask = false>
// CHECK: hdp_accel.dma_load q_int core 0 batch 0 head 0 rows 0+8
#cfg = #hdp.config<rho = 0.3, tau_h = 0.9>
func.func @stages(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>,
                  %v: tensor<1x2x8x4xf32>)
    -> (tensor<1x2x8x4xf32>, tensor<1x2x4x4xi1>) {
  %e0 = tensor.empty() : tensor<1x2x8x4xi8>
  %e1 = tensor.empty() : tensor<1x2x8x4xi8>
  %qp:2 = hdp.split_quantize config #cfg ins(%q : tensor<1x2x8x4xf32>) outs(%e0, %e1 : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>) -> tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>
  %kp:2 = hdp.split_quantize config #cfg ins(%k : tensor<1x2x8x4xf32>) outs(%e0, %e1 : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>) -> tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>
  %es = tensor.empty() : tensor<1x2x8x8xi32>
  %et = tensor.empty() : tensor<1x2x4x4xi64>
  %st:2 = hdp.block_score config #cfg ins(%qp#0, %kp#0 : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>) outs(%es, %et : tensor<1x2x8x8xi32>, tensor<1x2x4x4xi64>) -> tensor<1x2x8x8xi32>, tensor<1x2x4x4xi64>
  %eb = tensor.empty() : tensor<1x2x4x4xi1>
  %bm = hdp.prune_mask config #cfg ins(%st#1 : tensor<1x2x4x4xi64>) outs(%eb : tensor<1x2x4x4xi1>) -> tensor<1x2x4x4xi1>
  %eh = tensor.empty() : tensor<1x2xi1>
  %eth = tensor.empty() : tensor<1x2xi64>
  %hm:2 = hdp.head_mask config #cfg ins(%st#1 : tensor<1x2x4x4xi64>) outs(%eh, %eth : tensor<1x2xi1>, tensor<1x2xi64>) -> tensor<1x2xi1>, tensor<1x2xi64>
  %ef = tensor.empty() : tensor<1x2x8x8xf32>
  %sc = hdp.approx_combine config #cfg ins(%qp#0, %qp#1, %kp#0, %kp#1, %st#0, %bm, %hm#0 : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>, tensor<1x2x8x8xi32>, tensor<1x2x4x4xi1>, tensor<1x2xi1>) outs(%ef : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %p = hdp.masked_softmax config #cfg ins(%sc : tensor<1x2x8x8xf32>) outs(%ef : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %eo = tensor.empty() : tensor<1x2x8x4xf32>
  %o = hdp.sparse_pv config #cfg ins(%p, %v, %bm, %hm#0 : tensor<1x2x8x8xf32>, tensor<1x2x8x4xf32>, tensor<1x2x4x4xi1>, tensor<1x2xi1>) outs(%eo : tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32>
  return %o, %bm : tensor<1x2x8x4xf32>, tensor<1x2x4x4xi1>
}

// -----

// S_int lives on the accelerator only: a chain whose S_int is also
// returned is refused.
#cfg = #hdp.config<rho = 0.3>
func.func @escaping_scores(%q: tensor<1x1x4x4xf32>, %k: tensor<1x1x4x4xf32>,
                           %v: tensor<1x1x4x4xf32>)
    -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xi32>) {
  %e0 = tensor.empty() : tensor<1x1x4x4xi8>
  %qp:2 = hdp.split_quantize config #cfg ins(%q : tensor<1x1x4x4xf32>) outs(%e0, %e0 : tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>) -> tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>
  %kp:2 = hdp.split_quantize config #cfg ins(%k : tensor<1x1x4x4xf32>) outs(%e0, %e0 : tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>) -> tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>
  %es = tensor.empty() : tensor<1x1x4x4xi32>
  %et = tensor.empty() : tensor<1x1x2x2xi64>
  // expected-error @+1 {{cannot be lowered to the accelerator: an intermediate value (the split parts of Q or K, S_int or θ) is used outside the attention}}
  %st:2 = hdp.block_score config #cfg ins(%qp#0, %kp#0 : tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>) outs(%es, %et : tensor<1x1x4x4xi32>, tensor<1x1x2x2xi64>) -> tensor<1x1x4x4xi32>, tensor<1x1x2x2xi64>
  %eb = tensor.empty() : tensor<1x1x2x2xi1>
  %bm = hdp.prune_mask config #cfg ins(%st#1 : tensor<1x1x2x2xi64>) outs(%eb : tensor<1x1x2x2xi1>) -> tensor<1x1x2x2xi1>
  %eh = tensor.empty() : tensor<1x1xi1>
  %eth = tensor.empty() : tensor<1x1xi64>
  %hm:2 = hdp.head_mask config #cfg ins(%st#1 : tensor<1x1x2x2xi64>) outs(%eh, %eth : tensor<1x1xi1>, tensor<1x1xi64>) -> tensor<1x1xi1>, tensor<1x1xi64>
  %ef = tensor.empty() : tensor<1x1x4x4xf32>
  %sc = hdp.approx_combine config #cfg ins(%qp#0, %qp#1, %kp#0, %kp#1, %st#0, %bm, %hm#0 : tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>, tensor<1x1x4x4xi32>, tensor<1x1x2x2xi1>, tensor<1x1xi1>) outs(%ef : tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %p = hdp.masked_softmax config #cfg ins(%sc : tensor<1x1x4x4xf32>) outs(%ef : tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %o = hdp.sparse_pv config #cfg ins(%p, %v, %bm, %hm#0 : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x2x2xi1>, tensor<1x1xi1>) outs(%ef : tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return %o, %st#0 : tensor<1x1x4x4xf32>, tensor<1x1x4x4xi32>
}

// -----

// Stage ops of one attention must agree on the configuration.
#a = #hdp.config<rho = 0.3>
#b = #hdp.config<rho = 0.5>
func.func @disagree(%q: tensor<1x1x4x4xf32>, %k: tensor<1x1x4x4xf32>,
                    %v: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %e0 = tensor.empty() : tensor<1x1x4x4xi8>
  %qp:2 = hdp.split_quantize config #a ins(%q : tensor<1x1x4x4xf32>) outs(%e0, %e0 : tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>) -> tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>
  %kp:2 = hdp.split_quantize config #a ins(%k : tensor<1x1x4x4xf32>) outs(%e0, %e0 : tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>) -> tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>
  %es = tensor.empty() : tensor<1x1x4x4xi32>
  %et = tensor.empty() : tensor<1x1x2x2xi64>
  // expected-error @+1 {{cannot be lowered to the accelerator: its stage ops disagree on the configuration}}
  %st:2 = hdp.block_score config #a ins(%qp#0, %kp#0 : tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>) outs(%es, %et : tensor<1x1x4x4xi32>, tensor<1x1x2x2xi64>) -> tensor<1x1x4x4xi32>, tensor<1x1x2x2xi64>
  %eb = tensor.empty() : tensor<1x1x2x2xi1>
  %bm = hdp.prune_mask config #b ins(%st#1 : tensor<1x1x2x2xi64>) outs(%eb : tensor<1x1x2x2xi1>) -> tensor<1x1x2x2xi1>
  %eh = tensor.empty() : tensor<1x1xi1>
  %eth = tensor.empty() : tensor<1x1xi64>
  %hm:2 = hdp.head_mask config #a ins(%st#1 : tensor<1x1x2x2xi64>) outs(%eh, %eth : tensor<1x1xi1>, tensor<1x1xi64>) -> tensor<1x1xi1>, tensor<1x1xi64>
  %ef = tensor.empty() : tensor<1x1x4x4xf32>
  %sc = hdp.approx_combine config #a ins(%qp#0, %qp#1, %kp#0, %kp#1, %st#0, %bm, %hm#0 : tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>, tensor<1x1x4x4xi32>, tensor<1x1x2x2xi1>, tensor<1x1xi1>) outs(%ef : tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %p = hdp.masked_softmax config #a ins(%sc : tensor<1x1x4x4xf32>) outs(%ef : tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %o = hdp.sparse_pv config #a ins(%p, %v, %bm, %hm#0 : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x2x2xi1>, tensor<1x1xi1>) outs(%ef : tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return %o : tensor<1x1x4x4xf32>
}
