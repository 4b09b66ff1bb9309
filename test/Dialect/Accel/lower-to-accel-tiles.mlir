// Tiles of the stage ops become the accelerator's strips, so they must fit
// its buffers; and they cannot disagree with a strip-rows option.

// RUN: hdp-opt %s --hdp-decompose --hdp-tile=tile-block-rows=512 \
// RUN:   --hdp-lower-to-accel=accel-config=%hdp_src/configs/hdp-edge.json \
// RUN:   -verify-diagnostics -o /dev/null
// RUN: not hdp-opt %s --hdp-decompose --hdp-tile=tile-block-rows=4 \
// RUN:   --hdp-lower-to-accel="accel-config=%hdp_src/configs/hdp-edge.json strip-rows=4" \
// RUN:   -o /dev/null 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: hdp-opt %s --hdp-decompose --hdp-tile=tile-block-rows=4 \
// RUN:   --hdp-lower-to-accel=accel-config=%hdp_src/configs/hdp-edge.json \
// RUN:   | FileCheck %s --check-prefix=FITS

// OPTION: error: 'hdp.block_score' op is tiled into strips of 8 query rows, but the pass option asks for strip-rows=4
// FITS: hdp_accel.launch @big_attn0
// FITS: hdp_accel.dma_load q_int core 0 batch 0 head 0 rows 0+8 cols 0+0 slot 0
func.func @big(%q: tensor<1x1x1024x64xf32>, %k: tensor<1x1x1024x64xf32>,
               %v: tensor<1x1x1024x64xf32>) -> tensor<1x1x1024x64xf32> {
  // expected-error @+1 {{cannot be compiled for accelerator 'hdp-edge' with its tiles of 1024 query rows as strips: sram.q_buffer_bytes: too small for this attention: a strip of 1024 query rows needs 65536 bytes in one q slot, but a slot holds 8192 bytes (half of 16384)}}
  %0 = hdp.attention %q, %k, %v
      : tensor<1x1x1024x64xf32>, tensor<1x1x1024x64xf32>, tensor<1x1x1024x64xf32>
      -> tensor<1x1x1024x64xf32>
  return %0 : tensor<1x1x1024x64xf32>
}
