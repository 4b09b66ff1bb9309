/* Whole-file raw I/O for the C examples (examples/aot, examples/runtime-c).
 *
 * The examples read and write raw little-endian arrays in row-major order;
 * a file of the wrong size is refused rather than read in part.
 */
#ifndef HDP_EXAMPLES_RAW_FILES_H
#define HDP_EXAMPLES_RAW_FILES_H

#include <stdio.h>

/* Reads exactly `bytes` bytes of `path` into `data`; on failure prints
 * "PROGRAM: error: ..." and returns 0. */
static int readAll(const char *program, const char *path, void *data,
                   size_t bytes) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "%s: error: %s: cannot open\n", program, path);
    return 0;
  }
  size_t got = fread(data, 1, bytes, f);
  int extra = fgetc(f) != EOF;
  fclose(f);
  if (got != bytes || extra) {
    fprintf(stderr, "%s: error: %s: expected exactly %zu bytes\n", program,
            path, bytes);
    return 0;
  }
  return 1;
}

/* Writes `bytes` bytes of `data` to `path`; on failure prints an error and
 * returns 0. */
static int writeAll(const char *program, const char *path, const void *data,
                    size_t bytes) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, bytes, f) != bytes) {
    fprintf(stderr, "%s: error: %s: cannot write\n", program, path);
    if (f)
      fclose(f);
    return 0;
  }
  return fclose(f) == 0;
}

#endif /* HDP_EXAMPLES_RAW_FILES_H */
