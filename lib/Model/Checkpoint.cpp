//===- Checkpoint.cpp - llama2.c model checkpoints ------------------------===//
//
// See Checkpoint.h for the format. Everything is validated before a single
// weight is copied: header values, their relations, and the exact file size
// they imply. Weights must be finite: a NaN in a checkpoint is corruption,
// and would otherwise surface much later as a NaN loss.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/Checkpoint.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <cstring>

using namespace llvm;

namespace hdp::model {

namespace {

constexpr int64_t kHeaderInts = 7;
constexpr int64_t kHeaderBytes = kHeaderInts * 4;
/// Bounds that keep every size computation far from int64 overflow while
/// admitting any real llama2.c model.
constexpr int64_t kMaxDim = 1 << 16;
constexpr int64_t kMaxLayers = 1 << 10;
constexpr int64_t kMaxVocab = 1 << 22;
constexpr int64_t kMaxSeqLen = 1 << 20;

Error fileError(StringRef name, const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           (name + ": " + message).str());
}

std::string describe(const ModelConfig &c) {
  return ("dim=" + Twine(c.dim) + " hidden_dim=" + Twine(c.hiddenDim) +
          " n_layers=" + Twine(c.numLayers) + " n_heads=" + Twine(c.numHeads) +
          " n_kv_heads=" + Twine(c.numKvHeads) + " vocab_size=" +
          Twine(c.sharedClassifier ? c.vocabSize : -c.vocabSize) +
          " seq_len=" + Twine(c.seqLen))
      .str();
}

/// Empty when the header describes a model we can run, else why not.
std::string checkHeader(const ModelConfig &c) {
  auto inRange = [](int64_t v, int64_t hi) { return v >= 1 && v <= hi; };
  if (!inRange(c.dim, kMaxDim))
    return "dim must be in [1, " + std::to_string(kMaxDim) + "]";
  if (!inRange(c.hiddenDim, 8 * kMaxDim))
    return "hidden_dim must be in [1, " + std::to_string(8 * kMaxDim) + "]";
  if (!inRange(c.numLayers, kMaxLayers))
    return "n_layers must be in [1, " + std::to_string(kMaxLayers) + "]";
  if (!inRange(c.numHeads, c.dim))
    return "n_heads must be in [1, dim]";
  if (c.dim % c.numHeads != 0)
    return "dim must be a multiple of n_heads";
  if (!inRange(c.numKvHeads, c.numHeads))
    return "n_kv_heads must be in [1, n_heads]";
  if (c.numHeads % c.numKvHeads != 0)
    return "n_heads must be a multiple of n_kv_heads";
  if (c.headSize() % 2 != 0)
    return "the head size dim/n_heads must be even (RoPE rotates pairs)";
  if (!inRange(c.vocabSize, kMaxVocab))
    return "|vocab_size| must be in [1, " + std::to_string(kMaxVocab) + "]";
  if (!inRange(c.seqLen, kMaxSeqLen))
    return "seq_len must be in [1, " + std::to_string(kMaxSeqLen) + "]";
  return "";
}

/// Copies `count` little-endian floats starting at float index `pos`.
std::vector<float> takeFloats(const char *weights, int64_t &pos,
                              int64_t count) {
  std::vector<float> out(count);
  for (int64_t i = 0; i < count; ++i) {
    uint32_t bits = support::endian::read32le(weights + 4 * (pos + i));
    std::memcpy(&out[i], &bits, 4);
  }
  pos += count;
  return out;
}

} // namespace

int64_t checkpointSize(const ModelConfig &c) {
  int64_t L = c.numLayers, d = c.dim, kv = c.kvDim(), h = c.hiddenDim;
  int64_t floats = c.vocabSize * d              // token embedding
                   + L * d                      // rms_att
                   + L * d * d + 2 * L * kv * d // wq, wk, wv
                   + L * d * d                  // wo
                   + L * d                      // rms_ffn
                   + 3 * L * h * d              // w1, w2, w3
                   + d                          // rms_final
                   + c.seqLen * c.headSize();   // freq_cis real + imag
  if (!c.sharedClassifier)
    floats += c.vocabSize * d;
  return kHeaderBytes + 4 * floats;
}

