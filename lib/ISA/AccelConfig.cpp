//===- AccelConfig.cpp - HDP co-processor configuration -------------------===//
//
// One table (kFields) describes every key of the JSON file: its path, the
// struct member it fills and its valid range. Loading, validation, hashing
// and printing all walk that table, so a new parameter is one line here.
//
//===----------------------------------------------------------------------===//

#include "hdp/ISA/AccelConfig.h"
#include "hdp/Support/Json.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <cstring>
#include <sstream>
#include <variant>
#include <vector>

using namespace llvm;
using json = nlohmann::json;

namespace hdp::accel {

namespace {

using StringMember = std::string AccelConfig::*;
using U32Member = uint32_t AccelConfig::*;
using U64Member = uint64_t AccelConfig::*;
using RealMember = double AccelConfig::*;
using Member = std::variant<StringMember, U32Member, U64Member, RealMember>;

/// One key of the configuration file.
struct Field {
  const char *path; ///< "section.key" or "key"
  Member member;
  double minValue; ///< inclusive lower bound (numbers)
  double maxValue; ///< inclusive upper bound (numbers)
  bool hashed;     ///< part of AccelConfig::hash()
};

constexpr double kMaxU32 = 4294967295.0;

// The order here is the order of the JSON file, of the docs table and of the
// hash. Bounds (docs/limits.md): cores, tile and buffer sizes from the .hdpc
// header field widths (cores: u8 in every command; tile sizes: u8; buffer
// sizes: u32); physical quantities within what any co-processor could have
// (1 MHz to 100 GHz, at least 0.01 DRAM bytes per cycle, at most 1e6 pJ per
// operation and 1 kW), so that cycle counts and energies stay finite and
// far from the simulator's 2^50-cycle bound for any sensible attention.
const Field kFields[] = {
    {"name", &AccelConfig::name, 0, 0, true},
    {"description", &AccelConfig::description, 0, 0, false},
    {"clock_mhz", &AccelConfig::clockMhz, 1, 1e5, true},
    {"cores", &AccelConfig::cores, 1, 255, true},
    {"pe.arrays_per_core", &AccelConfig::peArraysPerCore, 1, 65535, true},
    {"pe.tile_rows", &AccelConfig::tileRows, 1, 255, true},
    {"pe.tile_k", &AccelConfig::tileK, 1, 255, true},
    {"pe.tile_cols", &AccelConfig::tileCols, 1, 255, true},
    {"pe.int_pair_cycles", &AccelConfig::intPairCycles, 1, 1e6, true},
    {"pe.pv_pair_cycles", &AccelConfig::pvPairCycles, 1, 1e6, true},
    {"pe.a_tile_load_cycles", &AccelConfig::aTileLoadCycles, 0, 1e6, true},
    {"pe.pipeline_cycles", &AccelConfig::pePipelineCycles, 0, 1e6, true},
    {"se.lanes", &AccelConfig::seLanes, 1, 65536, true},
    {"se.threshold_cycles", &AccelConfig::seThresholdCycles, 0, 1e6, true},
    {"se.head_cycles", &AccelConfig::seHeadCycles, 0, 1e6, true},
    {"softmax.lanes", &AccelConfig::softmaxLanes, 1, 65536, true},
    {"softmax.latency_cycles", &AccelConfig::softmaxLatencyCycles, 0, 1e6,
     true},
    {"softmax.reciprocal_cycles", &AccelConfig::softmaxReciprocalCycles, 0, 1e6,
     true},
    {"sram.q_buffer_bytes", &AccelConfig::qBufferBytes, 2, kMaxU32, true},
    {"sram.k_buffer_bytes", &AccelConfig::kBufferBytes, 2, kMaxU32, true},
    {"sram.v_buffer_bytes", &AccelConfig::vBufferBytes, 2, kMaxU32, true},
    {"sram.mask_buffer_bytes", &AccelConfig::maskBufferBytes, 2, kMaxU32, true},
    {"sram.score_buffer_bytes", &AccelConfig::scoreBufferBytes, 2, kMaxU32,
     true},
    {"sram.theta_buffer_bytes", &AccelConfig::thetaBufferBytes, 2, kMaxU32,
     true},
    {"sram.blockmask_buffer_bytes", &AccelConfig::blockMaskBufferBytes, 2,
     kMaxU32, true},
    {"sram.out_buffer_bytes", &AccelConfig::outBufferBytes, 2, kMaxU32, true},
    {"dram.bytes_per_cycle", &AccelConfig::dramBytesPerCycle, 0.01, 65536,
     true},
    {"dram.latency_cycles", &AccelConfig::dramLatencyCycles, 0, 1e6, true},
    {"dram.burst_bytes", &AccelConfig::dramBurstBytes, 1, 65536, true},
    {"energy.int_mac_pj", &AccelConfig::energyIntMacPj, 0, 1e6, true},
    {"energy.pv_mac_pj", &AccelConfig::energyPvMacPj, 0, 1e6, true},
    {"energy.se_op_pj", &AccelConfig::energySeOpPj, 0, 1e6, true},
    {"energy.softmax_element_pj", &AccelConfig::energySoftmaxPj, 0, 1e6, true},
    {"energy.sram_byte_pj", &AccelConfig::energySramBytePj, 0, 1e6, true},
    {"energy.dram_byte_pj", &AccelConfig::energyDramBytePj, 0, 1e6, true},
    {"energy.static_power_mw", &AccelConfig::staticPowerMw, 0, 1e6, true},
};

/// Shortest round-tripping text of a double ("0.5", "1e-05").
std::string formatReal(double v) {
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v)
      break;
  }
  return buf;
}

