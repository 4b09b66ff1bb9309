//===- Attention.h - Pluggable attention for the model runner ---*- C++ -*-===//
//
// The transformer computes everything but attention itself; each layer's
// attention goes to an AttentionBackend:
//
//   DenseBackend      plain f32 causal softmax attention, as llama2.c's run.c
//                     computes it (the baseline every metric compares with);
//   ReferenceBackend  hdp attention by the plain-loop reference (hdp::ref),
//                     one #hdp.config per layer;
//   CpuBackend        (CpuBackend.h) the same, JIT-compiled by the hdp CPU
//                     pipeline.
//
// A call sees one whole sequence (prefill): Q, K, V are [1, H, T, head_size],
// with K and V already expanded from the key/value heads to the H query heads
// (GQA shares each key/value head across a group of query heads), and a
// causal mask. Backends report per-layer pruning statistics.
//
// hdp is causal in its values (masked elements never contribute) but not in
// its decisions: a block row spans several query rows and head pruning sums
// over the whole head, so a later token can change which blocks an earlier
// row keeps. Metrics therefore measure hdp as a prefill computation, and
// generation with an hdp backend recomputes the prefix for every token.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_ATTENTION_H
#define HDP_MODEL_ATTENTION_H

#include "hdp/Reference/Reference.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hdp::model {

/// What one layer's attention pruned and quantized, summed over calls.
struct LayerStats {
  int64_t validBlocks = 0;    ///< blocks with at least one causal element
  int64_t keptBlocks = 0;     ///< of those, kept by the block mask
  int64_t heads = 0;          ///< (sequence, head) pairs
  int64_t prunedHeads = 0;    ///< of those, pruned by the head mask
  int64_t causalElements = 0; ///< score elements j <= i
  int64_t keptElements = 0;   ///< of those, computed (block and head kept)
  int64_t quantized = 0;      ///< Q and K values quantized
  int64_t clamped = 0;        ///< of those, saturated by the fixed point
  int64_t rows = 0;           ///< query rows (sequence, head, position)
  /// Σ over rows of the dense softmax probability that falls on elements
  /// hdp does not compute (pruned blocks or heads): what pruning throws away,
  /// measured on the same Q and K.
  double massLost = 0.0;

  void add(const LayerStats &o);
  /// Fraction of valid blocks pruned by the block mask (0 when none).
  double blockSparsity() const;
  /// Fraction of heads pruned.
  double headSparsity() const;
  /// Fraction of causal score elements not computed (blocks and heads).
  double elementSparsity() const;
  double clampRate() const;
  /// Mean over rows of the dense attention probability pruned away.
  double meanMassLost() const;
};

/// Computes one layer's causal attention over a whole sequence.
class AttentionBackend {
public:
  virtual ~AttentionBackend();
  /// A short name for reports ("dense", "reference", "cpu").
  virtual std::string name() const = 0;
  /// out [1,H,T,Dv] for q [1,H,T,D], k [1,H,T,D], v [1,H,T,Dv], with row i
  /// attending to keys j <= i. Adds what was pruned to `stats` if not null.
  virtual llvm::Expected<ref::Tensor<float>> attend(unsigned layer,
                                                    const ref::Tensor<float> &q,
                                                    const ref::Tensor<float> &k,
                                                    const ref::Tensor<float> &v,
                                                    LayerStats *stats) = 0;

  /// Bidirectional attention over a batch under an additive mask (the
  /// encoder's): q [B,H,T,D], k [B,H,T,D], v [B,H,T,Dv], mask [B,1,T,T].
  /// Elements whose mask value is <= -10000 are removed (ref::isRemoved): no
  /// backend lets them contribute, and a row whose elements are all removed
  /// outputs 0. Adds what was pruned to `stats` if not null, counting only
  /// what the mask leaves (rows with a non-removed element, their Q and the
  /// K of keys someone attends to), so that padding never changes a
  /// statistic. Backends without it return an error.
  virtual llvm::Expected<ref::Tensor<float>>
  attendMasked(unsigned layer, const ref::Tensor<float> &q,
               const ref::Tensor<float> &k, const ref::Tensor<float> &v,
               const ref::Tensor<float> &mask, LayerStats *stats);
};

