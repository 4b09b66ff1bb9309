//===- HDPAttrs.cpp - #hdp.config -----------------------------------------===//
//
// `#hdp.config<key = value, ...>`: keys in any order, any subset; printed in
// a fixed order without the keys that hold their default.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/IR/HDP.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <charconv>
#include <cmath>

using namespace mlir;
using namespace hdp;

#define GET_ATTRDEF_CLASSES
#include "hdp/Dialect/HDP/IR/HDPAttrs.cpp.inc"

void HDPDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "hdp/Dialect/HDP/IR/HDPAttrs.cpp.inc"
      >();
}

namespace {
constexpr llvm::StringLiteral kKeys[] = {
    "int_bits", "frac_bits", "shift",   "block",  "rho",     "tau_h",
    "policy",   "importance", "topk",   "approx", "softmax", "scale"};

hdp::Policy toRef(PruningPolicy p) {
  switch (p) {
  case PruningPolicy::hdp:
    return hdp::Policy::Hdp;
  case PruningPolicy::topk:
    return hdp::Policy::TopK;
  case PruningPolicy::dense:
    return hdp::Policy::Dense;
  }
  llvm_unreachable("unknown policy");
}

PruningPolicy fromRef(hdp::Policy p) {
  switch (p) {
  case hdp::Policy::Hdp:
    return PruningPolicy::hdp;
  case hdp::Policy::TopK:
    return PruningPolicy::topk;
  case hdp::Policy::Dense:
    return PruningPolicy::dense;
  }
  llvm_unreachable("unknown policy");
}

hdp::AttentionConfig makeReference(int64_t intBits, int64_t fracBits,
                                   int64_t shift, int64_t blockRows,
                                   int64_t blockCols, double rho, double tauH,
                                   PruningPolicy policy,
                                   hdp::Importance importance, int64_t topk,
                                   bool approx, SoftmaxKind softmax,
                                   std::optional<double> scale) {
  hdp::AttentionConfig c;
  c.intBits = intBits;
  c.fracBits = fracBits;
  c.shift = shift;
  c.blockRows = blockRows;
  c.blockCols = blockCols;
  c.rho = rho;
  c.tauH = tauH;
  c.policy = toRef(policy);
  c.importance = importance;
  c.topk = topk;
  c.approx = approx;
  c.softmax = softmax;
  c.scale = scale;
  return c;
}

std::optional<double> toDouble(const std::optional<llvm::APFloat> &v) {
  if (!v)
    return std::nullopt;
  return v->convertToDouble();
}

/// Shortest text that parses back to the same double, in MLIR's float
/// literal syntax (which needs a '.' before any exponent).
std::string formatFloat(double value) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), value);
  std::string text(buf, res.ptr);
  if (text.find_first_of(".ein") == std::string::npos)
    return text + ".0";
  size_t e = text.find('e');
  if (e != std::string::npos && text.find('.') == std::string::npos)
    text.insert(e, ".0");
  return text;
}
} // namespace

LogicalResult ConfigAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t intBits, int64_t fracBits,
                                 int64_t shift, int64_t blockRows,
                                 int64_t blockCols, llvm::APFloat rho,
                                 llvm::APFloat tauH, PruningPolicy policy,
                                 hdp::Importance importance, int64_t topk,
                                 bool approx, SoftmaxKind softmax,
                                 std::optional<llvm::APFloat> scale) {
  hdp::AttentionConfig c = makeReference(
      intBits, fracBits, shift, blockRows, blockCols, rho.convertToDouble(),
      tauH.convertToDouble(), policy, importance, topk, approx, softmax,
      toDouble(scale));
  std::string error = c.validate();
  if (!error.empty())
    return emitError() << "invalid #hdp.config: " << error;
  return success();
}

hdp::AttentionConfig ConfigAttr::toReference() const {
  return makeReference(getIntBits(), getFracBits(), getShift(), getBlockRows(),
                       getBlockCols(), getRhoValue(), getTauHValue(),
                       getPolicy(), getImportance(), getTopk(), getApprox(),
                       getSoftmax(), toDouble(getScale()));
}

ConfigAttr ConfigAttr::fromReference(MLIRContext *context,
                                     const hdp::AttentionConfig &c) {
  std::optional<llvm::APFloat> scale;
  if (c.scale)
    scale = llvm::APFloat(*c.scale);
  return ConfigAttr::get(
      context, c.intBits, c.fracBits, c.shift, c.blockRows, c.blockCols,
      llvm::APFloat(c.rho), llvm::APFloat(c.tauH), fromRef(c.policy),
      c.importance, c.topk, c.approx,
       c.softmax,
      scale);
}

float ConfigAttr::getEffectiveScale(int64_t headDim) const {
  return toReference().effectiveScale(headDim);
}

int64_t ConfigAttr::getSplitBitWidth() const {
  // hi ∈ [-2^(I-1), 2^(I-1)) needs I bits; lo ∈ [0, 2^F) needs F+1 signed.
  return std::max<int64_t>(getIntBits(), getFracBits() + 1);
}

