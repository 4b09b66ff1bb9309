// Errors of hdp-lower-to-accel that concern the accelerator configuration.

// Tiles that cannot fit the buffers: the error names the key to grow.
// RUN: hdp-opt %s -verify-diagnostics \
// RUN:   --hdp-lower-to-accel=accel-config=%S/Inputs/tiny-score.json

// No configuration, or a missing file: an error at the module.
// RUN: not hdp-opt %s --hdp-lower-to-accel 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NOCONFIG
// NOCONFIG: error: hdp-lower-to-accel needs the accelerator: accel-config=PATH (e.g. configs/hdp-edge.json)
// RUN: not hdp-opt %s --hdp-lower-to-accel=accel-config=%t.missing.json 2>&1 \
// RUN:   | FileCheck %s --check-prefix=MISSING -DF=%t.missing.json
// MISSING: error: hdp-lower-to-accel: accel-config: [[F]]:

func.func @big(%q: tensor<1x1x64x16xf32>, %k: tensor<1x1x512x16xf32>,
               %v: tensor<1x1x512x16xf32>) -> tensor<1x1x64x16xf32> {
  // expected-error @+1 {{cannot be compiled for accelerator 'tiny-score': sram.score_buffer_bytes: too small for this attention: one block row (2 query rows, M=512 keys) needs 4096 bytes in one score slot, but a slot holds 32 bytes (half of 64)}}
  %0 = hdp.attention %q, %k, %v
      : tensor<1x1x64x16xf32>, tensor<1x1x512x16xf32>, tensor<1x1x512x16xf32>
      -> tensor<1x1x64x16xf32>
  return %0 : tensor<1x1x64x16xf32>
}
