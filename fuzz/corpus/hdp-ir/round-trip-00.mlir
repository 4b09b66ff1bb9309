func.func private @all_defaults() attributes {hdp.cfg = #hdp.config<>}

func.func private @defaults_written() attributes {hdp.cfg = #hdp.config<int_bits = 4, frac_bits = 4, shift = 0, block = [2, 2], rho = 0.0, tau_h = 0.0, policy = hdp, importance = abs, topk = 1, approx = true, softmax = exact>}

func.func private @every_key() attributes {hdp.cfg = #hdp.config<scale = 0.125, softmax = poly, approx = false, topk = 3, importance = signed, policy = topk, tau_h = 1.5, rho = -0.75, block = [4, 1], shift = -2, frac_bits = 5, int_bits = 6>}

func.func private @importance_abs() attributes {hdp.cfg = #hdp.config<importance = abs, rho = 0.5>}

func.func private @issue_example() attributes {hdp.cfg = #hdp.config<rho = 0.3, block = [2, 2], policy = topk, topk = 4>}

func.func private @integer_floats() attributes {hdp.cfg = #hdp.config<rho = 1, tau_h = 2>}

func.func private @negative_integer_rho() attributes {hdp.cfg = #hdp.config<rho = -1>}

func.func private @exponent() attributes {hdp.cfg = #hdp.config<rho = -1.0, tau_h = 1.0e-5>}

func.func private @dense() attributes {hdp.cfg = #hdp.config<policy = dense>}

func.func private @widest() attributes {hdp.cfg = #hdp.config<int_bits = 8, frac_bits = 8, shift = 16>}

func.func private @tiny_block() attributes {hdp.cfg = #hdp.config<block = [1, 1]>}

func.func private @non_square() attributes {hdp.cfg = #hdp.config<block = [2, 4], scale = 1.0>}


func.func @attention_minimal(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>,
                             %v: tensor<1x2x6x3xf32>) -> tensor<1x2x8x3xf32> {
  %0 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x3xf32>
  return %0 : tensor<1x2x8x3xf32>
}

func.func @attention_all_results(%q: tensor<2x3x7x4xf32>, %k: tensor<2x3x5x4xf32>,
                                 %v: tensor<2x3x5x4xf32>, %m: tensor<2x1x1x5xf32>)
    -> (tensor<2x3x7x4xf32>, tensor<2x3x3x2xi1>, tensor<2x3xi1>, tensor<2x3xi64>) {
  %0:4 = hdp.attention config #hdp.config<rho = 0.5, tau_h = 0.25, block = [3, 3]> %q, %k, %v mask %m
      : tensor<2x3x7x4xf32>, tensor<2x3x5x4xf32>, tensor<2x3x5x4xf32>, tensor<2x1x1x5xf32>
      -> tensor<2x3x7x4xf32>, tensor<2x3x3x2xi1>, tensor<2x3xi1>, tensor<2x3xi64>
  return %0#0, %0#1, %0#2, %0#3 : tensor<2x3x7x4xf32>, tensor<2x3x3x2xi1>, tensor<2x3xi1>, tensor<2x3xi64>
}

func.func @attention_dynamic_and_rank2_mask(%q: tensor<1x?x?x8xf32>, %k: tensor<1x?x?x8xf32>,
                                            %v: tensor<1x?x?x8xf32>, %m: tensor<?x?xf32>)
    -> (tensor<1x?x?x8xf32>, tensor<1x?x?x?xi1>) {
  %0:2 = hdp.attention %q, %k, %v mask %m : tensor<1x?x?x8xf32>, tensor<1x?x?x8xf32>, tensor<1x?x?x8xf32>, tensor<?x?xf32>
      -> tensor<1x?x?x8xf32>, tensor<1x?x?x?xi1>
  return %0#0, %0#1 : tensor<1x?x?x8xf32>, tensor<1x?x?x?xi1>
}


func.func @stages_on_tensors(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>,
                             %v: tensor<1x2x8x4xf32>, %m: tensor<1x1x8x8xf32>) -> tensor<1x2x8x4xf32> {
  %e_hi = tensor.empty() : tensor<1x2x8x4xi8>
  %e_s = tensor.empty() : tensor<1x2x8x8xi32>
  %e_t = tensor.empty() : tensor<1x2x4x4xi64>
  %e_bm = tensor.empty() : tensor<1x2x4x4xi1>
  %e_hm = tensor.empty() : tensor<1x2xi1>
  %e_th = tensor.empty() : tensor<1x2xi64>
  %e_f = tensor.empty() : tensor<1x2x8x8xf32>
  %e_o = tensor.empty() : tensor<1x2x8x4xf32>
  %qhi, %qlo = hdp.split_quantize config #hdp.config<frac_bits = 3> ins(%q : tensor<1x2x8x4xf32>) outs(%e_hi, %e_hi : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>) -> tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>
  %khi, %klo = hdp.split_quantize ins(%k : tensor<1x2x8x4xf32>) outs(%e_hi, %e_hi : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>) -> tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>
  %s, %theta = hdp.block_score ins(%qhi, %khi : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>) mask(%m : tensor<1x1x8x8xf32>) outs(%e_s, %e_t : tensor<1x2x8x8xi32>, tensor<1x2x4x4xi64>) -> tensor<1x2x8x8xi32>, tensor<1x2x4x4xi64>
  %bm = hdp.prune_mask config #hdp.config<rho = 0.5> ins(%theta : tensor<1x2x4x4xi64>) outs(%e_bm : tensor<1x2x4x4xi1>) -> tensor<1x2x4x4xi1>
  %s2, %theta2, %mag2 = hdp.block_score config #hdp.config<importance = signed> ins(%qhi, %khi : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>) outs(%e_s, %e_t, %e_t : tensor<1x2x8x8xi32>, tensor<1x2x4x4xi64>, tensor<1x2x4x4xi64>) -> tensor<1x2x8x8xi32>, tensor<1x2x4x4xi64>, tensor<1x2x4x4xi64>
  %bm2 = hdp.prune_mask config #hdp.config<importance = signed> ins(%theta2 : tensor<1x2x4x4xi64>) magnitude(%mag2 : tensor<1x2x4x4xi64>) outs(%e_bm : tensor<1x2x4x4xi1>) -> tensor<1x2x4x4xi1>
  %hm, %th = hdp.head_mask config #hdp.config<tau_h = 0.5> ins(%theta : tensor<1x2x4x4xi64>) outs(%e_hm, %e_th : tensor<1x2xi1>, tensor<1x2xi64>) -> tensor<1x2xi1>, tensor<1x2xi64>
  %sc = hdp.approx_combine ins(%qhi, %qlo, %khi, %klo, %s, %bm, %hm : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>, tensor<1x2x8x8xi32>, tensor<1x2x4x4xi1>, tensor<1x2xi1>) mask(%m : tensor<1x1x8x8xf32>) outs(%e_f : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %p = hdp.masked_softmax config #hdp.config<softmax = poly> ins(%sc : tensor<1x2x8x8xf32>) outs(%e_f : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %o = hdp.sparse_pv ins(%p, %v, %bm, %hm : tensor<1x2x8x8xf32>, tensor<1x2x8x4xf32>, tensor<1x2x4x4xi1>, tensor<1x2xi1>) outs(%e_o : tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32>
  return %o : tensor<1x2x8x4xf32>
}


func.func @stages_on_memrefs(%q: memref<1x1x3x2xf32>, %hi: memref<1x1x3x2xi16>, %lo: memref<1x1x3x2xi16>,
                             %s: memref<1x1x3x3xi64>, %t: memref<1x1x2x2xi64>, %bm: memref<1x1x2x2xi1>,
                             %hm: memref<1x1xi1>, %th: memref<1x1xi64>, %f: memref<1x1x3x3xf32>,
                             %p: memref<1x1x3x3xf32>, %v: memref<1x1x3x5xf32>, %o: memref<1x1x3x5xf32>) {
  hdp.split_quantize config #hdp.config<int_bits = 8, frac_bits = 8> ins(%q : memref<1x1x3x2xf32>) outs(%hi, %lo : memref<1x1x3x2xi16>, memref<1x1x3x2xi16>)
  hdp.block_score ins(%hi, %hi : memref<1x1x3x2xi16>, memref<1x1x3x2xi16>) outs(%s, %t : memref<1x1x3x3xi64>, memref<1x1x2x2xi64>)
  hdp.prune_mask ins(%t : memref<1x1x2x2xi64>) outs(%bm : memref<1x1x2x2xi1>)
  hdp.head_mask ins(%t : memref<1x1x2x2xi64>) outs(%hm, %th : memref<1x1xi1>, memref<1x1xi64>)
  hdp.approx_combine ins(%hi, %lo, %hi, %lo, %s, %bm, %hm : memref<1x1x3x2xi16>, memref<1x1x3x2xi16>, memref<1x1x3x2xi16>, memref<1x1x3x2xi16>, memref<1x1x3x3xi64>, memref<1x1x2x2xi1>, memref<1x1xi1>) outs(%f : memref<1x1x3x3xf32>)
  hdp.masked_softmax ins(%f : memref<1x1x3x3xf32>) outs(%p : memref<1x1x3x3xf32>)
  hdp.sparse_pv ins(%p, %v, %bm, %hm : memref<1x1x3x3xf32>, memref<1x1x3x5xf32>, memref<1x1x2x2xi1>, memref<1x1xi1>) outs(%o : memref<1x1x3x5xf32>)
  return
}
