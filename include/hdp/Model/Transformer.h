//===- Transformer.h - Llama-2 forward pass, pluggable attention -*- C++ -*-==//
//
// The forward pass of a llama2.c model (RMSNorm, RoPE, grouped-query
// attention, SwiGLU, tied or separate classifier) over a whole sequence at
// once (prefill with a causal mask), with each layer's attention delegated to
// an AttentionBackend. Arithmetic follows llama2.c's run.c: f32 throughout,
// every dot product summed in increasing index order, so the dense backend
// reproduces run.c's numbers.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_TRANSFORMER_H
#define HDP_MODEL_TRANSFORMER_H

#include "hdp/Model/Attention.h"
#include "hdp/Model/Checkpoint.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <vector>

namespace hdp::model {

/// Optional outputs of a forward pass.
struct ForwardOptions {
  /// Per-layer statistics, accumulated (resized to the layer count).
  std::vector<LayerStats> *stats = nullptr;
  /// Called with each layer's attention inputs q, k ([1,H,T,D], after RoPE,
  /// k expanded to the query heads) before attention runs (calibration).
  std::function<void(unsigned layer, const ref::Tensor<float> &q,
                     const ref::Tensor<float> &k)>
      observeQK;
  /// Only compute the logits of the last position.
  bool lastOnly = false;
};

class Transformer {
public:
  explicit Transformer(Checkpoint checkpoint);

  const ModelConfig &config() const { return ckpt.config; }

  /// Logits [T][vocab] (row-major; [1][vocab] with lastOnly) for the
  /// sequence `tokens` (1 <= T <= seq_len, every id < vocab).
  llvm::Expected<std::vector<float>>
  forward(llvm::ArrayRef<int> tokens, AttentionBackend &attention,
          const ForwardOptions &options = {}) const;

  /// Greedy decoding: appends up to `steps` argmax tokens to `prompt`
  /// (stopping early at BOS, as run.c does, or at seq_len) and returns the
  /// generated ids. DenseBackend uses a key/value cache; the others
  /// recompute the whole prefix for every token (prefill semantics).
  llvm::Expected<std::vector<int>>
  generateGreedy(llvm::ArrayRef<int> prompt, int64_t steps,
                 AttentionBackend &attention) const;

private:
  llvm::Error checkTokens(llvm::ArrayRef<int> tokens) const;
  /// Greedy decoding with the dense attention and a key/value cache.
  std::vector<int> generateCached(llvm::ArrayRef<int> prompt,
                                  int64_t steps) const;

  /// The checkpoint with every matrix transposed to [in][out].
  Checkpoint ckpt;
};

/// Index of the largest logit (the first on ties, as run.c's argmax).
int argmax(const float *logits, int64_t n);

} // namespace hdp::model

#endif // HDP_MODEL_TRANSFORMER_H
