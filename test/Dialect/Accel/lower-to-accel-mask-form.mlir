// The pass option mask-form names how the accelerator holds the mask; it
// applies to attentions with a mask and leaves the others alone.
// RUN: hdp-opt %s --hdp-lower-to-accel="accel-config=%hdp_src/configs/hdp-edge.json mask-form=lengths" \
// RUN:   | FileCheck %s
// RUN: hdp-opt %s --hdp-lower-to-accel="accel-config=%hdp_src/configs/hdp-edge.json mask-form=bits" \
// RUN:   | FileCheck %s --check-prefix=BITS
// RUN: not hdp-opt %s --hdp-lower-to-accel="accel-config=%hdp_src/configs/hdp-edge.json mask-form=ranges" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD

// CHECK: hdp_accel.program @masked_attn0 {{.*}} shape <b = 1, h = 2, n = 6, m = 8, d = 8, dv = 8, mask = true, mask_form = "lengths">
// CHECK: hdp_accel.program @masked_attn1 {{.*}} shape <b = 1, h = 2, n = 6, m = 8, d = 8, dv = 8, mask = false>
// BITS: shape <b = 1, h = 2, n = 6, m = 8, d = 8, dv = 8, mask = true, mask_form = "bits">
// BAD: error: 'hdp.attention' op mask-form must be additive, bits or lengths (got 'ranges')
func.func @masked(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x8x8xf32>,
                  %v: tensor<1x2x8x8xf32>, %m: tensor<1x1x1x8xf32>)
    -> (tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>) {
  %0 = hdp.attention %q, %k, %v mask %m
      : tensor<1x2x6x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>,
        tensor<1x1x1x8xf32>
      -> tensor<1x2x6x8xf32>
  %1 = hdp.attention %q, %k, %v
      : tensor<1x2x6x8xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>
      -> tensor<1x2x6x8xf32>
  return %0, %1 : tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>
}
