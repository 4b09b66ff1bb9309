module {
  hdp_accel.program @program target <name = "hdp-server", hash = 9955352116403744724, cores = 16, pe_arrays = 4, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 65536, k_buffer = 131072, v_buffer = 524288, mask_buffer = 524288, score_buffer = 524288, theta_buffer = 262144, blockmask_buffer = 65536, out_buffer = 65536> attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 1, block_cols = 1, policy = "dense", topk = 1, approx = false, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608> shape <b = 1, h = 1, n = 8, m = 8, d = 4, dv = 4, mask = true> {
    hdp_accel.dma_load k_int core 0 batch 0 head 0 rows 0+0 cols 0+8 slot 0
    hdp_accel.dma_load q_int core 0 batch 0 head 0 rows 0+8 cols 0+0 slot 0
    hdp_accel.dma_load mask core 0 batch 0 head 0 rows 0+8 cols 0+8 slot 0
    hdp_accel.pe_int core 0 batch 0 head 0 rows 0+8 cols 0+8 q 0 k 0 score 0
    hdp_accel.se_acc core 0 batch 0 head 0 rows 0+8 cols 0+8 score 0 theta 0 mask 0 first
    hdp_accel.se_end_r core 0 batch 0 head 0 rows 0+8 theta 0 blockmask 0
    hdp_accel.dma_store block_mask core 0 batch 0 head 0 rows 0+8 cols 0+0 slot 0
    hdp_accel.barrier core 0 id 0
    hdp_accel.barrier core 1 id 0
    hdp_accel.barrier core 2 id 0
    hdp_accel.barrier core 3 id 0
    hdp_accel.barrier core 4 id 0
    hdp_accel.barrier core 5 id 0
    hdp_accel.barrier core 6 id 0
    hdp_accel.barrier core 7 id 0
    hdp_accel.barrier core 8 id 0
    hdp_accel.barrier core 9 id 0
    hdp_accel.barrier core 10 id 0
    hdp_accel.barrier core 11 id 0
    hdp_accel.barrier core 12 id 0
    hdp_accel.barrier core 13 id 0
    hdp_accel.barrier core 14 id 0
    hdp_accel.barrier core 15 id 0
    hdp_accel.se_end_h core 0 batch 0
    hdp_accel.se_end_h core 1 batch 0
    hdp_accel.se_end_h core 2 batch 0
    hdp_accel.se_end_h core 3 batch 0
    hdp_accel.se_end_h core 4 batch 0
    hdp_accel.se_end_h core 5 batch 0
    hdp_accel.se_end_h core 6 batch 0
    hdp_accel.se_end_h core 7 batch 0
    hdp_accel.se_end_h core 8 batch 0
    hdp_accel.se_end_h core 9 batch 0
    hdp_accel.se_end_h core 10 batch 0
    hdp_accel.se_end_h core 11 batch 0
    hdp_accel.se_end_h core 12 batch 0
    hdp_accel.se_end_h core 13 batch 0
    hdp_accel.se_end_h core 14 batch 0
    hdp_accel.se_end_h core 15 batch 0
    hdp_accel.dma_store head_table core 0 batch 0 head 0 rows 0+0 cols 0+0
    hdp_accel.dma_load block_mask core 0 batch 0 head 0 rows 0+8 cols 0+0 slot 1 head_pred
    hdp_accel.dma_load k_int core 0 batch 0 head 0 rows 0+8 cols 0+8 slot 1 fum 1 head_pred
    hdp_accel.dma_load k_frac core 0 batch 0 head 0 rows 0+8 cols 0+8 slot 1 fum 1 head_pred
    hdp_accel.dma_load v core 0 batch 0 head 0 rows 0+8 cols 0+8 slot 0 fum 1 head_pred
    hdp_accel.dma_load q_int core 0 batch 0 head 0 rows 0+8 cols 0+0 slot 1 head_pred
    hdp_accel.dma_load q_frac core 0 batch 0 head 0 rows 0+8 cols 0+0 slot 1 head_pred
    hdp_accel.dma_load mask core 0 batch 0 head 0 rows 0+8 cols 0+8 slot 1 head_pred
    hdp_accel.pe_frac core 0 batch 0 head 0 rows 0+8 cols 0+8 q 1 k 1 score 1 blockmask 1 mask 1 head_pred
    hdp_accel.softmax core 0 batch 0 head 0 rows 0+8 score 1 head_pred
    hdp_accel.pe_pv core 0 batch 0 head 0 rows 0+8 cols 0+8 score 1 v 0 out 0 blockmask 1 first head_pred
    hdp_accel.dma_store out core 0 batch 0 head 0 rows 0+8 cols 0+0 slot 0 head_pred
  }
}
