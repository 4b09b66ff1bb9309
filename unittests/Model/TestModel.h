//===- TestModel.h - Shared fixtures of the model tests ---------*- C++ -*-===//
//
// Loads the bundled tinystories-260K model, tokenizer and text samples once
// per test binary (they are read-only), so that each test states only what
// it checks.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_UNITTESTS_MODEL_TESTMODEL_H
#define HDP_UNITTESTS_MODEL_TESTMODEL_H

#include "hdp/Model/Checkpoint.h"
#include "hdp/Model/Metrics.h"
#include "hdp/Model/Tokenizer.h"
#include "hdp/Model/Transformer.h"

#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

#include <memory>
#include <string>

namespace hdp::model::test {

inline std::string modelFile(const std::string &name) {
  return std::string(HDP_MODEL_DIR) + "/" + name;
}

/// The file's bytes; fails the test if unreadable.
inline std::string readBytes(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    ADD_FAILURE() << path << ": " << buffer.getError().message();
    return "";
  }
  return (*buffer)->getBuffer().str();
}

/// The bundled model and tokenizer, loaded once.
struct Bundled {
  std::unique_ptr<Transformer> model;
  std::unique_ptr<Tokenizer> tokenizer;

  static const Bundled &get() {
    static Bundled b = load();
    return b;
  }

  /// Token sequences of a bundled text file.
  std::vector<std::vector<int>> documents(const std::string &name) const {
    auto docs =
        loadDocuments(modelFile(name), *tokenizer, model->config().seqLen);
    if (!docs) {
      ADD_FAILURE() << llvm::toString(docs.takeError());
      return {};
    }
    return *docs;
  }

private:
  static Bundled load() {
    Bundled b;
    auto ckpt = loadCheckpoint(modelFile("stories260K.bin"));
    if (!ckpt) {
      ADD_FAILURE() << llvm::toString(ckpt.takeError());
      return b;
    }
    auto tok = Tokenizer::load(modelFile("tok512.bin"), ckpt->config.vocabSize);
    if (!tok) {
      ADD_FAILURE() << llvm::toString(tok.takeError());
      return b;
    }
    b.tokenizer = std::make_unique<Tokenizer>(std::move(*tok));
    b.model = std::make_unique<Transformer>(std::move(*ckpt));
    return b;
  }
};

constexpr const char *kSmallSample = "tinystories_v2_sample_cs336.txt";
constexpr const char *kValidSample = "tinystories_valid_excerpt_30KB.txt";

} // namespace hdp::model::test

#endif // HDP_UNITTESTS_MODEL_TESTMODEL_H
