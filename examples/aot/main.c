/* Runs an attention compiled ahead of time by hdp-compile.
 *
 *   hdp-compile --shape=1,2,16,12,8 --mask-shape=1,1,1,12 \
 *     --config='#hdp.config<rho = 0.3>' --name=example_attention \
 *     -o example_attention.o --header=example_attention.h
 *   clang-22 -I. main.c example_attention.o -lm -o example
 *   ./example q.bin k.bin v.bin mask.bin out.bin block_mask.bin
 *
 * Inputs are raw little-endian f32 files in row-major order; the program
 * writes the output and the block mask as raw files and prints a summary.
 */
#include "example_attention.h"

#include "../common/raw_files.h"

#include <stdio.h>
#include <stdlib.h>

enum {
  Q_SIZE = EXAMPLE_ATTENTION_B * EXAMPLE_ATTENTION_H * EXAMPLE_ATTENTION_N *
           EXAMPLE_ATTENTION_D,
  K_SIZE = EXAMPLE_ATTENTION_B * EXAMPLE_ATTENTION_H * EXAMPLE_ATTENTION_M *
           EXAMPLE_ATTENTION_D,
  V_SIZE = EXAMPLE_ATTENTION_B * EXAMPLE_ATTENTION_H * EXAMPLE_ATTENTION_M *
           EXAMPLE_ATTENTION_DV,
  MASK_SIZE = EXAMPLE_ATTENTION_B * EXAMPLE_ATTENTION_M,
  OUT_SIZE = EXAMPLE_ATTENTION_B * EXAMPLE_ATTENTION_H * EXAMPLE_ATTENTION_N *
             EXAMPLE_ATTENTION_DV,
  BLOCKS = EXAMPLE_ATTENTION_B * EXAMPLE_ATTENTION_H * EXAMPLE_ATTENTION_NB *
           EXAMPLE_ATTENTION_MB,
  HEADS = EXAMPLE_ATTENTION_B * EXAMPLE_ATTENTION_H,
};

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr,
            "usage: %s q.bin k.bin v.bin mask.bin out.bin "
            "block_mask.bin\n",
            argv[0]);
    return 2;
  }
  static float q[Q_SIZE], k[K_SIZE], v[V_SIZE], mask[MASK_SIZE], out[OUT_SIZE];
  static uint8_t blockMask[BLOCKS], headMask[HEADS];
  static int64_t thetaH[HEADS];
  if (!readAll("example", argv[1], q, sizeof q) ||
      !readAll("example", argv[2], k, sizeof k) ||
      !readAll("example", argv[3], v, sizeof v) ||
      !readAll("example", argv[4], mask, sizeof mask))
    return 1;

  example_attention_run(q, k, v, mask, out, blockMask, headMask, thetaH);

  int kept = 0;
  for (int i = 0; i < BLOCKS; ++i)
    kept += blockMask[i];
  int headsKept = 0;
  for (int i = 0; i < HEADS; ++i)
    headsKept += headMask[i];
  printf("example: kept %d of %d blocks, %d of %d heads; theta_H[0] = %lld\n",
         kept, BLOCKS, headsKept, HEADS, (long long)thetaH[0]);
  return writeAll("example", argv[5], out, sizeof out) &&
                 writeAll("example", argv[6], blockMask, sizeof blockMask)
             ? 0
             : 1;
}
