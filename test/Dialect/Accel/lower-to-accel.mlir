// RUN: hdp-opt %s -split-input-file -verify-diagnostics \
// RUN:   --hdp-lower-to-accel=accel-config=%hdp_src/configs/hdp-edge.json \
// RUN:   | FileCheck %s

// One attention on HDP-Edge (4 cores): the program goes after the function,
// the attention becomes a launch of it.

// CHECK-LABEL: func.func @attn
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x8x4xf32>, %[[K:.*]]: tensor<1x4x8x4xf32>, %[[V:.*]]: tensor<1x4x8x4xf32>)
// CHECK-NEXT: %[[R:.*]] = hdp_accel.launch @attn_attn0(%[[Q]], %[[K]], %[[V]])
// CHECK-SAME: -> tensor<1x4x8x4xf32>
// CHECK-NEXT: return %[[R]]
// CHECK: hdp_accel.program @attn_attn0
// CHECK-SAME: target <name = "hdp-edge", hash = {{[0-9]+}}, cores = 4, pe_arrays = 2, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 16384, k_buffer = 32768, v_buffer = 65536, mask_buffer = 131072, score_buffer = 131072, theta_buffer = 65536, blockmask_buffer = 16384, out_buffer = 32768>
// CHECK-SAME: attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 19661, tau_h_q16 = 58982, scale_bits = 1056964608>
// CHECK-SAME: shape <b = 1, h = 4, n = 8, m = 8, d = 4, dv = 4, mask = false>
// Phase A on the first unit: Int(K), Int(Q), S_int, θ, END_R, block mask.
// CHECK-NEXT: hdp_accel.dma_load k_int core 0 batch 0 head 0 rows 0+0 cols 0+8 slot 0
// CHECK-NEXT: hdp_accel.dma_load q_int core 0 batch 0 head 0 rows 0+8 cols 0+0 slot 0
// CHECK-NEXT: hdp_accel.pe_int core 0 batch 0 head 0 rows 0+8 cols 0+8 q 0 k 0 score 0
// CHECK-NEXT: hdp_accel.se_acc core 0 batch 0 head 0 rows 0+8 cols 0+8 score 0 theta 0 first
// CHECK-NEXT: hdp_accel.se_end_r core 0 batch 0 head 0 rows 0+8 theta 0 blockmask 0
// CHECK-NEXT: hdp_accel.dma_store block_mask core 0 batch 0 head 0 rows 0+8 cols 0+0 slot 0
// Work is spread over the four cores: one head each.
// CHECK: hdp_accel.pe_int core 1 batch 0 head 1
// CHECK: hdp_accel.pe_int core 2 batch 0 head 2
// CHECK: hdp_accel.pe_int core 3 batch 0 head 3
// Every core meets at the barrier before END_H.
// CHECK-NEXT: hdp_accel.se_acc core 3
// CHECK-NEXT: hdp_accel.se_end_r core 3
// CHECK-NEXT: hdp_accel.dma_store block_mask core 3
// CHECK-NEXT: hdp_accel.barrier core 0 id 0
// CHECK-NEXT: hdp_accel.barrier core 1 id 0
// CHECK-NEXT: hdp_accel.barrier core 2 id 0
// CHECK-NEXT: hdp_accel.barrier core 3 id 0
// CHECK: hdp_accel.se_end_h core 0 batch 0
// CHECK: hdp_accel.dma_store head_table core 0 batch 0
// Phase B is predicated on the head decision and fetches upon mask.
// CHECK: hdp_accel.dma_load k_int core {{[0-3]}} batch 0 head {{[0-3]}} rows {{[0-9]+\+[0-9]+}} cols {{[0-9]+\+[0-9]+}} slot {{[01]}} fum {{[01]}} head_pred
// CHECK: hdp_accel.pe_frac {{.*}} head_pred
// CHECK: hdp_accel.softmax {{.*}} head_pred
// CHECK: hdp_accel.pe_pv {{.*}} first head_pred
// CHECK: hdp_accel.dma_store out {{.*}} head_pred
// CHECK: }
func.func @attn(%q: tensor<1x4x8x4xf32>, %k: tensor<1x4x8x4xf32>,
                %v: tensor<1x4x8x4xf32>) -> tensor<1x4x8x4xf32> {
  %0 = hdp.attention config #hdp.config<rho = 0.3, tau_h = 0.9> %q, %k, %v
      : tensor<1x4x8x4xf32>, tensor<1x4x8x4xf32>, tensor<1x4x8x4xf32>
      -> tensor<1x4x8x4xf32>
  return %0 : tensor<1x4x8x4xf32>
}

// -----

// Two attentions with a mask and every result: two programs, named apart.

