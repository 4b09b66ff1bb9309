//===- BertEncoder.h - BERT forward pass, pluggable attention ---*- C++ -*-===//
//
// The forward pass of a BertForMaskedLM model (transformers' BertModel in
// eval mode, absolute positions, one segment) over a batch of sequences,
// with each layer's self-attention delegated to an AttentionBackend
// (AttentionBackend::attendMasked):
//
//   x = LayerNorm(word[id] + position[p] + token_type[0])
//   per layer:  a = attention(x·Wqᵀ+bq, x·Wkᵀ+bk, x·Wvᵀ+bv; padding mask)
//               x = LayerNorm(a·Woᵀ + bo + x)
//               x = LayerNorm(GELU(x·W1ᵀ + b1)·W2ᵀ + b2 + x)
//   MLM head:   logits = LayerNorm(GELU(x·Wdᵀ + bd))·Eᵀ + bias
//
// with GELU(x) = x·(1 + erf(x/√2))/2 and LayerNorm over the hidden size with
// the config's layer_norm_eps. Arithmetic is f32; every dot product is summed
// in increasing index order.
//
// A batch is padded to its longest sequence. The attention mask is
// [B,1,T,T] with -10000 on every element whose key or query is padding (see
// paddingMask), and the dense layers run on the real tokens only, so a
// sequence's results do not depend on the batch it runs in.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_BERTENCODER_H
#define HDP_MODEL_BERTENCODER_H

#include "hdp/Model/Attention.h"
#include "hdp/Model/BertCheckpoint.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <vector>

namespace hdp::model {

/// Optional outputs of an encoder forward pass.
struct EncoderOptions {
  /// Per-layer statistics, accumulated (resized to the layer count).
  std::vector<LayerStats> *stats = nullptr;
  /// Called with each layer's attention inputs q, k ([B,H,T,D]) and mask
  /// ([B,1,T,T]) before attention runs (calibration).
  std::function<void(unsigned layer, const ref::Tensor<float> &q,
                     const ref::Tensor<float> &k,
                     const ref::Tensor<float> &mask)>
      observeQK;
};

/// The additive mask of a batch padded to `length`: element (b, i, j) is
/// -10000 when i or j is at or past lengths[b], else 0.
ref::Tensor<float> paddingMask(llvm::ArrayRef<int64_t> lengths, int64_t length);

class BertEncoder {
public:
  explicit BertEncoder(BertCheckpoint checkpoint);

  const BertConfig &config() const { return ckpt.config; }

  /// The final hidden states of a batch: the rows of every sequence's
  /// tokens one after the other ([Σ lengths][hidden]). Each sequence has 1
  /// to max_position_embeddings tokens, every id < vocab_size.
  llvm::Expected<std::vector<float>>
  encode(llvm::ArrayRef<std::vector<int>> sequences,
         AttentionBackend &attention, const EncoderOptions &options = {}) const;

  /// MLM logits [rows][vocab] of `rows` final hidden states.
  std::vector<float> mlmLogits(const float *hidden, int64_t rows) const;

private:
  llvm::Error checkSequences(llvm::ArrayRef<std::vector<int>> sequences) const;

  /// The checkpoint with every matrix transposed to [in][out].
  BertCheckpoint ckpt;
};

} // namespace hdp::model

#endif // HDP_MODEL_BERTENCODER_H
