//===- Safetensors.cpp - Reading Hugging Face .safetensors files ----------===//
//
// See Safetensors.h. The header is validated completely in parse(); reading
// a tensor afterwards only checks what the caller expects of it.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/Safetensors.h"

#include "JsonText.h"

#include "hdp/Support/Float16.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace llvm;
using json = nlohmann::json;

namespace hdp::model {

namespace {
/// The format's own limit on the JSON header (safetensors' MAX_HEADER_SIZE).
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
/// Dimensions beyond this are certainly corrupt and would risk overflow.
constexpr int64_t kMaxDim = int64_t(1) << 40;
constexpr size_t kMaxRank = 8;

Error fileError(StringRef name, const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           (name + ": " + message).str());
}
} // namespace

int64_t safetensorsDtypeSize(StringRef dtype) {
  return StringSwitch<int64_t>(dtype)
      .Cases({"BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3"}, 1)
      .Cases({"I16", "U16", "F16", "BF16"}, 2)
      .Cases({"I32", "U32", "F32"}, 4)
      .Cases({"I64", "U64", "F64"}, 8)
      .Default(0);
}

std::string formatShape(ArrayRef<int64_t> shape) {
  return "[" +
         join(map_range(shape, [](int64_t d) { return std::to_string(d); }),
              ", ") +
         "]";
}

Error SafetensorsFile::error(const Twine &message) const {
  return fileError(fileName, message);
}

Expected<SafetensorsFile> SafetensorsFile::parse(StringRef bytes,
                                                 StringRef name) {
  if (bytes.size() < 8)
    return fileError(name, "truncated: a safetensors file starts with an "
                           "8-byte header length, but the file has " +
                               Twine(bytes.size()) + " bytes");
  uint64_t headerBytes = support::endian::read64le(bytes.data());
  if (headerBytes > bytes.size() - 8)
    return fileError(name, "the header length " + Twine(headerBytes) +
                               " exceeds the rest of the file (" +
                               Twine(bytes.size() - 8) +
                               " bytes): truncated, or not a safetensors file");
  if (headerBytes > kMaxHeaderBytes)
    return fileError(name, "the header length " + Twine(headerBytes) +
                               " exceeds the format's limit of " +
                               Twine(kMaxHeaderBytes) + " bytes");
  StringRef headerText = bytes.substr(8, headerBytes);
  Expected<json> header =
      detail::parseJsonText(headerText, (name + " (header)").str());
  if (!header)
    return header.takeError();
  if (!header->is_object())
    return fileError(name, "the header must be a JSON object, got " +
                               detail::describeJson(*header));

  SafetensorsFile file;
  file.fileName = name.str();
  file.data = bytes.substr(8 + headerBytes);
  const int64_t dataSize = static_cast<int64_t>(file.data.size());
  for (const auto &item : header->items()) {
    const std::string &key = item.key();
    const json &entry = item.value();
    if (key == "__metadata__") {
      if (!entry.is_object())
        return fileError(name, "__metadata__ must be an object, got " +
                                   detail::describeJson(entry));
      continue;
    }
    auto bad = [&](const Twine &what) {
      return fileError(name, "tensor '" + key + "': " + what);
    };
    if (!entry.is_object())
      return bad("expected an object with dtype, shape and data_offsets, got " +
                 detail::describeJson(entry));
    for (const char *field : {"dtype", "shape", "data_offsets"})
      if (!entry.contains(field))
        return bad(Twine("missing \"") + field + "\"");
    SafetensorsTensor t;
    const json &dtype = entry["dtype"];
    if (!dtype.is_string())
      return bad("dtype must be a string, got " + detail::describeJson(dtype));
    t.dtype = dtype.get<std::string>();
    const int64_t elementSize = safetensorsDtypeSize(t.dtype);
    if (elementSize == 0)
      return bad("unknown dtype '" + t.dtype +
                 "' (safetensors defines BOOL, U8, I8, F8_E5M2, F8_E4M3, "
                 "I16, U16, F16, BF16, I32, U32, F32, I64, U64, F64)");
    const json &shape = entry["shape"];
    if (!shape.is_array() || shape.size() > kMaxRank)
      return bad("shape must be an array of at most " + Twine(kMaxRank) +
                 " dimensions, got " + detail::describeJson(shape));
    int64_t elements = 1;
    bool saturated = false;
    for (const json &d : shape) {
      int64_t v;
      if (!detail::jsonInteger(d, 0, kMaxDim, v))
        return bad("every dimension of shape must be an integer in [0, " +
                   Twine(kMaxDim) + "], got " + detail::describeJson(d));
      t.shape.push_back(v);
      // Saturate past the file's size (which no tensor can exceed) instead
      // of overflowing.
      if (v != 0 && elements > (dataSize + 1) / v) {
        elements = dataSize + 1;
        saturated = true;
      } else {
        elements *= v;
      }
    }
    const json &offsets = entry["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 ||
        !detail::jsonInteger(offsets[0], 0, INT64_MAX, t.begin) ||
        !detail::jsonInteger(offsets[1], 0, INT64_MAX, t.end))
      return bad("data_offsets must be two non-negative integers [begin, "
                 "end], got " +
                 offsets.dump());
    if (t.begin > t.end)
      return bad("data_offsets [" + Twine(t.begin) + ", " + Twine(t.end) +
                 "] run backwards");
    if (t.end > dataSize)
      return bad("data_offsets [" + Twine(t.begin) + ", " + Twine(t.end) +
                 "] end past the data section (" + Twine(dataSize) +
                 " bytes): truncated file or a wrong header");
    if (saturated && elements != 0)
      return bad("shape " + formatShape(t.shape) + " of " + t.dtype +
                 " needs more bytes than the file has");
    if (t.end - t.begin != elements * elementSize)
      return bad("shape " + formatShape(t.shape) + " of " + t.dtype +
                 " needs " + Twine(elements * elementSize) +
                 " bytes, but data_offsets [" + Twine(t.begin) + ", " +
                 Twine(t.end) + "] span " + Twine(t.end - t.begin));
    file.entries.emplace(key, std::move(t));
  }

  // The tensors must tile the data section: no overlap, no gap, no tail.
  std::vector<std::pair<const std::string *, const SafetensorsTensor *>> order;
  for (const auto &[key, t] : file.entries)
    order.push_back({&key, &t});
  std::sort(order.begin(), order.end(), [](const auto &a, const auto &b) {
    return std::tie(a.second->begin, a.second->end) <
           std::tie(b.second->begin, b.second->end);
  });
  int64_t expected = 0;
  for (const auto &[key, t] : order) {
    if (t->begin != expected)
      return fileError(name, "tensor '" + *key + "': data_offsets [" +
                                 Twine(t->begin) + ", " + Twine(t->end) + "] " +
                                 (t->begin < expected
                                      ? "overlap the previous tensor"
                                      : "leave a gap after the previous "
                                        "tensor") +
                                 ", which ends at " + Twine(expected));
    expected = t->end;
  }
  if (expected != dataSize)
    return fileError(name, "the tensors cover " + Twine(expected) +
                               " bytes of data, but the file has " +
                               Twine(dataSize) +
                               " after the header (trailing data)");
  return file;
}

