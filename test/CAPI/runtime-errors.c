/* Bad input to the runtime C API gives a status and a message, never a
 * crash. Prints one line per case for FileCheck (runtime-c.test). */
#include "hdp-c/Runtime.h"

#include <stdio.h>

static void report(const char *what, hdp_status status) {
  printf("%s: status %d: %s\n", what, (int)status, hdp_last_error());
}

int main(void) {
  hdp_attention_shape shape = {1, 2, 4, 4, 2, 2, -1, {0, 0, 0, 0}};
  hdp_attention *h = NULL;
  float buf[64] = {0};

  report("null handle pointer", hdp_attention_create("", &shape, NULL));
  report("null shape", hdp_attention_create("", NULL, &h));
  report("bad config",
         hdp_attention_create("#hdp.config<rho = 2.0>", &shape, &h));
  report("block too large",
         hdp_attention_create("#hdp.config<block = [2, 20000]>", &shape, &h));
  report("scale inf as f32",
         hdp_attention_create("#hdp.config<scale = 1.0e39>", &shape, &h));
  report("not a config", hdp_attention_create("#hdp.conf<>", &shape, &h));
  printf("handle after failure: %s\n", h ? "set" : "null");
  hdp_attention_shape zero = shape;
  zero.head_dim = 0;
  report("zero dimension", hdp_attention_create("", &zero, &h));
  hdp_attention_shape badMask = shape;
  badMask.mask_rank = 2;
  badMask.mask_shape[0] = 3;
  badMask.mask_shape[1] = 4;
  report("mask shape", hdp_attention_create("", &badMask, &h));
  badMask.mask_rank = 7;
  report("mask rank", hdp_attention_create("", &badMask, &h));

  report("run null handle",
         hdp_attention_run(NULL, buf, buf, buf, NULL, buf, NULL, NULL, NULL));
  if (hdp_attention_create("#hdp.config<policy = dense>", &shape, &h) !=
      HDP_STATUS_OK) {
    printf("unexpected: %s\n", hdp_last_error());
    return 1;
  }
  report("run null k",
         hdp_attention_run(h, buf, NULL, buf, NULL, buf, NULL, NULL, NULL));
  report("run unexpected mask",
         hdp_attention_run(h, buf, buf, buf, buf, buf, NULL, NULL, NULL));
  /* Optional outputs may be NULL. */
  report("run ok",
         hdp_attention_run(h, buf, buf, buf, NULL, buf, NULL, NULL, NULL));
  hdp_attention_destroy(h);
  hdp_attention_destroy(NULL);
  return 0;
}
