/* The roofline of one core of this machine, for reading bench/cpu results:
 * peak f32 FMA throughput (AVX-512, else AVX2 FMA, else scalar), peak int8
 * dot-product throughput (AVX-512 VNNI vpdpbusd, when the CPU has it), and
 * memory bandwidth (a stream copy far larger than the caches, and one that fits
 * L2). Each figure is the best of a few repetitions. Build (run.sh does):
 *   clang -O2 -march=native bench/cpu/roofline.c -o roofline
 * Prints one `name value unit` line per figure. */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

#define REPS 5
#define ACC 12 /* independent chains: latency x throughput of FMA and VNNI */

static double fmaPeak(void) {
  const long iters = 20000000;
  double best = 0;
  for (int rep = 0; rep < REPS; ++rep) {
#ifdef __AVX512F__
    __m512 acc[ACC], x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
    for (int a = 0; a < ACC; ++a)
      acc[a] = _mm512_set1_ps((float)a);
    double t0 = now();
    for (long i = 0; i < iters; ++i)
      for (int a = 0; a < ACC; ++a)
        acc[a] = _mm512_fmadd_ps(acc[a], x, y);
    double t = now() - t0;
    float sink = 0;
    for (int a = 0; a < ACC; ++a)
      sink += _mm512_reduce_add_ps(acc[a]);
    const double lanes = 16;
#elif defined(__FMA__)
    __m256 acc[ACC], x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
    for (int a = 0; a < ACC; ++a)
      acc[a] = _mm256_set1_ps((float)a);
    double t0 = now();
    for (long i = 0; i < iters; ++i)
      for (int a = 0; a < ACC; ++a)
        acc[a] = _mm256_fmadd_ps(acc[a], x, y);
    double t = now() - t0;
    float sink = 0;
    float tmp[8];
    for (int a = 0; a < ACC; ++a) {
      _mm256_storeu_ps(tmp, acc[a]);
      sink += tmp[0];
    }
    const double lanes = 8;
#else
    /* No FMA: scalar multiply-adds, which the compiler may vectorise. */
    float acc[ACC], x = 0.999999f, y = 1e-7f;
    for (int a = 0; a < ACC; ++a)
      acc[a] = (float)a;
    double t0 = now();
    for (long i = 0; i < iters; ++i)
      for (int a = 0; a < ACC; ++a)
        acc[a] = acc[a] * x + y;
    double t = now() - t0;
    float sink = 0;
    for (int a = 0; a < ACC; ++a)
      sink += acc[a];
    const double lanes = 1;
#endif
    if (sink == 12345.f)
      printf("#\n");
    double flops = 2.0 * lanes * ACC * iters / t;
    if (flops > best)
      best = flops;
  }
  return best;
}

static double vnniPeak(void) {
#if defined(__AVX512VNNI__) && defined(__AVX512F__)
  const long iters = 20000000;
  double best = 0;
  for (int rep = 0; rep < REPS; ++rep) {
    __m512i acc[ACC], u = _mm512_set1_epi8(3), s = _mm512_set1_epi8(-2);
    for (int a = 0; a < ACC; ++a)
      acc[a] = _mm512_set1_epi32(a);
    double t0 = now();
    for (long i = 0; i < iters; ++i)
      for (int a = 0; a < ACC; ++a)
        acc[a] = _mm512_dpbusd_epi32(acc[a], u, s);
    double t = now() - t0;
    int sink = 0;
    for (int a = 0; a < ACC; ++a)
      sink += _mm512_reduce_add_epi32(acc[a]);
    if (sink == 12345)
      printf("#\n");
    /* 16 lanes x 4 byte products each: 64 multiply-adds per instruction. */
    double macs = 64.0 * ACC * iters / t;
    if (macs > best)
      best = macs;
  }
  return best;
#else
  return 0;
#endif
}

/* Bytes read + written per second by a copy of `bytes` repeated `times`. */
static double copyBandwidth(size_t bytes, int times) {
  char *src = aligned_alloc(64, bytes), *dst = aligned_alloc(64, bytes);
  memset(src, 1, bytes);
  memset(dst, 2, bytes);
  double best = 0;
  for (int rep = 0; rep < REPS; ++rep) {
    double t0 = now();
    for (int k = 0; k < times; ++k)
      memcpy(dst, src, bytes);
    double t = now() - t0;
    double bw = 2.0 * bytes * times / t;
    if (bw > best)
      best = bw;
    src[rep] = dst[bytes - 1 - rep];
  }
  free(src);
  free(dst);
  return best;
}

int main(void) {
  printf("f32_fma_peak %.1f GFLOP/s\n", fmaPeak() * 1e-9);
  printf("int8_vnni_peak %.1f GMAC/s\n", vnniPeak() * 1e-9);
  printf("dram_copy_bandwidth %.1f GB/s\n",
         copyBandwidth((size_t)256 << 20, 2) * 1e-9);
  printf("l2_copy_bandwidth %.1f GB/s\n",
         copyBandwidth(256 << 10, 4000) * 1e-9);
  return 0;
}
