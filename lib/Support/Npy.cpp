//===- Npy.cpp - Reading and writing NumPy .npy files ---------------------===//
//
// See Npy.h. The header of a .npy file is a Python dict literal; we parse the
// small subset numpy writes (strings, True/False, tuples of integers) with a
// hand-written recursive-descent parser rather than trusting offsets, so that
// any malformed file yields a message instead of undefined behaviour.
//
//===----------------------------------------------------------------------===//

#include "hdp/Support/Npy.h"
#include "hdp/Support/Float16.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

using namespace llvm;

namespace hdp::npy {

namespace {
constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

/// Builds an error whose message is "<name>: <message>".
Error fileError(StringRef name, const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           (name + ": " + message).str());
}

/// Every dtype with its descr, in the order used by error messages.
constexpr DType kAllDTypes[] = {
    DType::F32, DType::F64, DType::F16, DType::BF16, DType::Bool,
    DType::I8,  DType::I16, DType::I32, DType::I64,  DType::U8,
    DType::U16, DType::U32, DType::U64};

std::string supportedDescrs() {
  std::string s;
  for (DType d : kAllDTypes) {
    if (!s.empty())
      s += ", ";
    s += dtypeDescr(d).str();
  }
  return s;
}
} // namespace

unsigned dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::Bool:
  case DType::I8:
  case DType::U8:
    return 1;
  case DType::I16:
  case DType::U16:
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::I32:
  case DType::U32:
  case DType::F32:
    return 4;
  case DType::I64:
  case DType::U64:
  case DType::F64:
    return 8;
  }
  llvm_unreachable("unknown dtype");
}

StringRef dtypeDescr(DType dtype) {
  switch (dtype) {
  case DType::Bool:
    return "|b1";
  case DType::I8:
    return "|i1";
  case DType::I16:
    return "<i2";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  case DType::U8:
    return "|u1";
  case DType::U16:
    return "<u2";
  case DType::U32:
    return "<u4";
  case DType::U64:
    return "<u8";
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::F16:
    return "<f2";
  case DType::BF16:
    return "<V2";
  }
  llvm_unreachable("unknown dtype");
}

Expected<DType> parseDescr(StringRef descr) {
  auto unsupported = [&]() {
    return createStringError(inconvertibleErrorCode(),
                             "unsupported dtype '" + descr.str() +
                                 "'; expected one of " + supportedDescrs());
  };
  // ml_dtypes' bfloat16 is a 2-byte void to numpy ('<V2'; '|V2' when the
  // byte order is dropped); its name is the other spelling writers use.
  if (descr == "bfloat16" || descr == "|V2")
    return DType::BF16;
  if (descr.size() < 3)
    return unsupported();
  char order = descr[0];
  StringRef type = descr.drop_front();
  if (order != '<' && order != '>' && order != '|' && order != '=')
    return unsupported();
  std::optional<DType> found;
  for (DType d : kAllDTypes)
    if (dtypeDescr(d).drop_front() == type)
      found = d;
  if (!found)
    return unsupported();
  // Byte order only matters for multi-byte types; numpy writes '|' for the
  // others but never '|' for these.
  if (dtypeSize(*found) > 1) {
    if (order == '>' || (order == '=' && !sys::IsLittleEndianHost))
      return createStringError(inconvertibleErrorCode(),
                               "big-endian dtype '" + descr.str() +
                                   "' is not supported; expected "
                                   "little-endian '<" +
                                   type.str() + "'");
    if (order == '|')
      return createStringError(inconvertibleErrorCode(),
                               "dtype '" + descr.str() +
                                   "' has no byte order; expected '<" +
                                   type.str() + "'");
  }
  return *found;
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return -1;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      return -1;
    n *= d;
  }
  return n;
}

//===----------------------------------------------------------------------===//
// Header parsing
//===----------------------------------------------------------------------===//

namespace {
/// One value of the header dict.
struct HeaderValue {
  enum Kind { String, Bool, Tuple } kind = String;
  std::string str;
  bool boolean = false;
  std::vector<int64_t> ints;
};

/// Recursive-descent parser for the Python dict literal of a .npy header.
class HeaderParser {
public:
  HeaderParser(StringRef text, StringRef name) : text(text), name(name) {}

