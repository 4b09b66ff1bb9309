// RUN: hdp-opt %s | FileCheck %s
// RUN: hdp-opt %s | hdp-opt | FileCheck %s
// RUN: hdp-opt %s --mlir-print-op-generic | hdp-opt | FileCheck %s

// Every command op, every optional slot and flag, in a stream the .hdpc
// checks accept: B=1, H=2, N=M=4 on two cores, with a mask.

// CHECK-LABEL: hdp_accel.program @all
// CHECK-SAME: target <name = "tiny-2core", hash = 1311768467463790320, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
// CHECK-SAME: attention <int_bits = 4, frac_bits = 4, shift = -2, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "poly", rho_q16 = 19661, tau_h_q16 = 58982, scale_bits = 1056964608>
// CHECK-SAME: shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = true>
// CHECK-NEXT: hdp_accel.dma_load q_int core 0 batch 0 head 0 rows 0+4 cols 0+0 slot 0{{$}}
// CHECK-NEXT: hdp_accel.dma_load k_int core 0 batch 0 head 0 rows 0+0 cols 0+4 slot 1{{$}}
// CHECK-NEXT: hdp_accel.dma_load mask core 0 batch 0 head 0 rows 0+4 cols 0+4 slot 0{{$}}
// CHECK-NEXT: hdp_accel.pe_int core 0 batch 0 head 0 rows 0+4 cols 0+4 q 0 k 1 score 0{{$}}
// CHECK-NEXT: hdp_accel.se_acc core 0 batch 0 head 0 rows 0+4 cols 0+4 score 0 theta 0 mask 0 first{{$}}
// CHECK-NEXT: hdp_accel.se_end_r core 0 batch 0 head 0 rows 0+4 theta 0 blockmask 0{{$}}
// CHECK-NEXT: hdp_accel.dma_store block_mask core 0 batch 0 head 0 rows 0+4 cols 0+0 slot 0{{$}}
// CHECK-NEXT: hdp_accel.barrier core 0 id 7{{$}}
// CHECK-NEXT: hdp_accel.barrier core 1 id 7{{$}}
// CHECK-NEXT: hdp_accel.se_end_h core 0 batch 0{{$}}
// CHECK-NEXT: hdp_accel.dma_store head_table core 0 batch 0 head 0 rows 0+0 cols 0+0{{$}}
// CHECK-NEXT: hdp_accel.dma_load q_frac core 1 batch 0 head 1 rows 2+2 cols 0+0 slot 1 head_pred{{$}}
// CHECK-NEXT: hdp_accel.dma_load k_frac core 1 batch 0 head 1 rows 2+2 cols 0+4 slot 0 fum 1 head_pred{{$}}
// CHECK-NEXT: hdp_accel.pe_frac core 1 batch 0 head 1 rows 2+2 cols 0+4 q 1 k 0 score 1 blockmask 1 mask 0 head_pred{{$}}
// CHECK-NEXT: hdp_accel.pe_frac core 1 batch 0 head 1 rows 2+2 cols 0+4 q 1 k 0 score 1 blockmask 1{{$}}
// CHECK-NEXT: hdp_accel.softmax core 1 batch 0 head 1 rows 2+2 score 1 head_pred{{$}}
// CHECK-NEXT: hdp_accel.dma_load v core 1 batch 0 head 1 rows 2+2 cols 1+3 slot 0 fum 1 head_pred{{$}}
// CHECK-NEXT: hdp_accel.pe_pv core 1 batch 0 head 1 rows 2+2 cols 1+3 score 1 v 0 out 0 blockmask 1 first head_pred{{$}}
// CHECK-NEXT: hdp_accel.pe_pv core 1 batch 0 head 1 rows 2+2 cols 1+3 score 1 v 0 out 0 blockmask 1{{$}}
// CHECK-NEXT: hdp_accel.dma_store out core 1 batch 0 head 1 rows 2+2 cols 0+0 slot 0 head_pred{{$}}
// CHECK-NEXT: }
hdp_accel.program @all
    target <name = "tiny-2core", hash = 1311768467463790320, cores = 2,
            pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8,
            q_buffer = 256, k_buffer = 256, v_buffer = 256,
            mask_buffer = 256, score_buffer = 256, theta_buffer = 64,
            blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = -2, block_rows = 2,
               block_cols = 2, policy = "hdp", topk = 1, approx = true,
               softmax = "poly", rho_q16 = 19661, tau_h_q16 = 58982,
               scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = true> {
  hdp_accel.dma_load q_int core 0 batch 0 head 0 rows 0+4 cols 0+0 slot 0
  hdp_accel.dma_load k_int core 0 batch 0 head 0 rows 0+0 cols 0+4 slot 1
  hdp_accel.dma_load mask core 0 batch 0 head 0 rows 0+4 cols 0+4 slot 0
  hdp_accel.pe_int core 0 batch 0 head 0 rows 0+4 cols 0+4 q 0 k 1 score 0
  hdp_accel.se_acc core 0 batch 0 head 0 rows 0+4 cols 0+4 score 0 theta 0
      mask 0 first
  hdp_accel.se_end_r core 0 batch 0 head 0 rows 0+4 theta 0 blockmask 0
  hdp_accel.dma_store block_mask core 0 batch 0 head 0 rows 0+4 cols 0+0
      slot 0
  hdp_accel.barrier core 0 id 7
  hdp_accel.barrier core 1 id 7
  hdp_accel.se_end_h core 0 batch 0
  hdp_accel.dma_store head_table core 0 batch 0 head 0 rows 0+0 cols 0+0
  hdp_accel.dma_load q_frac core 1 batch 0 head 1 rows 2+2 cols 0+0 slot 1
      head_pred
  hdp_accel.dma_load k_frac core 1 batch 0 head 1 rows 2+2 cols 0+4 slot 0
      fum 1 head_pred
  hdp_accel.pe_frac core 1 batch 0 head 1 rows 2+2 cols 0+4 q 1 k 0 score 1
      blockmask 1 mask 0 head_pred
  hdp_accel.pe_frac core 1 batch 0 head 1 rows 2+2 cols 0+4 q 1 k 0 score 1
      blockmask 1
  hdp_accel.softmax core 1 batch 0 head 1 rows 2+2 score 1 head_pred
  hdp_accel.dma_load v core 1 batch 0 head 1 rows 2+2 cols 1+3 slot 0 fum 1
      head_pred
  hdp_accel.pe_pv core 1 batch 0 head 1 rows 2+2 cols 1+3 score 1 v 0 out 0
      blockmask 1 first head_pred
  hdp_accel.pe_pv core 1 batch 0 head 1 rows 2+2 cols 1+3 score 1 v 0 out 0
      blockmask 1
  hdp_accel.dma_store out core 1 batch 0 head 1 rows 2+2 cols 0+0 slot 0
      head_pred
}

// Host code launches a program with the tensors of the attention.
// CHECK-LABEL: func.func @host
// CHECK: %[[R:.*]] = hdp_accel.launch @all(%arg0, %arg1, %arg2, %arg3) : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x2x4x4xf32>
// CHECK: return %[[R]]
func.func @host(%q: tensor<1x2x4x4xf32>, %k: tensor<1x2x4x4xf32>,
                %v: tensor<1x2x4x4xf32>, %m: tensor<1x1x1x4xf32>)
    -> tensor<1x2x4x4xf32> {
  %0 = hdp_accel.launch @all(%q, %k, %v, %m)
      : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>,
         tensor<1x1x1x4xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}