Attribute ConfigAttr::parse(AsmParser &parser, Type) {
  MLIRContext *ctx = parser.getContext();
  hdp::AttentionConfig c;
  llvm::StringSet<> seen;
  SMLoc startLoc = parser.getCurrentLocation();

  // Accept integer literals too (`rho = 1`): users write them naturally.
  auto parseDouble = [&](StringRef key, double &out) -> ParseResult {
    SMLoc loc = parser.getCurrentLocation();
    Attribute attr;
    if (parser.parseAttribute(attr))
      return failure();
    if (auto f = dyn_cast<FloatAttr>(attr)) {
      out = f.getValueAsDouble();
      return success();
    }
    if (auto i = dyn_cast<IntegerAttr>(attr);
        i && i.getType().isSignlessInteger(64)) {
      out = static_cast<double>(i.getInt());
      return success();
    }
    return parser.emitError(loc)
           << "expected a number for '" << key << "', got " << attr;
  };
  auto parseKeyword = [&](StringRef key, ArrayRef<StringRef> allowed,
                          StringRef &out) -> ParseResult {
    SMLoc loc = parser.getCurrentLocation();
    if (parser.parseKeyword(&out) || !llvm::is_contained(allowed, out)) {
      auto diag = parser.emitError(loc) << "expected one of ";
      llvm::interleave(
          allowed, [&](StringRef s) { diag << "'" << s << "'"; },
          [&] { diag << ", "; });
      return diag << " for '" << key << "'";
    }
    return success();
  };

  auto parseEntry = [&]() -> ParseResult {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key))
      return failure();
    if (!llvm::is_contained(kKeys, key)) {
      auto diag = parser.emitError(keyLoc) << "unknown #hdp.config key '" << key
                                           << "'; expected one of ";
      llvm::interleaveComma(kKeys, diag);
      return diag;
    }
    if (!seen.insert(key).second)
      return parser.emitError(keyLoc)
             << "duplicate #hdp.config key '" << key << "'";
    if (parser.parseEqual())
      return failure();

    if (key == "int_bits")
      return parser.parseInteger(c.intBits);
    if (key == "frac_bits")
      return parser.parseInteger(c.fracBits);
    if (key == "shift")
      return parser.parseInteger(c.shift);
    if (key == "topk")
      return parser.parseInteger(c.topk);
    if (key == "block")
      return failure(parser.parseLSquare() ||
                     parser.parseInteger(c.blockRows) || parser.parseComma() ||
                     parser.parseInteger(c.blockCols) || parser.parseRSquare());
    if (key == "rho")
      return parseDouble(key, c.rho);
    if (key == "tau_h")
      return parseDouble(key, c.tauH);
    if (key == "scale") {
      double s;
      if (parseDouble(key, s))
        return failure();
      c.scale = s;
      return success();
    }
    StringRef word;
    if (key == "policy") {
      if (parseKeyword(key, {"hdp", "topk", "dense"}, word))
        return failure();
      c.policy = word == "hdp"    ? hdp::Policy::Hdp
                 : word == "topk" ? hdp::Policy::TopK
                                  : hdp::Policy::Dense;
      return success();
    }
    if (key == "importance") {
      if (parseKeyword(key, {"abs", "signed"}, word))
        return failure();
      c.importance =
          word == "signed" ? hdp::Importance::Signed : hdp::Importance::Abs;
      return success();
    }
    if (key == "approx") {
      if (parseKeyword(key, {"true", "false"}, word))
        return failure();
      c.approx = word == "true";
      return success();
    }
    // softmax
    if (parseKeyword(key, {"exact", "poly"}, word))
      return failure();
    c.softmax =
        word == "poly" ? hdp::SoftmaxKind::Poly : hdp::SoftmaxKind::Exact;
    return success();
  };

  if (parser.parseLess())
    return {};
  if (failed(parser.parseOptionalGreater())) {
    if (parser.parseCommaSeparatedList(parseEntry) || parser.parseGreater())
      return {};
  }

  std::optional<llvm::APFloat> scale;
  if (c.scale)
    scale = llvm::APFloat(*c.scale);
  return ConfigAttr::getChecked(
      [&] { return parser.emitError(startLoc); }, ctx, c.intBits, c.fracBits,
      c.shift, c.blockRows, c.blockCols, llvm::APFloat(c.rho),
      llvm::APFloat(c.tauH), fromRef(c.policy), c.importance, c.topk, c.approx,
       c.softmax,
      scale);
}

void ConfigAttr::print(AsmPrinter &printer) const {
  const hdp::AttentionConfig defaults;
  SmallVector<std::string> entries;
  auto add = [&](StringRef key, const std::string &value) {
    entries.push_back((key + " = " + value).str());
  };
  if (getIntBits() != defaults.intBits)
    add("int_bits", std::to_string(getIntBits()));
  if (getFracBits() != defaults.fracBits)
    add("frac_bits", std::to_string(getFracBits()));
  if (getShift() != defaults.shift)
    add("shift", std::to_string(getShift()));
  if (getBlockRows() != defaults.blockRows ||
      getBlockCols() != defaults.blockCols)
    add("block", "[" + std::to_string(getBlockRows()) + ", " +
                     std::to_string(getBlockCols()) + "]");
  if (!getRho().isZero() || getRho().isNegative())
    add("rho", formatFloat(getRhoValue()));
  if (!getTauH().isZero() || getTauH().isNegative())
    add("tau_h", formatFloat(getTauHValue()));
  if (getPolicy() != PruningPolicy::hdp)
    add("policy", stringifyPruningPolicy(getPolicy()).str());
  if (getImportance() != defaults.importance)
    add("importance", hdp::importanceName(getImportance()));
  if (getTopk() != defaults.topk)
    add("topk", std::to_string(getTopk()));
  if (!getApprox())
    add("approx", "false");
  if (getSoftmax() != defaults.softmax)
    add("softmax",
        getSoftmax() == hdp::SoftmaxKind::Poly ? "poly" : "exact");
  if (getScale())
    add("scale", formatFloat(getScale()->convertToDouble()));
  printer << "<";
  llvm::interleaveComma(entries, printer.getStream());
  printer << ">";
}
