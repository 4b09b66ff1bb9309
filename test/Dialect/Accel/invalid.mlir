// RUN: hdp-opt %s -split-input-file -verify-diagnostics

// One case per verifier error of the hdp_accel dialect.

// A slot index beyond the two slots of a buffer.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{attribute 'score' failed to satisfy constraint: buffer slot (0 or 1)}}
  hdp_accel.pe_int core 0 batch 0 head 0 rows 0+4 cols 0+4 q 0 k 0 score 2
}

// -----

// A core index that does not fit the 8-bit field.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{attribute 'core' failed to satisfy constraint: core index (u8)}}
  hdp_accel.softmax core 256 batch 0 head 0 rows 0+4 score 0
}

// -----

// A core the accelerator does not have.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{core 2 does not exist; the accelerator has 2 cores}}
  hdp_accel.softmax core 2 batch 0 head 0 rows 0+4 score 0
}

// -----

// Tensors a DMA load cannot load.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{cannot load tensor 'out'; expected q_int, q_frac, k_int, k_frac, v, mask or block_mask}}
  hdp_accel.dma_load out core 0 batch 0 head 0 rows 0+4 cols 0+0 slot 0
}

// -----

// Fetch-Upon-Mask on a Q plane.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{'fum' (Fetch-Upon-Mask) applies to k_int, k_frac and v only}}
  hdp_accel.dma_load q_int core 0 batch 0 head 0 rows 0+4 cols 0+0 slot 0 fum 0
}

// -----

// A store of the output without its slot.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{storing 'out' needs the 'slot' it is stored from}}
  hdp_accel.dma_store out core 0 batch 0 head 0 rows 0+4 cols 0+0
}

// -----

// The head table has no slot.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{the head table lives in the sparsity engine; it has no 'slot'}}
  hdp_accel.dma_store head_table core 0 batch 0 head 0 rows 0+0 cols 0+0 slot 0
}

// -----

// Tensors a DMA store cannot store.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{cannot store tensor 'k_int'; expected block_mask, out or head_table}}
  hdp_accel.dma_store k_int core 0 batch 0 head 0 rows 0+4 cols 0+0 slot 0
}

// -----

// A batch item outside the shape.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{batch 1 is out of range; the program has B=1}}
  hdp_accel.se_end_h core 0 batch 1
}

// -----

// A head outside the shape.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{head 2 is out of range; the program has H=2}}
  hdp_accel.softmax core 0 batch 0 head 2 rows 0+4 score 0
}

// -----

// Query rows outside the shape.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{rows 2+4 must be a non-empty range inside [0, 4) (query rows)}}
  hdp_accel.pe_int core 0 batch 0 head 0 rows 2+4 cols 0+4 q 0 k 0 score 0
}

// -----

// Keys outside the shape.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{cols 0+5 must be a non-empty range inside [0, 4) (keys)}}
  hdp_accel.pe_int core 0 batch 0 head 0 rows 0+4 cols 0+5 q 0 k 0 score 0
}

// -----

// END_R on rows that are not whole block rows.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{rows 1+2 must cover whole block rows (bm=2)}}
  hdp_accel.se_end_r core 0 batch 0 head 0 rows 1+2 theta 0 blockmask 0
}

// -----

// Tile fields a command does not use must be zero.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{cols must be 0+0 (the command covers every column)}}
  hdp_accel.dma_load q_int core 0 batch 0 head 0 rows 0+4 cols 0+4 slot 0
}

// -----

// The additive mask when the program has no mask input.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{flag 'masked' but the program has no mask input}}
  hdp_accel.pe_frac core 0 batch 0 head 0 rows 0+4 cols 0+4 q 0 k 0 score 0 blockmask 0 mask 0
}

// -----

// Cores that do not pass the same barriers.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{core 1 reaches 0 barriers but core 0 reaches 1; every core must reach the same barriers}}
  hdp_accel.barrier core 0 id 0
}

// -----

// Cores that pass different barriers.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  hdp_accel.barrier core 0 id 0
  // expected-error @+1 {{barrier 1 is core 1's barrier #0, but core 0's is 0}}
  hdp_accel.barrier core 1 id 1
}

// -----

// A header value the .hdpc checks refuse.
// expected-error @+1 {{tile depth must be in [1, 255]}}
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 0, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
}

// -----

// An accelerator name the header cannot hold.
// expected-error @+1 {{accelerator name may only hold letters, digits, '-', '_' and '.'}}
hdp_accel.program @p
    target <name = "a b", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
}

