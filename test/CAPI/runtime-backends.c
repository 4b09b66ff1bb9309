/* hdp_attention_create_on_backend: the same attention on the CPU, the
 * reference and the simulator gives the same masks and theta_H and outputs
 * within 1e-5; the simulator reports statistics; bad arguments give a
 * status and a message. Prints one line per check for FileCheck
 * (runtime-c.test).
 *
 * usage: runtime-backends ACCEL_CONFIG.json */
#include "hdp-c/Runtime.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { B = 1, H = 2, N = 10, M = 9, D = 4, NB = 5, MB = 5 };

static void report(const char *what, hdp_status status) {
  printf("%s: status %d: %s\n", what, (int)status, hdp_last_error());
}

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  static float q[B * H * N * D], k[B * H * M * D], v[B * H * M * D];
  static float mask[M], out[3][B * H * N * D];
  static uint8_t blocks[3][B * H * NB * MB], heads[3][B * H];
  static int64_t theta[3][B * H];
  /* Deterministic, varied values (a small LCG). */
  unsigned seed = 12345;
  float *all[] = {q, k, v};
  int sizes[] = {B * H * N * D, B * H * M * D, B * H * M * D};
  for (int t = 0; t < 3; ++t)
    for (int i = 0; i < sizes[t]; ++i) {
      seed = seed * 1103515245u + 12345u;
      all[t][i] = (float)((seed >> 16) % 2001) / 500.0f - 2.0f;
    }
  for (int j = 0; j < M; ++j)
    mask[j] = j == 4 ? -INFINITY : 0.0f;

  hdp_attention_shape shape = {B, H, N, M, D, D, 4, {1, 1, 1, M}};
  const char *config = "#hdp.config<rho = 0.2, tau_h = 0.3>";
  hdp_backend backends[] = {HDP_BACKEND_CPU, HDP_BACKEND_REFERENCE,
                            HDP_BACKEND_SIM};
  const char *names[] = {"cpu", "reference", "sim"};
  for (int b = 0; b < 3; ++b) {
    hdp_attention *h = NULL;
    hdp_status s = hdp_attention_create_on_backend(
        config, &shape, backends[b],
        backends[b] == HDP_BACKEND_SIM ? argv[1] : NULL, &h);
    if (s != HDP_STATUS_OK) {
      report(names[b], s);
      return 1;
    }
    printf("%s: stats before run: \"%s\"\n", names[b],
           hdp_attention_stats_json(h));
    s = hdp_attention_run(h, q, k, v, mask, out[b], blocks[b], heads[b],
                          theta[b]);
    if (s != HDP_STATUS_OK) {
      report(names[b], s);
      return 1;
    }
    const char *stats = hdp_attention_stats_json(h);
    printf("%s: stats after run: %s\n", names[b],
           strstr(stats, "\"cycles\"") ? "with cycles" : stats);
    hdp_attention_destroy(h);
  }
  int kept = 0;
  for (int i = 0; i < B * H * NB * MB; ++i)
    kept += blocks[1][i];
  printf("reference: kept %d of %d blocks\n", kept, B * H * NB * MB);
  for (int b = 0; b < 3; b += 2) {
    float err = 0;
    for (int i = 0; i < B * H * N * D; ++i)
      err = fmaxf(err, fabsf(out[b][i] - out[1][i]));
    printf("%s vs reference: out within 1e-5: %d, block mask equal: %d, "
           "head mask equal: %d, theta_H equal: %d\n",
           names[b], err <= 1e-5f,
           !memcmp(blocks[b], blocks[1], sizeof blocks[1]),
           !memcmp(heads[b], heads[1], sizeof heads[1]),
           !memcmp(theta[b], theta[1], sizeof theta[1]));
  }

  hdp_attention *h = NULL;
  report("unknown backend",
         hdp_attention_create_on_backend("", &shape, (hdp_backend)7, NULL, &h));
  report(
      "sim without accel config",
      hdp_attention_create_on_backend("", &shape, HDP_BACKEND_SIM, NULL, &h));
  report("accel config for cpu", hdp_attention_create_on_backend(
                                     "", &shape, HDP_BACKEND_CPU, argv[1], &h));
  report("missing accel config",
         hdp_attention_create_on_backend("", &shape, HDP_BACKEND_SIM,
                                         "no-such-config.json", &h));
  hdp_attention_shape huge = shape;
  huge.query_len = huge.key_len = 1 << 15;
  huge.mask_rank = -1;
  report("reference too large",
         hdp_attention_create_on_backend("", &huge, HDP_BACKEND_REFERENCE, NULL,
                                         &h));
  printf("handle after failures: %s\n", h ? "set" : "null");
  printf("stats of NULL: %s\n",
         hdp_attention_stats_json(NULL) ? "set" : "null");
  return 0;
}