// CHECK-LABEL: func.func @two
// CHECK: %[[A:.*]]:4 = hdp_accel.launch @two_attn0(%arg0, %arg1, %arg2, %arg3)
// CHECK-SAME: -> (tensor<2x1x6x8xf32>, tensor<2x1x3x4xi1>, tensor<2x1xi1>, tensor<2x1xi64>)
// CHECK: hdp_accel.launch @two_attn1(%[[A]]#0, %arg1, %arg2)
// CHECK: hdp_accel.program @two_attn0 {{.*}} shape <b = 2, h = 1, n = 6, m = 8, d = 8, dv = 8, mask = true>
// CHECK: hdp_accel.se_acc {{.*}} mask {{[01]}} first
// CHECK: hdp_accel.program @two_attn1 {{.*}} attention <{{.*}} policy = "dense"{{.*}}> shape <b = 2, h = 1, n = 6, m = 8, d = 8, dv = 8, mask = false>
func.func @two(%q: tensor<2x1x6x8xf32>, %k: tensor<2x1x8x8xf32>,
               %v: tensor<2x1x8x8xf32>, %m: tensor<2x1x1x8xf32>)
    -> (tensor<2x1x6x8xf32>, tensor<2x1x3x4xi1>) {
  %0:4 = hdp.attention %q, %k, %v mask %m
      : tensor<2x1x6x8xf32>, tensor<2x1x8x8xf32>, tensor<2x1x8x8xf32>,
        tensor<2x1x1x8xf32>
      -> tensor<2x1x6x8xf32>, tensor<2x1x3x4xi1>, tensor<2x1xi1>,
         tensor<2x1xi64>
  %1 = hdp.attention config #hdp.config<policy = dense> %0#0, %k, %v
      : tensor<2x1x6x8xf32>, tensor<2x1x8x8xf32>, tensor<2x1x8x8xf32>
      -> tensor<2x1x6x8xf32>
  return %1, %0#1 : tensor<2x1x6x8xf32>, tensor<2x1x3x4xi1>
}

// -----

// A command stream needs static shapes.
func.func @dynamic(%q: tensor<1x4x?x4xf32>, %k: tensor<1x4x8x4xf32>,
                   %v: tensor<1x4x8x4xf32>) -> tensor<1x4x?x4xf32> {
  // expected-error @+1 {{cannot be lowered to the accelerator: the query has a dynamic shape 'tensor<1x4x?x4xf32>'; a command stream needs static shapes}}
  %0 = hdp.attention %q, %k, %v
      : tensor<1x4x?x4xf32>, tensor<1x4x8x4xf32>, tensor<1x4x8x4xf32>
      -> tensor<1x4x?x4xf32>
  return %0 : tensor<1x4x?x4xf32>
}

// -----

// policy = dense compiles to the dense engine (no pre-pass, no block mask)
// unless the masks are asked for, which only the HDP engine computes.

// CHECK-LABEL: hdp_accel.program @dense_out_attn0
// CHECK-NOT: se_acc
// CHECK: hdp_accel.pe_frac {{.*}} score {{[01]}} dense
// CHECK-NOT: se_acc
// CHECK: hdp_accel.pe_pv {{.*}} first dense
// CHECK-NOT: se_acc
// CHECK: }
func.func @dense_out(%q: tensor<1x4x8x4xf32>, %k: tensor<1x4x8x4xf32>,
                     %v: tensor<1x4x8x4xf32>) -> tensor<1x4x8x4xf32> {
  %0 = hdp.attention config #hdp.config<policy = dense> %q, %k, %v
      : tensor<1x4x8x4xf32>, tensor<1x4x8x4xf32>, tensor<1x4x8x4xf32>
      -> tensor<1x4x8x4xf32>
  return %0 : tensor<1x4x8x4xf32>
}

// -----

// Masks asked for: the HDP engine. Without head pruning its phases run
// strip by strip, pe_frac adding the fraction passes to the strip's S_int,
// and nothing waits for the head decision, which comes last.
// CHECK-LABEL: hdp_accel.program @dense_masks_attn0
// CHECK: hdp_accel.se_acc
// CHECK: hdp_accel.dma_load k_frac {{.*}} fum {{[01]}} topup
// CHECK: hdp_accel.pe_frac {{.*}} blockmask {{[01]}} from_int
// CHECK-NOT: head_pred
// CHECK: hdp_accel.barrier core 0 id 0
// CHECK: hdp_accel.dma_store head_table
func.func @dense_masks(%q: tensor<1x4x8x4xf32>, %k: tensor<1x4x8x4xf32>,
                       %v: tensor<1x4x8x4xf32>)
    -> (tensor<1x4x8x4xf32>, tensor<1x4x4x4xi1>) {
  %0:2 = hdp.attention config #hdp.config<policy = dense> %q, %k, %v
      : tensor<1x4x8x4xf32>, tensor<1x4x8x4xf32>, tensor<1x4x8x4xf32>
      -> tensor<1x4x8x4xf32>, tensor<1x4x4x4xi1>
  return %0#0, %0#1 : tensor<1x4x8x4xf32>, tensor<1x4x4x4xi1>
}
