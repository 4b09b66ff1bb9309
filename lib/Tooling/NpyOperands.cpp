//===- NpyOperands.cpp - .npy inputs and outputs of the tools -------------===//

#include "hdp/Tooling/NpyOperands.h"
#include "hdp/Tooling/Diagnostics.h"

#include "llvm/Support/FileSystem.h"

using namespace llvm;

namespace hdp::tooling {

namespace {
/// More header than any numpy writes: the file size check leaves this much
/// room beyond the data limit.
constexpr uint64_t kHeaderAllowance = uint64_t(1) << 20;
} // namespace

Expected<npy::Array> readNpyInput(StringRef path, StringRef role,
                                  int64_t limit) {
  uint64_t size = 0;
  if (!sys::fs::is_directory(path) && !sys::fs::file_size(path, size) &&
      size > static_cast<uint64_t>(limit) + kHeaderAllowance)
    return errorAt(path, role + " is a " + formatBytes(size) +
                             " file; the limit is " + formatBytes(limit) +
                             " per tensor");
  Expected<npy::Array> array = npy::readFile(path);
  if (!array)
    return array.takeError();
  if (Error e =
          checkTensorSize(role + " (" + npy::dtypeDescr(array->dtype) + ")",
                          array->shape, npy::dtypeSize(array->dtype), limit))
    return errorAt(path, toString(std::move(e)));
  return array;
}

Expected<ref::Tensor<float>> readFloatInput(StringRef path, StringRef role,
                                            int64_t limit) {
  Expected<npy::Array> array = readNpyInput(path, role, limit);
  if (!array)
    return array.takeError();
  if (!npy::isFloat(array->dtype))
    return errorAt(path, role + " has dtype " + npy::dtypeDescr(array->dtype) +
                             "; expected a float array (<f4, <f8, <f2 or "
                             "bfloat16)");
  Expected<std::vector<float>> values = npy::toF32(*array, path);
  if (!values)
    return values.takeError();
  ref::Tensor<float> t;
  t.shape = array->shape;
  t.data = std::move(*values);
  return t;
}

Expected<std::vector<size_t>> addOutputs(OutputFiles &files,
                                         ArrayRef<std::string> paths) {
  std::vector<size_t> indices;
  for (const std::string &path : paths) {
    Expected<size_t> index = files.add(path);
    if (!index)
      return index.takeError();
    indices.push_back(*index);
  }
  return indices;
}

Error writeArrays(OutputFiles &files, ArrayRef<size_t> indices,
                  ArrayRef<npy::Array> arrays) {
  for (size_t i = 0; i < indices.size(); ++i) {
    Expected<std::string> bytes = npy::serialize(arrays[i]);
    if (!bytes)
      return errorAt(files.path(indices[i]), toString(bytes.takeError()));
    files.write(indices[i], *bytes);
  }
  return Error::success();
}

} // namespace hdp::tooling
