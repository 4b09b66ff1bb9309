//===- Checkpoint.h - llama2.c model checkpoints ----------------*- C++ -*-===//
//
// Loads Llama-2-style decoder weights in the llama2.c "version 0" checkpoint
// format (the format of run.c and of Karpathy's tinyllamas):
//
//   7 x int32 header: dim, hidden_dim, n_layers, n_heads, n_kv_heads,
//                     vocab_size, seq_len   (vocab_size < 0 means the output
//                     classifier is stored separately, > 0 that it is tied
//                     to the token embedding)
//   float32 weights, every matrix [out][in] row-major, in this order:
//     token_embedding [vocab][dim], rms_att [L][dim],
//     wq [L][dim][dim], wk [L][kv_dim][dim], wv [L][kv_dim][dim],
//     wo [L][dim][dim], rms_ffn [L][dim],
//     w1 [L][hidden][dim], w2 [L][dim][hidden], w3 [L][hidden][dim],
//     rms_final [dim], freq_cis_real [seq_len][head_size/2],
//     freq_cis_imag [seq_len][head_size/2] (unused: RoPE is recomputed),
//     [wcls [vocab][dim] when not tied]
//   with kv_dim = dim * n_kv_heads / n_heads.
//
// The loader checks the header for consistency and the file size against
// the header exactly, so that a truncated file, a file with trailing data or
// a header from another format gives a message naming the file instead of
// garbage weights.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_CHECKPOINT_H
#define HDP_MODEL_CHECKPOINT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace hdp::model {

/// The hyper-parameters of a checkpoint (its header).
struct ModelConfig {
  int64_t dim = 0;       ///< model width
  int64_t hiddenDim = 0; ///< SwiGLU hidden width
  int64_t numLayers = 0;
  int64_t numHeads = 0;   ///< query heads
  int64_t numKvHeads = 0; ///< key/value heads (GQA: numHeads is a multiple)
  int64_t vocabSize = 0;
  int64_t seqLen = 0;           ///< longest context the model was trained on
  bool sharedClassifier = true; ///< output projection tied to the embedding

  int64_t headSize() const { return dim / numHeads; }
  int64_t kvDim() const { return headSize() * numKvHeads; }
  /// Query heads that share one key/value head.
  int64_t kvGroup() const { return numHeads / numKvHeads; }
};

/// One layer's weights; every matrix is [out][in], row-major.
struct LayerWeights {
  std::vector<float> rmsAtt;     ///< [dim]
  std::vector<float> wq, wk, wv; ///< [dim][dim], [kvDim][dim], [kvDim][dim]
  std::vector<float> wo;         ///< [dim][dim]
  std::vector<float> rmsFfn;     ///< [dim]
  std::vector<float> w1, w2,
      w3; ///< [hidden][dim], [dim][hidden], [hidden][dim]
};

/// A loaded model.
struct Checkpoint {
  ModelConfig config;
  std::vector<float> tokenEmbedding; ///< [vocab][dim]
  std::vector<LayerWeights> layers;
  std::vector<float> rmsFinal;   ///< [dim]
  std::vector<float> classifier; ///< [vocab][dim] (a copy when tied)
};

/// Parses a checkpoint from memory; `name` (usually the path) starts every
/// error message.
llvm::Expected<Checkpoint> parseCheckpoint(llvm::StringRef bytes,
                                           llvm::StringRef name);
/// Reads and parses the checkpoint at `path`.
llvm::Expected<Checkpoint> loadCheckpoint(llvm::StringRef path);

/// The number of bytes a checkpoint with this header has (header included).
int64_t checkpointSize(const ModelConfig &config);

/// Serialises `checkpoint` in the same format (tests build small models
/// with it; the frequency tables are written as zeros).
std::string serializeCheckpoint(const Checkpoint &checkpoint);

} // namespace hdp::model

#endif // HDP_MODEL_CHECKPOINT_H
