/*===- hdp-c/Runtime.h - Run HDP attention from C -----------------*- C -*-===*\
 *
 * A C interface for running Hybrid Dynamic Pruning attention on host
 * buffers, for applications in C, C++, Python (ctypes) or any language with
 * a C FFI. Link libHDPRuntimeC.so (JIT: compiles each configuration and
 * shape once, when a handle is created). hdp_attention_create_on_backend
 * also runs the same attention on the plain-loop reference or on the
 * simulated co-processor, behind the same calls.
 *
 * Data layout: every buffer is dense, row-major, with the documented shape:
 *   q [B,H,N,D], k [B,H,M,D], v [B,H,M,Dv]        (float)
 *   mask: additive, any shape broadcastable to [B,H,N,M] (float); an
 *         element <= -10000 is removed from the attention
 *   out [B,H,N,Dv] (float), block_mask [B,H,NB,MB] (uint8_t 0/1, with
 *   NB = ceil(N/bm), MB = ceil(M/bn) for the config's block shape),
 *   head_mask [B,H] (uint8_t 0/1), theta_h [B,H] (int64_t).
 *
 * Errors: every function that can fail returns an hdp_status; on failure
 * hdp_last_error() describes it. Bad arguments (null pointers, bad config
 * text, shapes that do not agree) are reported, never crash.
 *
 * Threading: a handle may be used from any thread; runs on one handle are
 * serialised, runs on different handles proceed in parallel.
 * hdp_last_error() is per thread.
 *
 * Ownership: the caller owns every buffer; the library keeps no pointer to
 * them after a call returns. A handle belongs to the caller until
 * hdp_attention_destroy.
\*===----------------------------------------------------------------------===*/

#ifndef HDP_C_RUNTIME_H
#define HDP_C_RUNTIME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hdp_status {
  HDP_STATUS_OK = 0,
  /** A null pointer, bad config text or shapes that do not agree. */
  HDP_STATUS_INVALID_ARGUMENT = 1,
  /** Compiling the attention failed. */
  HDP_STATUS_COMPILE_ERROR = 2,
  /** Running the compiled attention failed. */
  HDP_STATUS_RUNTIME_ERROR = 3,
} hdp_status;

/** The shapes of one attention. */
typedef struct hdp_attention_shape {
  int64_t batch;     /**< B */
  int64_t heads;     /**< H */
  int64_t query_len; /**< N */
  int64_t key_len;   /**< M */
  int64_t head_dim;  /**< D */
  int64_t value_dim; /**< Dv */
  /** -1: no mask; 0 to 4: rank of the additive mask. */
  int32_t mask_rank;
  /** The first mask_rank entries: the mask's shape. */
  int64_t mask_shape[4];
} hdp_attention_shape;

/** Where an attention runs. */
typedef enum hdp_backend {
  /** JIT-compiled CPU code (what hdp_attention_create uses). */
  HDP_BACKEND_CPU = 0,
  /** The plain-loop reference of the semantics: exact, slow. */
  HDP_BACKEND_REFERENCE = 1,
  /** The command stream on the cycle-level co-processor simulator. */
  HDP_BACKEND_SIM = 2,
} hdp_backend;

/** An attention compiled for one configuration and shape. */
typedef struct hdp_attention hdp_attention;

/** Compiles the attention `config` (text of a #hdp.config<...> attribute,
 * e.g. "#hdp.config<rho = 0.3>"; NULL or "" for the defaults) for `shape`.
 * On success stores a new handle in *handle. */
hdp_status hdp_attention_create(const char *config,
                                const hdp_attention_shape *shape,
                                hdp_attention **handle);

/** Like hdp_attention_create, on `backend`. HDP_BACKEND_SIM needs
 * `accel_config`, the path of an accelerator configuration JSON (e.g.
 * share/hdp/configs/hdp-edge.json); the other backends need it NULL. The
 * reference and the simulator allocate the whole score matrix: at most 2^28
 * elements of [B,H,N,M]. */
hdp_status hdp_attention_create_on_backend(const char *config,
                                           const hdp_attention_shape *shape,
                                           hdp_backend backend,
                                           const char *accel_config,
                                           hdp_attention **handle);

/** Threads of the code that HDP_BACKEND_CPU handles created after this call
 * run on: 0 (the default) lets the OpenMP runtime choose (OMP_NUM_THREADS,
 * else every core), 1 compiles sequential code, N > 1 uses N threads; at
 * most 1024. Results are the same bits whatever the number. */
hdp_status hdp_set_cpu_threads(int threads);

/** The integer product kernels of HDP_BACKEND_CPU handles created after
 * this call: "host" (the default: the fastest this CPU runs), "generic",
 * "avx512-vnni" or "avx-vnni" (x86 VNNI dot products; refused when the CPU
 * lacks them). Results are the same bits whatever the kernels. */
hdp_status hdp_set_cpu_int_kernels(const char *kernels);

/** Runs the compiled attention. q, k, v and out are required; mask is
 * required exactly when the shape has one; block_mask, head_mask and
 * theta_h may be NULL when not wanted. The CPU backend writes the results
 * straight into the output buffers; an output may still overlap an input
 * (out over v, in place) or another output: it is then computed aside and
 * copied in, with the same results. */
hdp_status hdp_attention_run(hdp_attention *handle, const float *q,
                             const float *k, const float *v, const float *mask,
                             float *out, uint8_t *block_mask,
                             uint8_t *head_mask, int64_t *theta_h);

/** The block grid [NB, MB] of the handle's block mask. */
hdp_status hdp_attention_block_grid(const hdp_attention *handle,
                                    int64_t *num_block_rows,
                                    int64_t *num_block_cols);

/** HDP_BACKEND_SIM: the simulator's statistics of the handle's last
 * successful run as JSON (docs/accelerator.md lists the fields); "" before
 * the first run and on the other backends. Valid until the next run on the
 * handle. NULL for a NULL handle. */
const char *hdp_attention_stats_json(hdp_attention *handle);

/** Frees the handle (NULL is allowed). */
void hdp_attention_destroy(hdp_attention *handle);

/** create + run + destroy, for a single call (compiles every time). */
hdp_status hdp_attention_run_once(const char *config,
                                  const hdp_attention_shape *shape,
                                  const float *q, const float *k,
                                  const float *v, const float *mask, float *out,
                                  uint8_t *block_mask, uint8_t *head_mask,
                                  int64_t *theta_h);

/** The message of the last failure on this thread ("" if none); valid until
 * the next hdp_* call on this thread. */
const char *hdp_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* HDP_C_RUNTIME_H */