  /// Parses the whole header into `entries` (key -> value, in order).
  Error parse(std::vector<std::pair<std::string, HeaderValue>> &entries) {
    skipSpace();
    if (!consume('{'))
      return error("expected '{' at the start of the header dict");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (Error e = parseString(key, "a quoted key"))
        return e;
      skipSpace();
      if (!consume(':'))
        return error("expected ':' after key '" + key + "'");
      skipSpace();
      HeaderValue value;
      if (Error e = parseValue(key, value))
        return e;
      entries.emplace_back(std::move(key), std::move(value));
      skipSpace();
      if (consume(','))
        continue;
      if (consume('}'))
        break;
      return error("expected ',' or '}' after the value of '" +
                   entries.back().first + "'");
    }
    // numpy pads with spaces and ends with '\n'; nothing else may follow.
    skipSpace();
    if (pos != text.size())
      return error("unexpected text after the header dict");
    return Error::success();
  }

private:
  Error error(const Twine &what) {
    return fileError(name, "malformed .npy header at byte " + Twine(pos) +
                               ": " + what);
  }
  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }
  bool consume(char c) {
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool consumeWord(StringRef word) {
    if (!text.substr(pos).starts_with(word))
      return false;
    // Keep "Truex" from reading as True.
    size_t end = pos + word.size();
    if (end < text.size() && (isAlnum(text[end]) || text[end] == '_'))
      return false;
    pos = end;
    return true;
  }

  Error parseString(std::string &out, StringRef what) {
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return error("expected " + what);
    char quote = text[pos++];
    size_t start = pos;
    while (pos < text.size() && text[pos] != quote) {
      // numpy never writes escapes; refusing them keeps the parser small.
      if (text[pos] == '\\' || text[pos] == '\n')
        return error("unsupported character in a string");
      ++pos;
    }
    if (pos >= text.size())
      return error("unterminated string");
    out = text.substr(start, pos - start).str();
    ++pos;
    return Error::success();
  }

  Error parseInt(int64_t &out) {
    size_t start = pos;
    while (pos < text.size() && isDigit(text[pos]))
      ++pos;
    if (start == pos)
      return error("expected a non-negative integer dimension");
    if (text.substr(start, pos - start).getAsInteger(10, out))
      return error("dimension '" + text.substr(start, pos - start) +
                   "' is too large");
    consume('L'); // Python 2 wrote long integers as "3L".
    return Error::success();
  }

  Error parseValue(StringRef key, HeaderValue &value) {
    if (pos < text.size() && (text[pos] == '\'' || text[pos] == '"')) {
      value.kind = HeaderValue::String;
      return parseString(value.str, "a string");
    }
    for (bool b : {true, false}) {
      if (consumeWord(b ? "True" : "False")) {
        value.kind = HeaderValue::Bool;
        value.boolean = b;
        return Error::success();
      }
    }
    if (consume('(')) {
      value.kind = HeaderValue::Tuple;
      while (true) {
        skipSpace();
        if (consume(')'))
          return Error::success();
        int64_t dim;
        if (Error e = parseInt(dim))
          return e;
        value.ints.push_back(dim);
        skipSpace();
        if (consume(','))
          continue;
        if (consume(')'))
          return Error::success();
        return error("expected ',' or ')' in the shape tuple");
      }
    }
    if (key == "descr" && pos < text.size() && text[pos] == '[')
      return fileError(name, "structured dtypes are not supported; expected "
                             "a plain dtype such as '<f4'");
    return error("unsupported value for '" + key +
                 "'; expected a string, True/False or a tuple");
  }

  StringRef text;
  StringRef name;
  size_t pos = 0;
};
} // namespace

