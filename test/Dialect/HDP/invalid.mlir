// RUN: hdp-opt %s -split-input-file -verify-diagnostics

// One case per verifier error of #hdp.config and the hdp ops.

// expected-error @+1 {{invalid #hdp.config: int_bits must be >= 1 (got 0)}}
func.func private @f() attributes {hdp.cfg = #hdp.config<int_bits = 0>}

// -----

// expected-error @+1 {{invalid #hdp.config: frac_bits must be >= 0 (got -1)}}
func.func private @f() attributes {hdp.cfg = #hdp.config<frac_bits = -1>}

// -----

// expected-error @+1 {{invalid #hdp.config: int_bits + frac_bits must be <= 16 (got 9 + 8)}}
func.func private @f() attributes {hdp.cfg = #hdp.config<int_bits = 9, frac_bits = 8>}

// -----

// expected-error @+1 {{invalid #hdp.config: shift must be in [-16, 16] (got 17)}}
func.func private @f() attributes {hdp.cfg = #hdp.config<shift = 17>}

// -----

// expected-error @+1 {{invalid #hdp.config: block dimensions must be in [1, 16384] (got [0,2])}}
func.func private @f() attributes {hdp.cfg = #hdp.config<block = [0, 2]>}

// -----

// expected-error @+1 {{invalid #hdp.config: rho must be in [-1, 1] (got 1.5)}}
func.func private @f() attributes {hdp.cfg = #hdp.config<rho = 1.5>}

// -----

// expected-error @+1 {{invalid #hdp.config: rho must be in [-1, 1]}}
func.func private @f() attributes {hdp.cfg = #hdp.config<rho = -1.01>}

// -----

// expected-error @+1 {{invalid #hdp.config: tau_h must be finite and >= 0}}
func.func private @f() attributes {hdp.cfg = #hdp.config<tau_h = -0.5>}

// -----

// expected-error @+1 {{invalid #hdp.config: topk must be in [1, 2147483647] (got 0)}}
func.func private @f() attributes {hdp.cfg = #hdp.config<policy = topk, topk = 0>}

// -----

// expected-error @+1 {{invalid #hdp.config: scale}}
func.func private @f() attributes {hdp.cfg = #hdp.config<scale = 0.0>}

// -----

// expected-error @+1 {{invalid #hdp.config: scale}}
func.func private @f() attributes {hdp.cfg = #hdp.config<scale = -2.0>}

// -----

// expected-error @+1 {{invalid #hdp.config: block dimensions must be in [1, 16384] (got [2,16385])}}
func.func private @f() attributes {hdp.cfg = #hdp.config<block = [2, 16385]>}

// -----

// expected-error @+1 {{invalid #hdp.config: topk must be in [1, 2147483647] (got 4294967296)}}
func.func private @f() attributes {hdp.cfg = #hdp.config<policy = topk, topk = 4294967296>}

// -----

// A finite double that is +inf as an f32.
// expected-error @+1 {{invalid #hdp.config: scale must be in [1.17549e-38, 3.40282e+38] (finite, normal and > 0 as an f32; got 5e+38)}}
func.func private @f() attributes {hdp.cfg = #hdp.config<scale = 5.0e38>}

// -----

// expected-error @+1 {{unknown #hdp.config key 'ratio'; expected one of int_bits, frac_bits, shift, block, rho, tau_h, policy, importance, topk, approx, softmax, scale}}
func.func private @f() attributes {hdp.cfg = #hdp.config<ratio = 0.5>}

// -----

// expected-error @+1 {{duplicate #hdp.config key 'rho'}}
func.func private @f() attributes {hdp.cfg = #hdp.config<rho = 0.1, rho = 0.2>}

// -----

// expected-error @+1 {{expected one of 'hdp', 'topk', 'dense' for 'policy'}}
func.func private @f() attributes {hdp.cfg = #hdp.config<policy = energon>}

// -----

// expected-error @+1 {{expected one of 'true', 'false' for 'approx'}}
func.func private @f() attributes {hdp.cfg = #hdp.config<approx = yes>}

// -----

// expected-error @+1 {{expected one of 'exact', 'poly' for 'softmax'}}
func.func private @f() attributes {hdp.cfg = #hdp.config<softmax = fast>}

// -----

// expected-error @+1 {{expected a number for 'rho'}}
func.func private @f() attributes {hdp.cfg = #hdp.config<rho = "high">}

// -----

// expected-error @+1 {{expected ','}}
func.func private @f() attributes {hdp.cfg = #hdp.config<block = [2]>}

// -----

func.func @f(%q: tensor<2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>) {
  // expected-error @+1 {{'hdp.attention' op operand #0 must be f32 tensor [B,H,N,D], but got 'tensor<2x8x4xf32>'}}
  %0 = hdp.attention %q, %k, %v : tensor<2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x3xf32>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf16>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>) {
  // expected-error @+1 {{'hdp.attention' op operand #0 must be f32 tensor [B,H,N,D], but got 'tensor<1x2x8x4xf16>'}}
  %0 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf16>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x3xf32>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x3x6x4xf32>, %v: tensor<1x2x6x3xf32>) {
  // expected-error @+1 {{'hdp.attention' op key dimension 1 (H) is 3, expected 2}}
  %0 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x3x6x4xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x3xf32>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x5xf32>, %v: tensor<1x2x6x3xf32>) {
  // expected-error @+1 {{'hdp.attention' op key dimension 3 (D) is 5, expected 4}}
  %0 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x5xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x3xf32>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x7x3xf32>) {
  // expected-error @+1 {{'hdp.attention' op value dimension 2 (M) is 7, expected 6}}
  %0 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x7x3xf32> -> tensor<1x2x8x3xf32>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>, %m: tensor<1x2x8x5xf32>) {
  // expected-error @+1 {{'hdp.attention' op mask dimension 3 is 5, which does not broadcast to 6 (mask must broadcast to [B,H,N,M] = [1,2,8,6])}}
  %0 = hdp.attention %q, %k, %v mask %m : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32>, tensor<1x2x8x5xf32> -> tensor<1x2x8x3xf32>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>, %m: tensor<1x1x1x1x6xf32>) {
  // expected-error @+1 {{'hdp.attention' op operand #3 must be f32 tensor broadcastable to [B,H,N,M], but got 'tensor<1x1x1x1x6xf32>'}}
  %0 = hdp.attention %q, %k, %v mask %m : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32>, tensor<1x1x1x1x6xf32> -> tensor<1x2x8x3xf32>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>, %m: tensor<8x6xi1>) {
  // expected-error @+1 {{'hdp.attention' op operand #3 must be f32 tensor broadcastable to [B,H,N,M], but got 'tensor<8x6xi1>'}}
  %0 = hdp.attention %q, %k, %v mask %m : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32>, tensor<8x6xi1> -> tensor<1x2x8x3xf32>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>) {
  // expected-error @+1 {{'hdp.attention' op output dimension 3 (V) is 4, expected 3}}
  %0 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x4xf32>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>) {
  // expected-error @+1 {{'hdp.attention' op block mask result dimension 3 (J) is 2, expected 3}}
  %0:2 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x3xf32>, tensor<1x2x4x2xi1>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>) {
  // expected-error @+1 {{'hdp.attention' op block mask result dimension 2 (I) is 4, expected 3}}
  %0:2 = hdp.attention config #hdp.config<block = [3, 3]> %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x3xf32>, tensor<1x2x4x2xi1>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>) {
  // expected-error @+1 {{'hdp.attention' op result #1 must be variadic of f32, i1 or i64 tensor (output [B,H,N,Dv], block mask [B,H,NB,MB], head mask [B,H], θ_H [B,H]), but got 'tensor<1x2x4x3xi8>'}}
  %0:2 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x3xf32>, tensor<1x2x4x3xi8>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>) {
  // expected-error @+1 {{'hdp.attention' op head mask result dimension 0 (B) is 2, expected 1}}
  %0:3 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x3xf32>, tensor<1x2x4x3xi1>, tensor<2x2xi1>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>) {
  // expected-error @+1 {{'hdp.attention' op result #3 must be variadic of f32, i1 or i64 tensor (output [B,H,N,Dv], block mask [B,H,NB,MB], head mask [B,H], θ_H [B,H]), but got 'tensor<1x2xi32>'}}
  %0:4 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x3xf32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>, tensor<1x2xi32>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>) {
  // expected-error @+1 {{'hdp.attention' op expects 1 to 4 results (output, block mask, head mask, theta_h), got 5}}
  %0:5 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x3xf32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>, tensor<1x2xi64>, tensor<1x2xi64>
  return
}

// -----

func.func @f(%x: tensor<1x1x4x4xf32>, %a: tensor<1x1x4x4xi8>) {
  // expected-error @+1 {{'hdp.split_quantize' op expects 2 init(s) (integer part, fraction part), got 1}}
  %0 = hdp.split_quantize ins(%x : tensor<1x1x4x4xf32>) outs(%a : tensor<1x1x4x4xi8>) -> tensor<1x1x4x4xi8>
  return
}

// -----

func.func @f(%x: tensor<1x1x4x4xf64>, %a: tensor<1x1x4x4xi8>) {
  // expected-error @+1 {{'hdp.split_quantize' op operand #0 must be ranked f32 tensor or memref, but got 'tensor<1x1x4x4xf64>'}}
  %0:2 = hdp.split_quantize ins(%x : tensor<1x1x4x4xf64>) outs(%a, %a : tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>) -> tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>
  return
}

// -----

func.func @f(%x: tensor<1x1x4x4xf32>, %a: tensor<1x1x4x4xi8>) {
  // expected-error @+1 {{'hdp.split_quantize' op integer part element type 'i8' is narrower than the 9 bits that int_bits/frac_bits need}}
  %0:2 = hdp.split_quantize config #hdp.config<int_bits = 9> ins(%x : tensor<1x1x4x4xf32>) outs(%a, %a : tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>) -> tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>
  return
}

// -----

func.func @f(%x: tensor<1x1x4x4xf32>, %a: tensor<1x1x4x4xi8>, %b: tensor<1x1x4x4xi16>) {
  // expected-error @+1 {{'hdp.split_quantize' op integer and fraction parts must have the same element type}}
  %0:2 = hdp.split_quantize ins(%x : tensor<1x1x4x4xf32>) outs(%a, %b : tensor<1x1x4x4xi8>, tensor<1x1x4x4xi16>) -> tensor<1x1x4x4xi8>, tensor<1x1x4x4xi16>
  return
}

// -----

func.func @f(%x: tensor<1x1x4x4xf32>, %a: tensor<1x1x4x4xf32>) {
  // expected-error @+1 {{'hdp.split_quantize' op operand #1 must be variadic of ranked signless integer tensor or memref, but got 'tensor<1x1x4x4xf32>'}}
  %0:2 = hdp.split_quantize ins(%x : tensor<1x1x4x4xf32>) outs(%a, %a : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
  return
}

// -----

func.func @f(%x: tensor<1x1x4x4xf32>, %a: tensor<1x1x4x5xi8>) {
  // expected-error @+1 {{'hdp.split_quantize' op integer part dimension 3 (d) is 5, expected 4}}
  %0:2 = hdp.split_quantize ins(%x : tensor<1x1x4x4xf32>) outs(%a, %a : tensor<1x1x4x5xi8>, tensor<1x1x4x5xi8>) -> tensor<1x1x4x5xi8>, tensor<1x1x4x5xi8>
  return
}

// -----

func.func @f(%x: vector<4xf32>, %a: tensor<4xi8>) {
  // expected-error @+1 {{'hdp.split_quantize' op operand #0 must be ranked f32 tensor or memref, but got 'vector<4xf32>'}}
  %0:2 = hdp.split_quantize ins(%x : vector<4xf32>) outs(%a, %a : tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>, tensor<4xi8>
  return
}

// -----

func.func @f(%x: memref<1x1x4x4xf32>, %a: memref<1x1x4x4xi8>) {
  // expected-error @+1 {{'hdp.split_quantize' op expected the number of tensor results (2) to be equal to the number of output tensors (0)}}
  %0:2 = hdp.split_quantize ins(%x : memref<1x1x4x4xf32>) outs(%a, %a : memref<1x1x4x4xi8>, memref<1x1x4x4xi8>) -> tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>
  return
}

// -----

func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x4xi16>, %s: tensor<1x2x8x6xi32>, %t: tensor<1x2x4x3xi64>) {
  // expected-error @+1 {{'hdp.block_score' op query and key integer parts must have the same element type}}
  %0:2 = hdp.block_score ins(%qh, %kh : tensor<1x2x8x4xi8>, tensor<1x2x6x4xi16>) outs(%s, %t : tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>) -> tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>
  return
}

// -----

func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x2xi8>, %s: tensor<1x2x8x6xi32>, %t: tensor<1x2x4x3xi64>) {
  // expected-error @+1 {{'hdp.block_score' op key integer part dimension 3 (D) is 2, expected 4}}
  %0:2 = hdp.block_score ins(%qh, %kh : tensor<1x2x8x4xi8>, tensor<1x2x6x2xi8>) outs(%s, %t : tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>) -> tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>
  return
}

// -----

func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x4xi8>, %s: tensor<1x2x8x6xi16>, %t: tensor<1x2x4x3xi64>) {
  // expected-error @+1 {{'hdp.block_score' op operand #2 must be variadic of i32 or i64 tensor or memref (scores [B,H,N,M], θ [B,H,NB,MB], magnitudes [B,H,NB,MB]), but got 'tensor<1x2x8x6xi16>'}}
  %0:2 = hdp.block_score ins(%qh, %kh : tensor<1x2x8x4xi8>, tensor<1x2x6x4xi8>) outs(%s, %t : tensor<1x2x8x6xi16>, tensor<1x2x4x3xi64>) -> tensor<1x2x8x6xi16>, tensor<1x2x4x3xi64>
  return
}

// -----

func.func @f(%qh: tensor<1x2x8x4096xi16>, %kh: tensor<1x2x6x4096xi16>, %s: tensor<1x2x8x6xi32>, %t: tensor<1x2x4x3xi64>) {
  // expected-error @+1 {{'hdp.block_score' op i32 integer scores can overflow for D = 4096 and int_bits = 12; use i64}}
  %0:2 = hdp.block_score config #hdp.config<int_bits = 12> ins(%qh, %kh : tensor<1x2x8x4096xi16>, tensor<1x2x6x4096xi16>) outs(%s, %t : tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>) -> tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>
  return
}

// -----

func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x4xi8>, %s: tensor<1x2x8x6xi32>, %t: tensor<1x2x4x4xi64>) {
  // expected-error @+1 {{'hdp.block_score' op theta init dimension 3 (J) is 4, expected 3}}
  %0:2 = hdp.block_score ins(%qh, %kh : tensor<1x2x8x4xi8>, tensor<1x2x6x4xi8>) outs(%s, %t : tensor<1x2x8x6xi32>, tensor<1x2x4x4xi64>) -> tensor<1x2x8x6xi32>, tensor<1x2x4x4xi64>
  return
}

// -----

func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x4xi8>, %s: tensor<1x2x8x6xi32>, %t: tensor<1x2x4x3xi64>, %m: tensor<1x3x1x1xf32>) {
  // expected-error @+1 {{'hdp.block_score' op mask dimension 1 is 3, which does not broadcast to 2}}
  %0:2 = hdp.block_score ins(%qh, %kh : tensor<1x2x8x4xi8>, tensor<1x2x6x4xi8>) mask(%m : tensor<1x3x1x1xf32>) outs(%s, %t : tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>) -> tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>
  return
}

// -----

func.func @f(%t: tensor<1x2x4x3xi64>, %b: tensor<1x2x4x3xi8>) {
  // expected-error @+1 {{'hdp.prune_mask' op operand #1 must be variadic of i1 tensor or memref [B,H,NB,MB], but got 'tensor<1x2x4x3xi8>'}}
  %0 = hdp.prune_mask ins(%t : tensor<1x2x4x3xi64>) outs(%b : tensor<1x2x4x3xi8>) -> tensor<1x2x4x3xi8>
  return
}

// -----

func.func @f(%t: tensor<1x2x4x3xi32>, %b: tensor<1x2x4x3xi1>) {
  // expected-error @+1 {{'hdp.prune_mask' op operand #0 must be i64 tensor or memref [B,H,NB,MB], but got 'tensor<1x2x4x3xi32>'}}
  %0 = hdp.prune_mask ins(%t : tensor<1x2x4x3xi32>) outs(%b : tensor<1x2x4x3xi1>) -> tensor<1x2x4x3xi1>
  return
}

// -----

func.func @f(%t: tensor<1x2x4x3xi64>, %b: tensor<1x2x3x4xi1>) {
  // expected-error @+1 {{'hdp.prune_mask' op block mask init dimension 2 (I) is 3, expected 4}}
  %0 = hdp.prune_mask ins(%t : tensor<1x2x4x3xi64>) outs(%b : tensor<1x2x3x4xi1>) -> tensor<1x2x3x4xi1>
  return
}

// -----

func.func @f(%t: tensor<1x2x4x3xi64>, %b: tensor<1x2x4x3xi1>) {
  // expected-error @+1 {{'hdp.prune_mask' op expected type of operand #1 ('tensor<1x2x4x3xi1>') to match type of corresponding result ('tensor<1x2x4x4xi1>')}}
  %0 = hdp.prune_mask ins(%t : tensor<1x2x4x3xi64>) outs(%b : tensor<1x2x4x3xi1>) -> tensor<1x2x4x4xi1>
  return
}

// -----

func.func @f(%t: tensor<1x2x4x3xi64>, %h: tensor<1x2xi1>, %th: tensor<1x3xi64>) {
  // expected-error @+1 {{'hdp.head_mask' op theta_h init dimension 1 (H) is 3, expected 2}}
  %0:2 = hdp.head_mask ins(%t : tensor<1x2x4x3xi64>) outs(%h, %th : tensor<1x2xi1>, tensor<1x3xi64>) -> tensor<1x2xi1>, tensor<1x3xi64>
  return
}

// -----

func.func @f(%t: tensor<1x2x4x3xi64>, %h: tensor<1x2xi64>, %th: tensor<1x2xi64>) {
  // expected-error @+1 {{'hdp.head_mask' op head mask init must have i1 elements, got 'tensor<1x2xi64>'}}
  %0:2 = hdp.head_mask ins(%t : tensor<1x2x4x3xi64>) outs(%h, %th : tensor<1x2xi64>, tensor<1x2xi64>) -> tensor<1x2xi64>, tensor<1x2xi64>
  return
}

// -----

func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x4xi8>, %s: tensor<1x2x8x6xi32>, %bm: tensor<1x2x4x3xi1>, %hm: tensor<1x2xi1>, %o: tensor<1x2x8x6xf32>, %kl: tensor<1x2x6x4xi16>) {
  // expected-error @+1 {{'hdp.approx_combine' op integer and fraction parts of query and key must have the same element type}}
  %0 = hdp.approx_combine ins(%qh, %qh, %kh, %kl, %s, %bm, %hm : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>, tensor<1x2x6x4xi8>, tensor<1x2x6x4xi16>, tensor<1x2x8x6xi32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>) outs(%o : tensor<1x2x8x6xf32>) -> tensor<1x2x8x6xf32>
  return
}

// -----

func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x4xi8>, %s: tensor<1x2x8x6xi32>, %bm: tensor<1x2x4x3xi1>, %hm: tensor<1x2xi1>, %o: tensor<1x2x8x6xf32>, %bm2: tensor<1x2x4x2xi1>) {
  // expected-error @+1 {{'hdp.approx_combine' op block mask dimension 3 (J) is 2, expected 3}}
  %0 = hdp.approx_combine ins(%qh, %qh, %kh, %kh, %s, %bm2, %hm : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>, tensor<1x2x6x4xi8>, tensor<1x2x6x4xi8>, tensor<1x2x8x6xi32>, tensor<1x2x4x2xi1>, tensor<1x2xi1>) outs(%o : tensor<1x2x8x6xf32>) -> tensor<1x2x8x6xf32>
  return
}

// -----

func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x4xi8>, %s: tensor<1x2x8x6xi32>, %bm: tensor<1x2x4x3xi1>, %hm: tensor<1x2xi1>, %o: tensor<1x2x8x6xf32>, %hm2: tensor<2xi1>) {
  // expected-error @+1 {{'hdp.approx_combine' op operand #6 must be i1 tensor or memref [B,H], but got 'tensor<2xi1>'}}
  %0 = hdp.approx_combine ins(%qh, %qh, %kh, %kh, %s, %bm, %hm2 : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>, tensor<1x2x6x4xi8>, tensor<1x2x6x4xi8>, tensor<1x2x8x6xi32>, tensor<1x2x4x3xi1>, tensor<2xi1>) outs(%o : tensor<1x2x8x6xf32>) -> tensor<1x2x8x6xf32>
  return
}

// -----

func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x4xi8>, %s: tensor<1x2x8x6xi32>, %bm: tensor<1x2x4x3xi1>, %hm: tensor<1x2xi1>, %o: tensor<1x2x8x6xf32>, %s2: tensor<1x2x8x5xi32>) {
  // expected-error @+1 {{'hdp.approx_combine' op integer scores dimension 3 (M) is 5, expected 6}}
  %0 = hdp.approx_combine ins(%qh, %qh, %kh, %kh, %s2, %bm, %hm : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>, tensor<1x2x6x4xi8>, tensor<1x2x6x4xi8>, tensor<1x2x8x5xi32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>) outs(%o : tensor<1x2x8x6xf32>) -> tensor<1x2x8x6xf32>
  return
}

// -----

func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x4xi8>, %s: tensor<1x2x8x6xi32>, %bm: tensor<1x2x4x3xi1>, %hm: tensor<1x2xi1>, %o: tensor<1x2x8x6xf32>, %o2: tensor<1x2x8x6xf16>) {
  // expected-error @+1 {{'hdp.approx_combine' op operand #7 must be variadic of f32 tensor or memref [B,H,N,M], but got 'tensor<1x2x8x6xf16>'}}
  %0 = hdp.approx_combine ins(%qh, %qh, %kh, %kh, %s, %bm, %hm : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>, tensor<1x2x6x4xi8>, tensor<1x2x6x4xi8>, tensor<1x2x8x6xi32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>) outs(%o2 : tensor<1x2x8x6xf16>) -> tensor<1x2x8x6xf16>
  return
}

// -----

func.func @f(%x: tensor<1x2x8x6xf32>, %o: tensor<1x2x8x5xf32>) {
  // expected-error @+1 {{'hdp.masked_softmax' op init dimension 3 (M) is 5, expected 6}}
  %0 = hdp.masked_softmax ins(%x : tensor<1x2x8x6xf32>) outs(%o : tensor<1x2x8x5xf32>) -> tensor<1x2x8x5xf32>
  return
}

// -----

func.func @f(%x: tensor<8x6xf32>, %o: tensor<8x6xf32>) {
  // expected-error @+1 {{'hdp.masked_softmax' op operand #0 must be f32 tensor or memref [B,H,N,M], but got 'tensor<8x6xf32>'}}
  %0 = hdp.masked_softmax ins(%x : tensor<8x6xf32>) outs(%o : tensor<8x6xf32>) -> tensor<8x6xf32>
  return
}

// -----

func.func @f(%p: tensor<1x2x8x6xf32>, %v: tensor<1x2x6x3xf32>, %bm: tensor<1x2x4x3xi1>, %hm: tensor<1x2xi1>, %o: tensor<1x2x8x3xf32>, %v2: tensor<1x2x5x3xf32>) {
  // expected-error @+1 {{'hdp.sparse_pv' op value dimension 2 (M) is 5, expected 6}}
  %0 = hdp.sparse_pv ins(%p, %v2, %bm, %hm : tensor<1x2x8x6xf32>, tensor<1x2x5x3xf32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>) outs(%o : tensor<1x2x8x3xf32>) -> tensor<1x2x8x3xf32>
  return
}

// -----

func.func @f(%p: tensor<1x2x8x6xf32>, %v: tensor<1x2x6x3xf32>, %bm: tensor<1x2x4x3xi1>, %hm: tensor<1x2xi1>, %o: tensor<1x2x8x3xf32>) {
  // expected-error @+1 {{'hdp.sparse_pv' op block mask dimension 2 (I) is 4, expected 2}}
  %0 = hdp.sparse_pv config #hdp.config<block = [4, 2]> ins(%p, %v, %bm, %hm : tensor<1x2x8x6xf32>, tensor<1x2x6x3xf32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>) outs(%o : tensor<1x2x8x3xf32>) -> tensor<1x2x8x3xf32>
  return
}

// -----

func.func @f(%p: tensor<1x2x8x6xf32>, %v: tensor<1x2x6x3xf32>, %bm: tensor<1x2x4x3xi1>, %hm: tensor<1x2xi1>, %o: tensor<1x2x8x3xf32>, %o2: tensor<1x2x8x4xf32>) {
  // expected-error @+1 {{'hdp.sparse_pv' op output init dimension 3 (V) is 4, expected 3}}
  %0 = hdp.sparse_pv ins(%p, %v, %bm, %hm : tensor<1x2x8x6xf32>, tensor<1x2x6x3xf32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>) outs(%o2 : tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32>
  return
}

// -----

func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x4xi8>, %s: tensor<1x2x8x6xi32>, %t: tensor<1x2x4x3xi64>) {
  // expected-error @+1 {{'hdp.block_score' op expects 3 init(s) (scores, theta, magnitude (importance = signed)), got 2}}
  %0:2 = hdp.block_score config #hdp.config<importance = signed> ins(%qh, %kh : tensor<1x2x8x4xi8>, tensor<1x2x6x4xi8>) outs(%s, %t : tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>) -> tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>
  return
}

// -----

func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x4xi8>, %s: tensor<1x2x8x6xi32>, %t: tensor<1x2x4x3xi64>, %m: tensor<1x2x4x2xi64>) {
  // expected-error @+1 {{'hdp.block_score' op magnitude init dimension 3 (J) is 2, expected 3}}
  %0:3 = hdp.block_score config #hdp.config<importance = signed> ins(%qh, %kh : tensor<1x2x8x4xi8>, tensor<1x2x6x4xi8>) outs(%s, %t, %m : tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>, tensor<1x2x4x2xi64>) -> tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>, tensor<1x2x4x2xi64>
  return
}

// -----

func.func @f(%t: tensor<1x2x4x3xi64>, %b: tensor<1x2x4x3xi1>) {
  // expected-error @+1 {{'hdp.prune_mask' op importance = signed needs the block magnitudes (magnitude(...)) to know which blocks are valid}}
  %0 = hdp.prune_mask config #hdp.config<importance = signed> ins(%t : tensor<1x2x4x3xi64>) outs(%b : tensor<1x2x4x3xi1>) -> tensor<1x2x4x3xi1>
  return
}

// -----

func.func @f(%t: tensor<1x2x4x3xi64>, %b: tensor<1x2x4x3xi1>) {
  // expected-error @+1 {{'hdp.prune_mask' op magnitude(...) is only read under importance = signed; with importance = abs θ holds it}}
  %0 = hdp.prune_mask ins(%t : tensor<1x2x4x3xi64>) magnitude(%t : tensor<1x2x4x3xi64>) outs(%b : tensor<1x2x4x3xi1>) -> tensor<1x2x4x3xi1>
  return
}

// -----

func.func @f(%t: tensor<1x2x4x3xi64>, %m: tensor<1x2x4x3xi32>, %b: tensor<1x2x4x3xi1>) {
  // expected-error @+1 {{'hdp.prune_mask' op operand #1 must be i64 tensor or memref [B,H,NB,MB], but got 'tensor<1x2x4x3xi32>'}}
  %0 = hdp.prune_mask config #hdp.config<importance = signed> ins(%t : tensor<1x2x4x3xi64>) magnitude(%m : tensor<1x2x4x3xi32>) outs(%b : tensor<1x2x4x3xi1>) -> tensor<1x2x4x3xi1>
  return
}

// -----

// expected-error @+1 {{expected one of 'abs', 'signed' for 'importance'}}
func.func @f() attributes {c = #hdp.config<importance = negative>} {
  return
}

// -----

// The types of variadic results and inits that depend on their position.
func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>) {
  // expected-error @+1 {{'hdp.attention' op block mask result must have i1 elements, got 'tensor<1x2x4x3xf32>'}}
  %0:2 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x3xf32>, tensor<1x2x4x3xf32>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>) {
  // expected-error @+1 {{'hdp.attention' op theta_h result must have i64 elements, got 'tensor<1x2xi1>'}}
  %0:4 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x3xf32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>, tensor<1x2xi1>
  return
}

// -----

func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>) {
  // expected-error @+1 {{'hdp.attention' op output must have rank 4 [B,H,N,V], got 'tensor<2x3xf32>'}}
  %0 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x4xi8>, %s: tensor<1x2x8x6xi32>, %t: tensor<1x2x4x3xi32>) {
  // expected-error @+1 {{'hdp.block_score' op theta init must have i64 elements, got 'tensor<1x2x4x3xi32>'}}
  %0:2 = hdp.block_score ins(%qh, %kh : tensor<1x2x8x4xi8>, tensor<1x2x6x4xi8>) outs(%s, %t : tensor<1x2x8x6xi32>, tensor<1x2x4x3xi32>) -> tensor<1x2x8x6xi32>, tensor<1x2x4x3xi32>
  return
}

// -----

func.func @f(%t: tensor<1x2x4x3xi64>, %h: tensor<1x2xi1>) {
  // expected-error @+1 {{'hdp.head_mask' op theta_h init must have i64 elements, got 'tensor<1x2xi1>'}}
  %0:2 = hdp.head_mask ins(%t : tensor<1x2x4x3xi64>) outs(%h, %h : tensor<1x2xi1>, tensor<1x2xi1>) -> tensor<1x2xi1>, tensor<1x2xi1>
  return
}

// -----

func.func @f(%x: tensor<1x1x4x4xf32>, %a: tensor<4x4xi8>) {
  // expected-error @+1 {{'hdp.split_quantize' op integer part must have rank 4 [d,d,d,d], got 'tensor<4x4xi8>'}}
  %0:2 = hdp.split_quantize ins(%x : tensor<1x1x4x4xf32>) outs(%a, %a : tensor<4x4xi8>, tensor<4x4xi8>) -> tensor<4x4xi8>, tensor<4x4xi8>
  return
}

// -----

// Stage ops accept memrefs of any layout.
func.func @f(%x: memref<1x2x8x6xf32, strided<[96, 48, 6, 1], offset: ?>>, %o: memref<1x2x8x5xf32>) {
  // expected-error @+1 {{'hdp.masked_softmax' op init dimension 3 (M) is 5, expected 6}}
  hdp.masked_softmax ins(%x : memref<1x2x8x6xf32, strided<[96, 48, 6, 1], offset: ?>>) outs(%o : memref<1x2x8x5xf32>)
  return
}

// -----

func.func @f(%x: memref<*xf32>, %o: memref<1x2x8x6xf32>) {
  // expected-error @+1 {{'hdp.masked_softmax' op operand #0 must be f32 tensor or memref [B,H,N,M], but got 'memref<*xf32>'}}
  hdp.masked_softmax ins(%x : memref<*xf32>) outs(%o : memref<1x2x8x6xf32>)
  return
}