Expected<SafetensorsFile> SafetensorsFile::open(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fileError(path,
                     "cannot read the weights: " + buffer.getError().message());
  std::shared_ptr<MemoryBuffer> owned = std::move(*buffer);
  Expected<SafetensorsFile> file = parse(owned->getBuffer(), path);
  if (!file)
    return file.takeError();
  file->owned = std::move(owned);
  return file;
}

const SafetensorsTensor *SafetensorsFile::find(StringRef tensor) const {
  auto it = entries.find(tensor.str());
  return it == entries.end() ? nullptr : &it->second;
}

Expected<std::vector<float>>
SafetensorsFile::readFloats(StringRef tensor,
                            ArrayRef<int64_t> expectedShape) const {
  const SafetensorsTensor *t = find(tensor);
  if (!t)
    return error("missing tensor '" + tensor + "' (expected shape " +
                 formatShape(expectedShape) + ")");
  if (ArrayRef<int64_t>(t->shape) != expectedShape)
    return error("tensor '" + tensor + "' has shape " + formatShape(t->shape) +
                 ", expected " + formatShape(expectedShape));
  if (t->dtype != "F32" && t->dtype != "F16" && t->dtype != "BF16")
    return error("tensor '" + tensor + "' has dtype " + t->dtype +
                 ", expected F32, F16 or BF16");
  const char *bytes = data.data() + t->begin;
  const int64_t n = (t->end - t->begin) / safetensorsDtypeSize(t->dtype);
  std::vector<float> values(n);
  if (t->dtype == "F32") {
    for (int64_t i = 0; i < n; ++i) {
      uint32_t bits = support::endian::read32le(bytes + 4 * i);
      std::memcpy(&values[i], &bits, 4);
    }
  } else {
    float (*convert)(uint16_t) =
        t->dtype == "F16" ? halfToFloat : bfloat16ToFloat;
    for (int64_t i = 0; i < n; ++i)
      values[i] = convert(support::endian::read16le(bytes + 2 * i));
  }
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(values[i]))
      return error("tensor '" + tensor + "' has a non-finite value at index " +
                   Twine(i));
  return values;
}

std::string serializeSafetensors(ArrayRef<NamedTensor> tensors,
                                 StringRef dtype) {
  const int64_t size = safetensorsDtypeSize(dtype);
  // nlohmann's ordered_json keeps the given order of the entries.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  std::string data;
  for (const NamedTensor &t : tensors) {
    int64_t begin = data.size();
    for (float v : t.values) {
      char buf[4];
      if (size == 4) {
        uint32_t bits;
        std::memcpy(&bits, &v, 4);
        support::endian::write32le(buf, bits);
      } else {
        support::endian::write16le(buf, dtype == "F16" ? floatToHalf(v)
                                                       : floatToBfloat16(v));
      }
      data.append(buf, size);
    }
    header[t.name] = {{"dtype", dtype.str()},
                      {"shape", t.shape},
                      {"data_offsets", {begin, int64_t(data.size())}}};
  }
  header["__metadata__"] = {{"format", "pt"}};
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' '); // the format pads to 8 bytes
  char length[8];
  support::endian::write64le(length, text.size());
  return std::string(length, 8) + text + data;
}

} // namespace hdp::model
