//===- NpyOperands.h - .npy inputs and outputs of the tools ------*- C++
//-*-===//
//
// Reading .npy inputs within the size limit (Limits.h) and writing arrays
// through OutputFiles, the same way in every tool. Errors start with the file.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_TOOLING_NPYOPERANDS_H
#define HDP_TOOLING_NPYOPERANDS_H

#include "hdp/Reference/Reference.h"
#include "hdp/Support/Npy.h"
#include "hdp/Tooling/Limits.h"
#include "hdp/Tooling/OutputFiles.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace hdp::tooling {

/// Reads the .npy file at `path`; `role` ("Q", "input #2") names it in
/// messages. A file whose data exceeds `limit` bytes is refused before its
/// data is read.
llvm::Expected<npy::Array> readNpyInput(llvm::StringRef path,
                                        llvm::StringRef role,
                                        int64_t limit = kMaxTensorBytes);

/// Reads a float operand (f32; f64 rounded to f32; f16 and bf16 widened);
/// other dtypes are refused: "<path>: Q has dtype <i4; expected a float
/// array (<f4, <f8, <f2 or bfloat16)".
llvm::Expected<ref::Tensor<float>>
readFloatInput(llvm::StringRef path, llvm::StringRef role,
               int64_t limit = kMaxTensorBytes);

/// The outputs of one attention in their command-line order: out f32, block
/// mask bool, head mask bool, theta_H int64. `Result` is any type with
/// tensor members out, blockMask, headMask and thetaH (the reference's and
/// the simulator's results).
template <typename Result>
std::vector<npy::Array> attentionOutputArrays(const Result &r) {
  std::vector<npy::Array> arrays;
  arrays.push_back(npy::fromF32(r.out.shape, r.out.data));
  arrays.push_back(npy::fromBool(r.blockMask.shape, r.blockMask.data));
  arrays.push_back(npy::fromBool(r.headMask.shape, r.headMask.data));
  arrays.push_back(npy::fromI64(r.thetaH.shape, r.thetaH.data));
  return arrays;
}

/// Adds every path to `files`; returns their indices.
llvm::Expected<std::vector<size_t>>
addOutputs(OutputFiles &files, llvm::ArrayRef<std::string> paths);

/// Serialises arrays[i] into output indices[i] for every index (arrays may
/// hold more, e.g. all four attention outputs when fewer were asked for).
llvm::Error writeArrays(OutputFiles &files, llvm::ArrayRef<size_t> indices,
                        llvm::ArrayRef<npy::Array> arrays);

} // namespace hdp::tooling

#endif // HDP_TOOLING_NPYOPERANDS_H