std::string rangeText(const Field &f, bool isInteger) {
  auto fmt = [&](double v) {
    return isInteger ? std::to_string(static_cast<uint64_t>(v)) : formatReal(v);
  };
  return "in [" + fmt(f.minValue) + ", " + fmt(f.maxValue) + "]";
}

/// The name must fit the 32-byte, NUL-padded field of the .hdpc header and
/// read as a plain word in messages and traces.
std::string checkName(StringRef name) {
  if (name.empty() || name.size() > 31)
    return "expected 1 to 31 characters, got " + std::to_string(name.size());
  for (char c : name)
    if (!(isAlnum(c) || c == '-' || c == '_' || c == '.'))
      return std::string("expected only letters, digits, '-', '_' and '.', "
                         "got '") +
             c + "'";
  return "";
}

/// Checks the value of one field of `config` against its range.
std::string checkField(const Field &f, const AccelConfig &config) {
  std::ostringstream os;
  if (auto *m = std::get_if<StringMember>(&f.member)) {
    if (std::string(f.path) == "name")
      if (std::string why = checkName(config.*(*m)); !why.empty())
        return std::string("key '") + f.path + "': " + why;
    return "";
  }
  double value;
  bool isInteger = true;
  if (auto *m = std::get_if<U32Member>(&f.member))
    value = config.*(*m);
  else if (auto *m = std::get_if<U64Member>(&f.member))
    value = static_cast<double>(config.*(*m));
  else {
    value = config.*(std::get<RealMember>(f.member));
    isInteger = false;
  }
  // Written so that NaN fails.
  bool ok = value >= f.minValue && value <= f.maxValue;
  if (ok)
    return "";
  os << "key '" << f.path << "': expected "
     << (isInteger ? "an integer " : "a number ") << rangeText(f, isInteger)
     << ", got "
     << (isInteger ? std::to_string(static_cast<int64_t>(value))
                   : formatReal(value));
  return os.str();
}

/// Splits "a.b" into its section and key ("" section for top-level keys).
std::pair<std::string, std::string> splitPath(StringRef path) {
  auto [head, tail] = path.split('.');
  if (tail.empty())
    return {"", head.str()};
  return {head.str(), tail.str()};
}

/// Human text of a JSON value for error messages, kept short.
std::string describe(const json &value) {
  std::string text = value.dump();
  if (text.size() > 40)
    text = text.substr(0, 37) + "...";
  return text;
}

Error makeError(StringRef fileName, const Twine &message) {
  return createStringError(inconvertibleErrorCode(), fileName + ": " + message);
}

/// Reads `value` into field `f` of `config`; returns an error message
/// (without the file name) if it has the wrong type or range.
std::string assign(const Field &f, const json &value, AccelConfig &config) {
  std::string prefix = std::string("key '") + f.path + "': expected ";
  if (auto *m = std::get_if<StringMember>(&f.member)) {
    if (!value.is_string())
      return prefix + "a string, got " + describe(value);
    config.*(*m) = value.get<std::string>();
    return checkField(f, config);
  }
  if (auto *m = std::get_if<RealMember>(&f.member)) {
    if (!value.is_number())
      return prefix + "a number " + rangeText(f, false) + ", got " +
             describe(value);
    config.*(*m) = value.get<double>();
    return checkField(f, config);
  }
  // Integer fields: refuse 2.5, "3", true; accept 4 and 4.0? No: integers
  // only, so that a typo like 6.5 KiB never silently truncates.
  if (!value.is_number_integer())
    return prefix + "an integer " + rangeText(f, true) + ", got " +
           describe(value);
  if (value.is_number_unsigned()) {
    uint64_t v = value.get<uint64_t>();
    if (static_cast<double>(v) > f.maxValue)
      return prefix + "an integer " + rangeText(f, true) + ", got " +
             std::to_string(v);
    if (auto *m = std::get_if<U32Member>(&f.member))
      config.*(*m) = static_cast<uint32_t>(v);
    else
      config.*(std::get<U64Member>(f.member)) = v;
    return checkField(f, config);
  }
  int64_t v = value.get<int64_t>();
  if (v < f.minValue || static_cast<double>(v) > f.maxValue)
    return prefix + "an integer " + rangeText(f, true) + ", got " +
           std::to_string(v);
  if (auto *m = std::get_if<U32Member>(&f.member))
    config.*(*m) = static_cast<uint32_t>(v);
  else
    config.*(std::get<U64Member>(f.member)) = static_cast<uint64_t>(v);
  return checkField(f, config);
}

} // namespace

