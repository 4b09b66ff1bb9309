/* Runs HDP attention from C through the runtime C API (hdp-c/Runtime.h).
 *
 *   clang-22 -std=c99 -Iinclude examples/runtime-c/main.c \
 *     -Lbuild/lib -lHDPRuntimeC -Wl,-rpath,build/lib -o attention
 *   ./attention q.bin k.bin v.bin mask.bin out.bin block_mask.bin
 *
 * Shape B=1, H=2, N=16, M=12, D=Dv=8 with a padding mask [1,1,1,M], config
 * rho = 0.3, tau_h = 0.5 (the same attention as examples/aot/main.c).
 * Inputs are raw little-endian f32 files in row-major order; the program
 * writes the output and the block mask and prints a summary. The handle is
 * created (compiled) once and could run any number of times.
 */
#include "hdp-c/Runtime.h"

#include "../common/raw_files.h"

#include <stdio.h>
#include <stdlib.h>

enum { B = 1, H = 2, N = 16, M = 12, D = 8, DV = 8 };

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr,
            "usage: %s q.bin k.bin v.bin mask.bin out.bin "
            "block_mask.bin\n",
            argv[0]);
    return 2;
  }
  static float q[B * H * N * D], k[B * H * M * D], v[B * H * M * DV],
      mask[B * M], out[B * H * N * DV];
  if (!readAll("attention", argv[1], q, sizeof q) ||
      !readAll("attention", argv[2], k, sizeof k) ||
      !readAll("attention", argv[3], v, sizeof v) ||
      !readAll("attention", argv[4], mask, sizeof mask))
    return 1;

  hdp_attention_shape shape = {B, H, N, M, D, DV, 4, {1, 1, 1, M}};
  hdp_attention *attention = NULL;
  if (hdp_attention_create("#hdp.config<rho = 0.3, tau_h = 0.5>", &shape,
                           &attention) != HDP_STATUS_OK) {
    fprintf(stderr, "attention: error: %s\n", hdp_last_error());
    return 1;
  }
  int64_t nb = 0, mb = 0;
  hdp_attention_block_grid(attention, &nb, &mb);
  uint8_t *blockMask = malloc((size_t)(B * H * nb * mb));
  uint8_t headMask[B * H];
  int64_t thetaH[B * H];
  int ok = blockMask != NULL;
  if (ok && hdp_attention_run(attention, q, k, v, mask, out, blockMask,
                              headMask, thetaH) != HDP_STATUS_OK) {
    fprintf(stderr, "attention: error: %s\n", hdp_last_error());
    ok = 0;
  }
  if (ok) {
    int kept = 0, headsKept = 0;
    for (int64_t i = 0; i < B * H * nb * mb; ++i)
      kept += blockMask[i];
    for (int i = 0; i < B * H; ++i)
      headsKept += headMask[i];
    printf("attention: kept %d of %lld blocks, %d of %d heads; "
           "theta_H[0] = %lld\n",
           kept, (long long)(B * H * nb * mb), headsKept, B * H,
           (long long)thetaH[0]);
    ok = writeAll("attention", argv[5], out, sizeof out) &&
         writeAll("attention", argv[6], blockMask, (size_t)(B * H * nb * mb));
  }
  free(blockMask);
  hdp_attention_destroy(attention);
  return ok ? 0 : 1;
}