/// Plain f32 attention the way llama2.c computes it: score = (q·k) in f32
/// summed in order, divided by sqrt(head_size), softmax over j <= i, then
/// the weighted sum of V rows in increasing j.
class DenseBackend : public AttentionBackend {
public:
  std::string name() const override { return "dense"; }
  llvm::Expected<ref::Tensor<float>> attend(unsigned layer,
                                            const ref::Tensor<float> &q,
                                            const ref::Tensor<float> &k,
                                            const ref::Tensor<float> &v,
                                            LayerStats *stats) override;

  /// One query row against keys/values [0, count): `keys` and `values` are
  /// `count` rows with a stride of `stride` floats. Writes `headSize`
  /// outputs. Shared with the incremental decoder so both agree bit for bit.
  static void attendRow(const float *query, const float *keys,
                        const float *values, int64_t count, int64_t stride,
                        int64_t headSize, float *out);

  /// softmax(q·kᵀ/sqrt(D) + mask)·V in f32 over the non-removed keys, the
  /// way transformers' BertSelfAttention computes it (a removed key's
  /// -10000 leaves exactly 0 weight there in f32).
  llvm::Expected<ref::Tensor<float>>
  attendMasked(unsigned layer, const ref::Tensor<float> &q,
               const ref::Tensor<float> &k, const ref::Tensor<float> &v,
               const ref::Tensor<float> &mask, LayerStats *stats) override;
};

/// hdp attention by the reference library, one configuration per layer.
class ReferenceBackend : public AttentionBackend {
public:
  /// `configs` has one entry per layer, or a single entry for all layers.
  explicit ReferenceBackend(std::vector<ref::AttentionConfig> configs)
      : configs(std::move(configs)) {}
  std::string name() const override { return "reference"; }
  llvm::Expected<ref::Tensor<float>> attend(unsigned layer,
                                            const ref::Tensor<float> &q,
                                            const ref::Tensor<float> &k,
                                            const ref::Tensor<float> &v,
                                            LayerStats *stats) override;
  llvm::Expected<ref::Tensor<float>>
  attendMasked(unsigned layer, const ref::Tensor<float> &q,
               const ref::Tensor<float> &k, const ref::Tensor<float> &v,
               const ref::Tensor<float> &mask, LayerStats *stats) override;

private:
  std::vector<ref::AttentionConfig> configs;
};

/// The configuration of `layer` in a per-layer list (a single entry applies
/// to every layer).
const ref::AttentionConfig &
configForLayer(const std::vector<ref::AttentionConfig> &configs,
               unsigned layer);

/// The additive causal mask [T,T]: 0 for j <= i, -inf above the diagonal.
ref::Tensor<float> causalMask(int64_t length);

/// Adds the dense attention mass on pruned elements of every row (see
/// LayerStats::massLost) for q, k [1,H,T,D] and an hdp block mask
/// [H][NB][MB] and head mask [H] over the causal [T,T] score matrix.
void countMassLost(const ref::Tensor<float> &q, const ref::Tensor<float> &k,
                   const ref::AttentionConfig &config,
                   const std::vector<uint8_t> &blockMask,
                   const std::vector<uint8_t> &headMask, LayerStats &stats);

/// Counts quantized and clamped values of `x` under `config` (step 1 of the
/// semantics) into `stats`.
void countClamped(const ref::Tensor<float> &x,
                  const ref::AttentionConfig &config, LayerStats &stats);

/// Adds the block and head statistics of an hdp result over a causal
/// [T,T] score matrix (valid blocks, kept blocks and elements, heads).
void countPruning(int64_t length, const ref::AttentionConfig &config,
                  const std::vector<uint8_t> &blockMask,
                  const std::vector<uint8_t> &headMask, int64_t heads,
                  LayerStats &stats);

/// The statistics of one masked attention call (AttentionBackend::
/// attendMasked) over q, k [B,H,T,D] and mask [B,1,T,T], for an hdp result
/// with block mask [B,H,NB,MB] and head mask [B,H] under `config`: blocks
/// are valid when they hold a non-removed element, "causal" elements are
/// the non-removed ones, rows are the rows with a non-removed element, and
/// clamping counts the Q rows of those rows and the K rows of keys some row
/// attends to. `withQuantization` false (dense) skips clamping and mass lost.
void countMaskedStats(const ref::Tensor<float> &q, const ref::Tensor<float> &k,
                      const ref::Tensor<float> &mask,
                      const ref::AttentionConfig &config,
                      const std::vector<uint8_t> &blockMask,
                      const std::vector<uint8_t> &headMask,
                      bool withQuantization, LayerStats &stats);

} // namespace hdp::model

#endif // HDP_MODEL_ATTENTION_H
