/* Error paths of the runtime C API over an ahead-of-time object
 * (example.test). */
#include "hdp-c/Runtime.h"

#include <stdio.h>

static void report(const char *what, hdp_status status) {
  printf("%s: status %d: %s\n", what, (int)status, hdp_last_error());
}

int main(void) {
  hdp_attention_shape shape = {1, 2, 16, 12, 8, 8, 4, {1, 1, 1, 12}};
  hdp_attention *h = NULL;
  report("other config",
         hdp_attention_create("#hdp.config<rho = 0.4>", &shape, &h));
  report("same config, other spacing",
         hdp_attention_create("#hdp.config<rho=0.3,tau_h=0.5>", &shape, &h));
  hdp_attention_shape other = shape;
  other.query_len = 8;
  hdp_attention *h2 = NULL;
  report(
      "other shape",
      hdp_attention_create("#hdp.config<rho = 0.3, tau_h = 0.5>", &other, &h2));
  static float buf[1024];
  report("no mask",
         hdp_attention_run(h, buf, buf, buf, NULL, buf, NULL, NULL, NULL));
  hdp_attention_destroy(h);
  return 0;
}