Expected<Array> parse(StringRef contents, StringRef name) {
  // Preamble: magic, version, header length.
  if (contents.size() < kMagicSize ||
      contents.substr(0, kMagicSize) != StringRef(kMagic, kMagicSize)) {
    if (StringRef(kMagic, kMagicSize).starts_with(contents))
      return fileError(name, "truncated .npy file: " + Twine(contents.size()) +
                                 " bytes, shorter than the magic string");
    return fileError(name, "not a .npy file: expected the magic string "
                           "'\\x93NUMPY' at the start");
  }
  if (contents.size() < kMagicSize + 2)
    return fileError(name, "truncated .npy file: missing the format version");
  unsigned major = static_cast<uint8_t>(contents[6]);
  unsigned minor = static_cast<uint8_t>(contents[7]);
  if (minor != 0 || major < 1 || major > 3)
    return fileError(name, "unsupported .npy format version " + Twine(major) +
                               "." + Twine(minor) +
                               "; expected 1.0, 2.0 or 3.0");
  size_t lenSize = major == 1 ? 2 : 4;
  size_t preamble = kMagicSize + 2 + lenSize;
  if (contents.size() < preamble)
    return fileError(name, "truncated .npy file: missing the header length");
  const char *lenPtr = contents.data() + kMagicSize + 2;
  uint64_t headerLen =
      major == 1 ? support::endian::read16le(lenPtr)
                 : static_cast<uint64_t>(support::endian::read32le(lenPtr));
  if (contents.size() - preamble < headerLen)
    return fileError(name, "truncated .npy header: it declares " +
                               Twine(headerLen) + " bytes but only " +
                               Twine(contents.size() - preamble) +
                               " follow the preamble");

  StringRef header = contents.substr(preamble, headerLen);
  std::vector<std::pair<std::string, HeaderValue>> entries;
  if (Error e = HeaderParser(header, name).parse(entries))
    return std::move(e);

  // Exactly the three keys numpy writes, each once.
  const HeaderValue *descr = nullptr, *fortran = nullptr, *shape = nullptr;
  for (auto &[key, value] : entries) {
    const HeaderValue **slot = key == "descr"           ? &descr
                               : key == "fortran_order" ? &fortran
                               : key == "shape"         ? &shape
                                                        : nullptr;
    if (!slot)
      return fileError(name, "malformed .npy header: unexpected key '" + key +
                                 "'; expected 'descr', 'fortran_order' and "
                                 "'shape'");
    if (*slot)
      return fileError(name,
                       "malformed .npy header: key '" + key + "' repeated");
    *slot = &value;
  }
  for (auto [value, key] :
       {std::pair(descr, "descr"), std::pair(fortran, "fortran_order"),
        std::pair(shape, "shape")})
    if (!value)
      return fileError(name, "malformed .npy header: missing key '" +
                                 Twine(key) + "'");
  if (descr->kind != HeaderValue::String)
    return fileError(name, "malformed .npy header: 'descr' must be a string");
  if (fortran->kind != HeaderValue::Bool)
    return fileError(name,
                     "malformed .npy header: 'fortran_order' must be True or "
                     "False");
  if (shape->kind != HeaderValue::Tuple)
    return fileError(name, "malformed .npy header: 'shape' must be a tuple");

  Expected<DType> dtype = parseDescr(descr->str);
  if (!dtype)
    return fileError(name, toString(dtype.takeError()));

  // Fortran order lays the data out differently unless at most one dimension
  // exceeds 1 (then both orders coincide).
  if (fortran->boolean &&
      llvm::count_if(shape->ints, [](int64_t d) { return d > 1; }) > 1)
    return fileError(name, "fortran_order is True; only C-order arrays are "
                           "supported (save np.ascontiguousarray(a))");

  int64_t count = numElements(shape->ints);
  unsigned elemSize = dtypeSize(*dtype);
  if (count < 0 || count > std::numeric_limits<int64_t>::max() / elemSize)
    return fileError(name, "shape " + formatShape(shape->ints) +
                               " has too many elements");
  uint64_t need = static_cast<uint64_t>(count) * elemSize;
  uint64_t have = contents.size() - preamble - headerLen;
  if (have != need)
    return fileError(name, "data is " + Twine(have) + " bytes; shape " +
                               formatShape(shape->ints) + " of " +
                               dtypeDescr(*dtype) + " needs " + Twine(need));

  const auto *data =
      reinterpret_cast<const uint8_t *>(contents.data() + preamble + headerLen);
  return Array(*dtype, shape->ints, std::vector<uint8_t>(data, data + need));
}

Expected<Array> readFile(StringRef path) {
  if (sys::fs::is_directory(path))
    return fileError(path, "is a directory; expected a .npy file");
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fileError(path, "cannot read: " + buffer.getError().message());
  return parse((*buffer)->getBuffer(), path);
}

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

namespace {
/// Calls `fn(i, value)` for every element of an integer or bool array,
/// widened to int64 (u64 values are reinterpreted; callers check them).
template <typename Fn> void forEachInteger(const Array &a, Fn fn) {
  const uint8_t *p = a.bytes.data();
  int64_t n = a.numElements();
  using namespace support::endian;
  for (int64_t i = 0; i < n; ++i) {
    int64_t v = 0;
    switch (a.dtype) {
    case DType::Bool:
      v = p[i] != 0;
      break;
    case DType::I8:
      v = static_cast<int8_t>(p[i]);
      break;
    case DType::U8:
      v = p[i];
      break;
    case DType::I16:
      v = static_cast<int16_t>(read16le(p + 2 * i));
      break;
    case DType::U16:
      v = read16le(p + 2 * i);
      break;
    case DType::I32:
      v = static_cast<int32_t>(read32le(p + 4 * i));
      break;
    case DType::U32:
      v = read32le(p + 4 * i);
      break;
    case DType::I64:
    case DType::U64:
      v = static_cast<int64_t>(read64le(p + 8 * i));
      break;
    case DType::F32:
    case DType::F64:
    case DType::F16:
    case DType::BF16:
      llvm_unreachable("not an integer dtype");
    }
    fn(i, v);
  }
}

/// Guards the conversions against arrays built by hand with wrong sizes.
Error checkSize(const Array &a, StringRef name) {
  int64_t n = a.numElements();
  if (n < 0 || a.bytes.size() != static_cast<uint64_t>(n) * dtypeSize(a.dtype))
    return fileError(name, "array of shape " + formatShape(a.shape) + " and " +
                               dtypeDescr(a.dtype) + " holds " +
                               Twine(a.bytes.size()) + " bytes");
  return Error::success();
}
} // namespace

