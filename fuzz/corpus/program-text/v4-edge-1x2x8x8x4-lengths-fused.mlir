module {
  hdp_accel.program @program target <name = "hdp-edge", hash = 9826142363789240183, cores = 4, pe_arrays = 2, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 16384, k_buffer = 32768, v_buffer = 65536, mask_buffer = 131072, score_buffer = 131072, theta_buffer = 65536, blockmask_buffer = 16384, out_buffer = 32768> attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 13107, tau_h_q16 = 0, scale_bits = 1056964608> shape <b = 1, h = 2, n = 8, m = 8, d = 4, dv = 4, mask = true, mask_form = "lengths"> {
    hdp_accel.dma_load k_int core 0 batch 0 head 0 rows 0+0 cols 0+8 slot 0
    hdp_accel.dma_load q_int core 0 batch 0 head 0 rows 0+4 cols 0+0 slot 0
    hdp_accel.dma_load mask core 0 batch 0 head 0 rows 0+4 cols 0+8 slot 0
    hdp_accel.pe_int core 0 batch 0 head 0 rows 0+4 cols 0+2 q 0 k 0 score 0
    hdp_accel.se_acc core 0 batch 0 head 0 rows 0+4 cols 0+2 score 0 theta 0 mask 0 first
    hdp_accel.pe_int core 0 batch 0 head 0 rows 0+4 cols 2+2 q 0 k 0 score 0
    hdp_accel.se_acc core 0 batch 0 head 0 rows 0+4 cols 2+2 score 0 theta 0 mask 0
    hdp_accel.pe_int core 0 batch 0 head 0 rows 0+4 cols 4+2 q 0 k 0 score 0
    hdp_accel.se_acc core 0 batch 0 head 0 rows 0+4 cols 4+2 score 0 theta 0 mask 0
    hdp_accel.pe_int core 0 batch 0 head 0 rows 0+4 cols 6+2 q 0 k 0 score 0
    hdp_accel.se_acc core 0 batch 0 head 0 rows 0+4 cols 6+2 score 0 theta 0 mask 0
    hdp_accel.se_end_r core 0 batch 0 head 0 rows 0+4 theta 0 blockmask 0
    hdp_accel.dma_store block_mask core 0 batch 0 head 0 rows 0+4 cols 0+0 slot 0
    hdp_accel.dma_load q_frac core 0 batch 0 head 0 rows 0+4 cols 0+0 slot 0
    hdp_accel.dma_load k_frac core 0 batch 0 head 0 rows 0+4 cols 0+8 slot 0 fum 0 topup
    hdp_accel.pe_frac core 0 batch 0 head 0 rows 0+4 cols 0+8 q 0 k 0 score 0 blockmask 0 mask 0 from_int
    hdp_accel.softmax core 0 batch 0 head 0 rows 0+4 score 0
    hdp_accel.dma_load q_int core 0 batch 0 head 0 rows 4+4 cols 0+0 slot 1
    hdp_accel.dma_load mask core 0 batch 0 head 0 rows 4+4 cols 0+8 slot 1
    hdp_accel.pe_int core 0 batch 0 head 0 rows 4+4 cols 0+2 q 1 k 0 score 1
    hdp_accel.se_acc core 0 batch 0 head 0 rows 4+4 cols 0+2 score 1 theta 1 mask 1 first
    hdp_accel.pe_int core 0 batch 0 head 0 rows 4+4 cols 2+2 q 1 k 0 score 1
    hdp_accel.se_acc core 0 batch 0 head 0 rows 4+4 cols 2+2 score 1 theta 1 mask 1
    hdp_accel.pe_int core 0 batch 0 head 0 rows 4+4 cols 4+2 q 1 k 0 score 1
    hdp_accel.se_acc core 0 batch 0 head 0 rows 4+4 cols 4+2 score 1 theta 1 mask 1
    hdp_accel.pe_int core 0 batch 0 head 0 rows 4+4 cols 6+2 q 1 k 0 score 1
    hdp_accel.se_acc core 0 batch 0 head 0 rows 4+4 cols 6+2 score 1 theta 1 mask 1
    hdp_accel.se_end_r core 0 batch 0 head 0 rows 4+4 theta 1 blockmask 1
    hdp_accel.dma_store block_mask core 0 batch 0 head 0 rows 4+4 cols 0+0 slot 1
    hdp_accel.dma_load v core 0 batch 0 head 0 rows 0+4 cols 0+8 slot 0 fum 0 topup
    hdp_accel.pe_pv core 0 batch 0 head 0 rows 0+4 cols 0+8 score 0 v 0 out 0 blockmask 0 first
    hdp_accel.dma_store out core 0 batch 0 head 0 rows 0+4 cols 0+0 slot 0
    hdp_accel.dma_load q_frac core 0 batch 0 head 0 rows 4+4 cols 0+0 slot 1
    hdp_accel.dma_load k_frac core 0 batch 0 head 0 rows 4+4 cols 0+8 slot 0 fum 1 topup
    hdp_accel.pe_frac core 0 batch 0 head 0 rows 4+4 cols 0+8 q 1 k 0 score 1 blockmask 1 mask 1 from_int
    hdp_accel.softmax core 0 batch 0 head 0 rows 4+4 score 1
    hdp_accel.dma_load v core 0 batch 0 head 0 rows 4+4 cols 0+8 slot 0 fum 1 topup
    hdp_accel.pe_pv core 0 batch 0 head 0 rows 4+4 cols 0+8 score 1 v 0 out 1 blockmask 1 first
    hdp_accel.dma_store out core 0 batch 0 head 0 rows 4+4 cols 0+0 slot 1
    hdp_accel.dma_load k_int core 1 batch 0 head 1 rows 0+0 cols 0+8 slot 0
    hdp_accel.dma_load q_int core 1 batch 0 head 1 rows 0+4 cols 0+0 slot 0
    hdp_accel.dma_load mask core 1 batch 0 head 1 rows 0+4 cols 0+8 slot 0
    hdp_accel.pe_int core 1 batch 0 head 1 rows 0+4 cols 0+2 q 0 k 0 score 0
    hdp_accel.se_acc core 1 batch 0 head 1 rows 0+4 cols 0+2 score 0 theta 0 mask 0 first
    hdp_accel.pe_int core 1 batch 0 head 1 rows 0+4 cols 2+2 q 0 k 0 score 0
    hdp_accel.se_acc core 1 batch 0 head 1 rows 0+4 cols 2+2 score 0 theta 0 mask 0
    hdp_accel.pe_int core 1 batch 0 head 1 rows 0+4 cols 4+2 q 0 k 0 score 0
    hdp_accel.se_acc core 1 batch 0 head 1 rows 0+4 cols 4+2 score 0 theta 0 mask 0
    hdp_accel.pe_int core 1 batch 0 head 1 rows 0+4 cols 6+2 q 0 k 0 score 0
    hdp_accel.se_acc core 1 batch 0 head 1 rows 0+4 cols 6+2 score 0 theta 0 mask 0
    hdp_accel.se_end_r core 1 batch 0 head 1 rows 0+4 theta 0 blockmask 0
    hdp_accel.dma_store block_mask core 1 batch 0 head 1 rows 0+4 cols 0+0 slot 0
    hdp_accel.dma_load q_frac core 1 batch 0 head 1 rows 0+4 cols 0+0 slot 0
    hdp_accel.dma_load k_frac core 1 batch 0 head 1 rows 0+4 cols 0+8 slot 0 fum 0 topup
    hdp_accel.pe_frac core 1 batch 0 head 1 rows 0+4 cols 0+8 q 0 k 0 score 0 blockmask 0 mask 0 from_int
    hdp_accel.softmax core 1 batch 0 head 1 rows 0+4 score 0
    hdp_accel.dma_load q_int core 1 batch 0 head 1 rows 4+4 cols 0+0 slot 1
    hdp_accel.dma_load mask core 1 batch 0 head 1 rows 4+4 cols 0+8 slot 1
    hdp_accel.pe_int core 1 batch 0 head 1 rows 4+4 cols 0+2 q 1 k 0 score 1
    hdp_accel.se_acc core 1 batch 0 head 1 rows 4+4 cols 0+2 score 1 theta 1 mask 1 first
    hdp_accel.pe_int core 1 batch 0 head 1 rows 4+4 cols 2+2 q 1 k 0 score 1
    hdp_accel.se_acc core 1 batch 0 head 1 rows 4+4 cols 2+2 score 1 theta 1 mask 1
    hdp_accel.pe_int core 1 batch 0 head 1 rows 4+4 cols 4+2 q 1 k 0 score 1
    hdp_accel.se_acc core 1 batch 0 head 1 rows 4+4 cols 4+2 score 1 theta 1 mask 1
    hdp_accel.pe_int core 1 batch 0 head 1 rows 4+4 cols 6+2 q 1 k 0 score 1
    hdp_accel.se_acc core 1 batch 0 head 1 rows 4+4 cols 6+2 score 1 theta 1 mask 1
    hdp_accel.se_end_r core 1 batch 0 head 1 rows 4+4 theta 1 blockmask 1
    hdp_accel.dma_store block_mask core 1 batch 0 head 1 rows 4+4 cols 0+0 slot 1
    hdp_accel.dma_load v core 1 batch 0 head 1 rows 0+4 cols 0+8 slot 0 fum 0 topup
    hdp_accel.pe_pv core 1 batch 0 head 1 rows 0+4 cols 0+8 score 0 v 0 out 0 blockmask 0 first
    hdp_accel.dma_store out core 1 batch 0 head 1 rows 0+4 cols 0+0 slot 0
    hdp_accel.dma_load q_frac core 1 batch 0 head 1 rows 4+4 cols 0+0 slot 1
    hdp_accel.dma_load k_frac core 1 batch 0 head 1 rows 4+4 cols 0+8 slot 0 fum 1 topup
    hdp_accel.pe_frac core 1 batch 0 head 1 rows 4+4 cols 0+8 q 1 k 0 score 1 blockmask 1 mask 1 from_int
    hdp_accel.softmax core 1 batch 0 head 1 rows 4+4 score 1
    hdp_accel.dma_load v core 1 batch 0 head 1 rows 4+4 cols 0+8 slot 0 fum 1 topup
    hdp_accel.pe_pv core 1 batch 0 head 1 rows 4+4 cols 0+8 score 1 v 0 out 1 blockmask 1 first
    hdp_accel.dma_store out core 1 batch 0 head 1 rows 4+4 cols 0+0 slot 1
    hdp_accel.barrier core 0 id 0
    hdp_accel.barrier core 1 id 0
    hdp_accel.barrier core 2 id 0
    hdp_accel.barrier core 3 id 0
    hdp_accel.se_end_h core 0 batch 0
    hdp_accel.se_end_h core 1 batch 0
    hdp_accel.se_end_h core 2 batch 0
    hdp_accel.se_end_h core 3 batch 0
    hdp_accel.dma_store head_table core 0 batch 0 head 0 rows 0+0 cols 0+0
  }
}