// -----

// An unknown pruning policy.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    // expected-error @+1 {{policy must be "hdp", "topk" or "dense" (got "random")}}
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "random", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
}

// -----

// An op that is not a command inside a program.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{is not a command; an hdp_accel.program holds command ops only}}
  %0 = "arith.constant"() <{value = 0 : i32}> : () -> i32
}

// -----

// A command outside a program.
func.func @f() {
  // expected-error @+1 {{expects parent op 'hdp_accel.program'}}
  hdp_accel.barrier core 0 id 0
  return
}

// -----

// A launch of a symbol that is not a program.
func.func @g(%q: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'nothing' does not reference an hdp_accel.program}}
  %0 = hdp_accel.launch @nothing(%q, %q, %q)
      : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>)
        -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// A launch passes tensors or memrefs of f32, i1 or i64 (ODS).
func.func @g(%q: tensor<1x2x4x4xf32>, %k: tensor<1x2x4x4xf16>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'hdp_accel.launch' op operand #1 must be variadic of ranked tensor or memref of f32, i1 or i64, but got 'tensor<1x2x4x4xf16>'}}
  %0 = hdp_accel.launch @nothing(%q, %k, %q)
      : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf16>, tensor<1x2x4x4xf32>)
        -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @g(%q: tensor<1x2x4x4xf32>) -> vector<4xf32> {
  // expected-error @+1 {{'hdp_accel.launch' op result #0 must be variadic of ranked tensor or memref of f32, i1 or i64, but got 'vector<4xf32>'}}
  %0 = hdp_accel.launch @nothing(%q, %q, %q)
      : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>)
        -> vector<4xf32>
  return %0 : vector<4xf32>
}

// -----

// A launch whose inputs do not match the program.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
}
func.func @h(%q: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{expects 3 inputs (Q, K, V) for program 'p', got 2}}
  %0 = hdp_accel.launch @p(%q, %q)
      : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// On buffers a launch writes its outputs into the operands after the inputs.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
}
func.func @no_output_buffer(%q: memref<1x2x4x4xf32>) {
  // expected-error @+1 {{on buffers expects 3 inputs (Q, K, V) then 1 to 4 output buffers (output, block mask, head mask, θ_H) for program 'p', got 3 operands}}
  hdp_accel.launch @p(%q, %q, %q)
      : (memref<1x2x4x4xf32>, memref<1x2x4x4xf32>, memref<1x2x4x4xf32>) -> ()
  return
}

// -----

hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "hdp", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
}
func.func @buffer_results(%q: memref<1x2x4x4xf32>) -> memref<1x2x4x4xf32> {
  // expected-error @+1 {{on buffers returns nothing: it writes the output buffers it is given}}
  %0 = hdp_accel.launch @p(%q, %q, %q, %q)
      : (memref<1x2x4x4xf32>, memref<1x2x4x4xf32>, memref<1x2x4x4xf32>,
         memref<1x2x4x4xf32>) -> memref<1x2x4x4xf32>
  return %0 : memref<1x2x4x4xf32>
}

// -----

// The dense engine's PE commands read no block mask; the HDP engine's do.
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "dense", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{'dense' (the dense engine) takes no 'blockmask' slot}}
  hdp_accel.pe_frac core 0 batch 0 head 0 rows 0+4 cols 0+4 q 0 k 0 score 0 blockmask 0 dense
}

// -----

hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "dense", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{needs a 'blockmask' slot (or 'dense')}}
  hdp_accel.pe_pv core 0 batch 0 head 0 rows 0+4 cols 0+4 score 0 v 0 out 0 first
}

// -----

// Dense commands cover whole block rows (block_rows = 2 here).
hdp_accel.program @p
    target <name = "t", hash = 0, cores = 2, pe_arrays = 1, tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 256, k_buffer = 256, v_buffer = 256, mask_buffer = 256, score_buffer = 256, theta_buffer = 64, blockmask_buffer = 16, out_buffer = 256>
    attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2, block_cols = 2, policy = "dense", topk = 1, approx = true, softmax = "exact", rho_q16 = 0, tau_h_q16 = 0, scale_bits = 1056964608>
    shape <b = 1, h = 2, n = 4, m = 4, d = 4, dv = 4, mask = false> {
  // expected-error @+1 {{rows 1+2 must cover whole block rows (bm=2)}}
  hdp_accel.pe_pv core 0 batch 0 head 0 rows 1+2 cols 0+4 score 0 v 0 out 0 first dense
}