bool isFloat(DType d) {
  return d == DType::F32 || d == DType::F64 || d == DType::F16 ||
         d == DType::BF16;
}

StringRef dtypeName(DType dtype) {
  switch (dtype) {
  case DType::Bool:
    return "bool";
  case DType::I8:
    return "int8";
  case DType::I16:
    return "int16";
  case DType::I32:
    return "int32";
  case DType::I64:
    return "int64";
  case DType::U8:
    return "uint8";
  case DType::U16:
    return "uint16";
  case DType::U32:
    return "uint32";
  case DType::U64:
    return "uint64";
  case DType::F32:
    return "float32";
  case DType::F64:
    return "float64";
  case DType::F16:
    return "float16";
  case DType::BF16:
    return "bfloat16";
  }
  llvm_unreachable("unknown dtype");
}

Expected<std::vector<float>> toF32(const Array &a, StringRef name) {
  if (!isFloat(a.dtype))
    return fileError(name, "dtype " + dtypeDescr(a.dtype) +
                               " is not a floating-point type; expected <f4 "
                               "(or <f8, <f2, bfloat16)");
  if (Error e = checkSize(a, name))
    return std::move(e);
  int64_t n = a.numElements();
  std::vector<float> out(n);
  const uint8_t *p = a.bytes.data();
  for (int64_t i = 0; i < n; ++i) {
    switch (a.dtype) {
    case DType::F32: {
      uint32_t bits = support::endian::read32le(p + 4 * i);
      std::memcpy(&out[i], &bits, 4);
      break;
    }
    case DType::F64: {
      uint64_t bits = support::endian::read64le(p + 8 * i);
      double d;
      std::memcpy(&d, &bits, 8);
      out[i] = static_cast<float>(d);
      break;
    }
    case DType::F16:
      out[i] = halfToFloat(support::endian::read16le(p + 2 * i));
      break;
    case DType::BF16:
      out[i] = bfloat16ToFloat(support::endian::read16le(p + 2 * i));
      break;
    default:
      llvm_unreachable("not a float dtype");
    }
  }
  return out;
}

Expected<std::vector<uint8_t>> toBool(const Array &a, StringRef name) {
  if (isFloat(a.dtype))
    return fileError(name, "dtype " + dtypeDescr(a.dtype) +
                               " is not a boolean type; expected |b1 (or an "
                               "integer type holding 0 and 1)");
  if (Error e = checkSize(a, name))
    return std::move(e);
  std::vector<uint8_t> out(a.numElements());
  std::optional<std::pair<int64_t, int64_t>> bad; // (index, value)
  forEachInteger(a, [&](int64_t i, int64_t v) {
    bool ok = v == 0 || v == 1;
    if (a.dtype == DType::U64 && v < 0)
      ok = false;
    if (!ok && !bad)
      bad = {i, v};
    out[i] = v != 0;
  });
  if (bad)
    return fileError(name, "element " + Twine(bad->first) + " is " +
                               Twine(bad->second) +
                               "; a boolean array must hold only 0 and 1");
  return out;
}

Expected<std::vector<int64_t>> toI64(const Array &a, StringRef name) {
  if (isFloat(a.dtype))
    return fileError(name, "dtype " + dtypeDescr(a.dtype) +
                               " is not an integer type; expected <i8 (or "
                               "another integer type)");
  if (Error e = checkSize(a, name))
    return std::move(e);
  std::vector<int64_t> out(a.numElements());
  std::optional<int64_t> bad;
  forEachInteger(a, [&](int64_t i, int64_t v) {
    if (a.dtype == DType::U64 && v < 0 && !bad)
      bad = i;
    out[i] = v;
  });
  if (bad)
    return fileError(name, "element " + Twine(*bad) +
                               " of a <u8 array does not fit in int64");
  return out;
}