Expected<Checkpoint> parseCheckpoint(StringRef bytes, StringRef name) {
  if (static_cast<int64_t>(bytes.size()) < kHeaderBytes)
    return fileError(name, "truncated: a llama2.c checkpoint starts with a "
                           "28-byte header (7 int32), but the file has " +
                               Twine(bytes.size()) + " bytes");
  int32_t header[kHeaderInts];
  for (int64_t i = 0; i < kHeaderInts; ++i)
    header[i] =
        static_cast<int32_t>(support::endian::read32le(bytes.data() + 4 * i));

  Checkpoint ckpt;
  ModelConfig &c = ckpt.config;
  c.dim = header[0];
  c.hiddenDim = header[1];
  c.numLayers = header[2];
  c.numHeads = header[3];
  c.numKvHeads = header[4];
  c.sharedClassifier = header[5] > 0;
  c.vocabSize = header[5] == INT32_MIN ? 0 : std::abs(header[5]);
  c.seqLen = header[6];
  if (std::string why = checkHeader(c); !why.empty())
    return fileError(name, "inconsistent llama2.c header (" + describe(c) +
                               "): " + why);

  int64_t expected = checkpointSize(c);
  int64_t actual = static_cast<int64_t>(bytes.size());
  if (actual < expected)
    return fileError(name, "truncated: the header (" + describe(c) +
                               ") needs " + Twine(expected) +
                               " bytes, the file has " + Twine(actual));
  if (actual > expected)
    return fileError(name, "the header (" + describe(c) + ") describes " +
                               Twine(expected) + " bytes, but the file has " +
                               Twine(actual) +
                               " (trailing data, or not a llama2.c version-0 "
                               "checkpoint)");

  const char *w = bytes.data() + kHeaderBytes;
  int64_t pos = 0;
  const int64_t L = c.numLayers, d = c.dim, kv = c.kvDim(), h = c.hiddenDim;
  ckpt.tokenEmbedding = takeFloats(w, pos, c.vocabSize * d);
  ckpt.layers.resize(L);
  // Each tensor holds all layers back to back; split them per layer.
  auto perLayer = [&](std::vector<float> LayerWeights::*field, int64_t size) {
    for (int64_t l = 0; l < L; ++l)
      ckpt.layers[l].*field = takeFloats(w, pos, size);
  };
  perLayer(&LayerWeights::rmsAtt, d);
  perLayer(&LayerWeights::wq, d * d);
  perLayer(&LayerWeights::wk, kv * d);
  perLayer(&LayerWeights::wv, kv * d);
  perLayer(&LayerWeights::wo, d * d);
  perLayer(&LayerWeights::rmsFfn, d);
  perLayer(&LayerWeights::w1, h * d);
  perLayer(&LayerWeights::w2, d * h);
  perLayer(&LayerWeights::w3, h * d);
  ckpt.rmsFinal = takeFloats(w, pos, d);
  pos += c.seqLen * c.headSize(); // RoPE tables: recomputed, not read
  ckpt.classifier = c.sharedClassifier ? ckpt.tokenEmbedding
                                       : takeFloats(w, pos, c.vocabSize * d);

  // Name the first non-finite weight by tensor, so that corruption is
  // located rather than discovered as a NaN loss.
  auto check = [&](const std::vector<float> &t, const Twine &what) -> Error {
    for (size_t i = 0; i < t.size(); ++i)
      if (!std::isfinite(t[i]))
        return fileError(name, what + " has a non-finite weight at index " +
                                   Twine(i));
    return Error::success();
  };
  if (Error e = check(ckpt.tokenEmbedding, "token_embedding"))
    return std::move(e);
  for (int64_t l = 0; l < L; ++l) {
    const LayerWeights &lw = ckpt.layers[l];
    std::pair<const std::vector<float> *, const char *> tensors[] = {
        {&lw.rmsAtt, "rms_att"}, {&lw.wq, "wq"}, {&lw.wk, "wk"},
        {&lw.wv, "wv"},          {&lw.wo, "wo"}, {&lw.rmsFfn, "rms_ffn"},
        {&lw.w1, "w1"},          {&lw.w2, "w2"}, {&lw.w3, "w3"}};
    for (auto &[t, what] : tensors)
      if (Error e = check(*t, Twine(what) + " of layer " + Twine(l)))
        return std::move(e);
  }
  if (Error e = check(ckpt.rmsFinal, "rms_final"))
    return std::move(e);
  if (Error e = check(ckpt.classifier, "wcls"))
    return std::move(e);
  return ckpt;
}

Expected<Checkpoint> loadCheckpoint(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fileError(path, "cannot read the checkpoint: " +
                               buffer.getError().message());
  return parseCheckpoint((*buffer)->getBuffer(), path);
}

std::string serializeCheckpoint(const Checkpoint &ckpt) {
  const ModelConfig &c = ckpt.config;
  std::string out;
  out.reserve(checkpointSize(c));
  auto putInt = [&](int64_t v) {
    char b[4];
    support::endian::write32le(b,
                               static_cast<uint32_t>(static_cast<int32_t>(v)));
    out.append(b, 4);
  };
  auto putFloats = [&](const std::vector<float> &v) {
    for (float f : v) {
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      char b[4];
      support::endian::write32le(b, bits);
      out.append(b, 4);
    }
  };
  putInt(c.dim);
  putInt(c.hiddenDim);
  putInt(c.numLayers);
  putInt(c.numHeads);
  putInt(c.numKvHeads);
  putInt(c.sharedClassifier ? c.vocabSize : -c.vocabSize);
  putInt(c.seqLen);
  putFloats(ckpt.tokenEmbedding);
  auto perLayer = [&](std::vector<float> LayerWeights::*field) {
    for (const LayerWeights &lw : ckpt.layers)
      putFloats(lw.*field);
  };
  perLayer(&LayerWeights::rmsAtt);
  perLayer(&LayerWeights::wq);
  perLayer(&LayerWeights::wk);
  perLayer(&LayerWeights::wv);
  perLayer(&LayerWeights::wo);
  perLayer(&LayerWeights::rmsFfn);
  perLayer(&LayerWeights::w1);
  perLayer(&LayerWeights::w2);
  perLayer(&LayerWeights::w3);
  putFloats(ckpt.rmsFinal);
  putFloats(std::vector<float>(c.seqLen * c.headSize(), 0.0f));
  if (!c.sharedClassifier)
    putFloats(ckpt.classifier);
  return out;
}

} // namespace hdp::model
