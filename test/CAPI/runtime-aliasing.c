/* hdp_attention_run writes its results straight into the caller's buffers.
 * An output that overlaps an input (out written over v, in place) or
 * another output must still give the results of separate buffers; so must
 * NULL optional outputs. Prints one line per case (runtime-c.test). */
#include "hdp-c/Runtime.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { B = 1, H = 2, N = 32, M = 32, D = 16 };
enum { QN = B * H * N * D, KN = B * H * M * D };

static uint32_t state = 12345u;
static float next(void) {
  state = state * 1664525u + 1013904223u;
  return (float)((state >> 8) & 0xffff) / 8192.0f - 4.0f;
}

static int same(const char *what, const void *a, const void *b, size_t n) {
  int ok = memcmp(a, b, n) == 0;
  printf("%s: %s\n", what, ok ? "identical" : "DIFFERENT");
  return ok;
}

/* One run; says why when it fails. */
static int run(hdp_attention *h, const float *q, const float *k, const float *v,
               float *out, uint8_t *blockMask, uint8_t *headMask,
               int64_t *thetaH) {
  if (hdp_attention_run(h, q, k, v, NULL, out, blockMask, headMask, thetaH) ==
      HDP_STATUS_OK)
    return 1;
  printf("unexpected: %s\n", hdp_last_error());
  return 0;
}

int main(void) {
  hdp_attention_shape shape = {B, H, N, M, D, D, -1, {0, 0, 0, 0}};
  hdp_attention *h = NULL;
  if (hdp_set_cpu_threads(2) != HDP_STATUS_OK ||
      hdp_attention_create("#hdp.config<rho = 0.3>", &shape, &h) !=
          HDP_STATUS_OK) {
    printf("unexpected: %s\n", hdp_last_error());
    return 1;
  }
  int64_t nb = 0, mb = 0;
  hdp_attention_block_grid(h, &nb, &mb);
  static float q[QN], k[KN], v[KN], out[QN], inPlace[QN];
  static uint8_t blocks[B * H * 16 * 16], blocks2[B * H * 16 * 16];
  uint8_t heads[B * H], heads2[B * H];
  int64_t theta[B * H], theta2[B * H];
  if (nb * mb * B * H != (int64_t)sizeof blocks) {
    printf("unexpected block grid %lld x %lld\n", (long long)nb, (long long)mb);
    return 1;
  }
  for (int i = 0; i < QN; ++i)
    q[i] = next();
  for (int i = 0; i < KN; ++i) {
    k[i] = next();
    v[i] = next();
  }
  int ok = 1;
  /* Separate buffers: the results every other case must match. */
  if (!run(h, q, k, v, out, blocks, heads, theta))
    return 1;
  /* Output over the values, in place: every tile of query rows reads all
   * of V while earlier tiles have written their rows of the output. */
  memcpy(inPlace, v, sizeof v);
  if (!run(h, q, k, inPlace, inPlace, blocks2, heads2, theta2))
    return 1;
  ok &= same("out over v", out, inPlace, sizeof out);
  ok &= same("block mask beside it", blocks, blocks2, sizeof blocks);
  ok &= same("theta_h beside it", theta, theta2, sizeof theta);
  /* Only the output asked for. */
  memset(inPlace, 0, sizeof inPlace);
  if (!run(h, q, k, v, inPlace, NULL, NULL, NULL))
    return 1;
  ok &= same("out alone", out, inPlace, sizeof out);
  /* The head mask written over the first bytes of the block mask: the
   * later output wins, as when results were copied in order. */
  memset(blocks2, 7, sizeof blocks2);
  if (!run(h, q, k, v, inPlace, blocks2, blocks2, NULL))
    return 1;
  ok &= same("head mask over the block mask", heads, blocks2, sizeof heads);
  ok &= same("rest of the block mask", blocks + sizeof heads,
             blocks2 + sizeof heads, sizeof blocks - sizeof heads);
  hdp_attention_destroy(h);
  return ok ? 0 : 1;
}