uint64_t AccelConfig::hash() const {
  uint64_t h = 0xcbf29ce484222325ULL; // FNV-1a 64 offset basis
  auto mix = [&](const void *data, size_t size) {
    const auto *bytes = static_cast<const uint8_t *>(data);
    for (size_t i = 0; i < size; ++i) {
      h ^= bytes[i];
      h *= 0x100000001b3ULL; // FNV-1a 64 prime
    }
  };
  auto mixU64 = [&](uint64_t v) {
    uint8_t le[8];
    for (int i = 0; i < 8; ++i)
      le[i] = static_cast<uint8_t>(v >> (8 * i));
    mix(le, 8);
  };
  for (const Field &f : kFields) {
    if (!f.hashed)
      continue;
    mix(f.path, std::strlen(f.path) + 1);
    if (auto *m = std::get_if<StringMember>(&f.member)) {
      const std::string &s = this->*(*m);
      mixU64(s.size());
      mix(s.data(), s.size());
    } else if (auto *m = std::get_if<U32Member>(&f.member)) {
      mixU64(this->*(*m));
    } else if (auto *m = std::get_if<U64Member>(&f.member)) {
      mixU64(this->*(*m));
    } else {
      double d = this->*(std::get<RealMember>(f.member));
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof(bits));
      mixU64(bits);
    }
  }
  return h;
}

std::string AccelConfig::validate() const {
  for (const Field &f : kFields)
    if (std::string why = checkField(f, *this); !why.empty())
      return why;
  return "";
}

Expected<AccelConfig> parseAccelConfig(StringRef jsonText, StringRef fileName) {
  // The configuration nests 2 levels (sections of keys).
  Expected<json> parsed =
      readJson(jsonText, fileName, {kMaxJsonDepth, "the configuration has 2"});
  if (!parsed)
    return parsed.takeError();
  const json &root = *parsed;
  if (!root.is_object())
    return makeError(fileName, "expected a JSON object at the top level, got " +
                                   describe(root));

  // Unknown keys first (a misspelt key is usually also a missing key, and
  // the misspelling is the more useful message).
  std::vector<std::string> known;
  for (const Field &f : kFields)
    known.push_back(f.path);
  auto knownList = [&](StringRef section) {
    std::string list;
    for (const Field &f : kFields) {
      auto [s, k] = splitPath(f.path);
      if (s != section)
        continue;
      if (!list.empty())
        list += ", ";
      list += k;
    }
    // Top level also lists the sections.
    if (section.empty())
      for (const char *s : {"pe", "se", "softmax", "sram", "dram", "energy"})
        list += std::string(", ") + s;
    return list;
  };
  auto isSection = [](StringRef key) {
    return key == "pe" || key == "se" || key == "softmax" || key == "sram" ||
           key == "dram" || key == "energy";
  };
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string &key = it.key();
    if (isSection(key)) {
      if (!it.value().is_object())
        return makeError(fileName, "key '" + key +
                                       "': expected an object, got " +
                                       describe(it.value()));
      for (auto jt = it.value().begin(); jt != it.value().end(); ++jt) {
        std::string path = key + "." + jt.key();
        if (std::find(known.begin(), known.end(), path) == known.end())
          return makeError(fileName,
                           "unknown key '" + path +
                               "'; expected one of: " + knownList(key));
      }
      continue;
    }
    if (std::find(known.begin(), known.end(), key) == known.end())
      return makeError(fileName, "unknown key '" + key +
                                     "'; expected one of: " + knownList(""));
  }

  AccelConfig config;
  for (const Field &f : kFields) {
    auto [section, key] = splitPath(f.path);
    const json *holder = &root;
    if (!section.empty()) {
      auto it = root.find(section);
      if (it == root.end())
        return makeError(fileName, "missing key '" + section + "'");
      holder = &*it;
    }
    auto it = holder->find(key);
    if (it == holder->end())
      return makeError(fileName, "missing key '" + std::string(f.path) + "'");
    if (std::string why = assign(f, *it, config); !why.empty())
      return makeError(fileName, why);
  }
  return config;
}

Expected<AccelConfig> loadAccelConfig(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return makeError(path, "cannot read the configuration: " +
                               buffer.getError().message());
  return parseAccelConfig((*buffer)->getBuffer(), path);
}

std::string accelConfigToJson(const AccelConfig &config) {
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  for (const Field &f : kFields) {
    auto [section, key] = splitPath(f.path);
    nlohmann::ordered_json &holder = section.empty() ? root : root[section];
    if (auto *m = std::get_if<StringMember>(&f.member))
      holder[key] = config.*(*m);
    else if (auto *m = std::get_if<U32Member>(&f.member))
      holder[key] = config.*(*m);
    else if (auto *m = std::get_if<U64Member>(&f.member))
      holder[key] = config.*(*m);
    else
      holder[key] = config.*(std::get<RealMember>(f.member));
  }
  return root.dump(2) + "\n";
}

} // namespace hdp::accel
