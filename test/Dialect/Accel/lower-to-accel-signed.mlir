// RUN: hdp-opt %s --hdp-decompose \
// RUN:   --hdp-lower-to-accel=accel-config=%hdp_src/configs/hdp-edge.json \
// RUN:   | FileCheck %s
// RUN: hdp-opt %s --hdp-lower-to-accel=accel-config=%hdp_src/configs/hdp-edge.json \
// RUN:   | FileCheck %s

// importance = signed reaches the command stream's attention parameters
// whether hdp-lower-to-accel starts from hdp.attention or from the stage ops
// hdp-decompose emits (block_score with its block magnitudes, prune_mask
// reading them).

// CHECK-LABEL: func.func @signed
// CHECK: hdp_accel.launch @signed_attn0
// CHECK: hdp_accel.program @signed_attn0 {{.*}} attention <{{.*}}policy = "hdp", importance = "signed", topk = 1{{.*}}rho_q16 = 32768{{.*}}>
func.func @signed(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>,
                  %v: tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32> {
  %0 = hdp.attention config #hdp.config<rho = 0.5, importance = signed>
      %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>,
      tensor<1x2x8x4xf32> -> tensor<1x2x8x4xf32>
  return %0 : tensor<1x2x8x4xf32>
}