std::string summarize(const Array &a, size_t maxValues) {
  std::string text;
  raw_string_ostream os(text);
  os << dtypeName(a.dtype) << " " << formatShape(a.shape);
  if (Error e = checkSize(a, "")) {
    consumeError(std::move(e));
    os << ": " << a.bytes.size() << " bytes, which do not match the shape";
    return text;
  }
  const int64_t n = a.numElements();
  const int64_t shown = std::min<int64_t>(n, maxValues);
  int64_t trues = 0;
  os << " = [";
  if (isFloat(a.dtype)) {
    // Only the elements shown are converted: the array may be large.
    const size_t size = dtypeSize(a.dtype);
    Array first(
        a.dtype, {shown},
        std::vector<uint8_t>(a.bytes.begin(), a.bytes.begin() + shown * size));
    std::vector<float> values = cantFail(toF32(first, ""));
    for (int64_t i = 0; i < shown; ++i)
      os << (i ? ", " : "") << format("%.6g", values[i]);
  } else {
    forEachInteger(a, [&](int64_t i, int64_t v) {
      trues += v != 0;
      if (i >= shown)
        return;
      os << (i ? ", " : "");
      if (a.dtype == DType::U64)
        os << static_cast<uint64_t>(v);
      else
        os << v;
    });
  }
  os << (shown < n ? ", ...]" : "]") << " (" << n
     << (n == 1 ? " element" : " elements");
  if (a.dtype == DType::Bool)
    os << ", " << trues << " true";
  os << ")";
  return text;
}

Array fromF32(std::vector<int64_t> shape, ArrayRef<float> values) {
  assert(numElements(shape) == static_cast<int64_t>(values.size()) &&
         "shape does not match the number of values");
  std::vector<uint8_t> bytes(values.size() * 4);
  for (size_t i = 0; i < values.size(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, &values[i], 4);
    support::endian::write32le(bytes.data() + 4 * i, bits);
  }
  return Array(DType::F32, std::move(shape), std::move(bytes));
}

Array fromBool(std::vector<int64_t> shape, ArrayRef<uint8_t> values) {
  assert(numElements(shape) == static_cast<int64_t>(values.size()) &&
         "shape does not match the number of values");
  std::vector<uint8_t> bytes(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    bytes[i] = values[i] != 0;
  return Array(DType::Bool, std::move(shape), std::move(bytes));
}

Array fromI64(std::vector<int64_t> shape, ArrayRef<int64_t> values) {
  assert(numElements(shape) == static_cast<int64_t>(values.size()) &&
         "shape does not match the number of values");
  std::vector<uint8_t> bytes(values.size() * 8);
  for (size_t i = 0; i < values.size(); ++i)
    support::endian::write64le(bytes.data() + 8 * i,
                               static_cast<uint64_t>(values[i]));
  return Array(DType::I64, std::move(shape), std::move(bytes));
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

Expected<std::string> serialize(const Array &a) {
  if (Error e = checkSize(a, "array"))
    return std::move(e);
  std::string dict =
      "{'descr': '" + dtypeDescr(a.dtype).str() +
      "', 'fortran_order': False, 'shape': " + formatShape(a.shape) + ", }";
  // Like numpy: pad with spaces so that the data starts on a 64-byte
  // boundary, and end the header with '\n'. Version 2.0 only when the
  // header does not fit a 16-bit length.
  unsigned major = 1;
  size_t preamble = kMagicSize + 2 + 2;
  auto paddedLen = [&]() {
    size_t unpadded = preamble + dict.size() + 1;
    return dict.size() + 1 + (64 - unpadded % 64) % 64;
  };
  if (paddedLen() > 0xffff) {
    major = 2;
    preamble = kMagicSize + 2 + 4;
  }
  size_t headerLen = paddedLen();
  if (headerLen > 0xffffffffu)
    return createStringError(inconvertibleErrorCode(),
                             "shape " + formatShape(a.shape) +
                                 " makes the .npy header too long");

  std::string out;
  out.reserve(preamble + headerLen + a.bytes.size());
  out.append(kMagic, kMagicSize);
  out.push_back(static_cast<char>(major));
  out.push_back(0);
  char len[4];
  if (major == 1) {
    support::endian::write16le(len, static_cast<uint16_t>(headerLen));
    out.append(len, 2);
  } else {
    support::endian::write32le(len, static_cast<uint32_t>(headerLen));
    out.append(len, 4);
  }
  out += dict;
  out.append(headerLen - dict.size() - 1, ' ');
  out.push_back('\n');
  out.append(reinterpret_cast<const char *>(a.bytes.data()), a.bytes.size());
  return out;
}

} // namespace hdp::npy
