//===- ConfigOverrides.cpp - Change keys of an accelerator config ---------===//
//
// The configuration is printed in its file format (accelConfigToJson), the
// overridden leaves replaced, and the text parsed again by
// parseAccelConfig: the keys, their types and their ranges are defined once,
// in AccelConfig.cpp, and an override is checked exactly as a file is.
//
//===----------------------------------------------------------------------===//

#include "hdp/ISA/ConfigOverrides.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

#include <nlohmann/json.hpp>

using namespace llvm;
using ordered_json = nlohmann::ordered_json;

namespace hdp::accel {

namespace {

Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// The leaf at dotted `path`, or null.
ordered_json *findLeaf(ordered_json &root, StringRef path) {
  ordered_json *node = &root;
  SmallVector<StringRef, 2> parts;
  path.split(parts, '.');
  for (StringRef part : parts) {
    if (!node->is_object())
      return nullptr;
    auto it = node->find(part.str());
    if (it == node->end())
      return nullptr;
    node = &*it;
  }
  return node->is_object() ? nullptr : node;
}

/// The keys that share `key`'s section (every key when the section is not
/// one), for the message about an unknown key.
std::string keysLike(StringRef key) {
  std::vector<std::string> keys = configKeys();
  StringRef section = key.split('.').first;
  std::string list;
  bool anyInSection = any_of(keys, [&](const std::string &k) {
    return !section.empty() && StringRef(k).starts_with(section.str() + ".");
  });
  for (const std::string &k : keys) {
    if (anyInSection && !StringRef(k).starts_with(section.str() + "."))
      continue;
    list += (list.empty() ? "" : ", ") + k;
  }
  return list;
}

} // namespace

Expected<ConfigOverride> parseConfigOverride(StringRef text) {
  auto [key, value] = text.split('=');
  key = key.trim();
  if (!text.contains('=') || key.empty())
    return makeError("expected key=value (e.g. pe.arrays_per_core=4), got '" +
                     text + "'");
  if (value.trim().empty())
    return makeError("key '" + key + "': expected a value after '='");
  return ConfigOverride{key.str(), value.trim().str()};
}

std::vector<std::string> configKeys() {
  std::vector<std::string> keys;
  ordered_json root = ordered_json::parse(accelConfigToJson(AccelConfig{}));
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (!it.value().is_object()) {
      keys.push_back(it.key());
      continue;
    }
    for (auto jt = it.value().begin(); jt != it.value().end(); ++jt)
      keys.push_back(it.key() + "." + jt.key());
  }
  return keys;
}

Expected<AccelConfig> applyConfigOverrides(const AccelConfig &base,
                                           ArrayRef<ConfigOverride> overrides,
                                           StringRef origin) {
  if (overrides.empty())
    return base;
  ordered_json root = ordered_json::parse(accelConfigToJson(base));
  StringSet<> seen;
  for (const ConfigOverride &o : overrides) {
    ordered_json *leaf = findLeaf(root, o.key);
    if (!leaf)
      return makeError(origin + ": unknown key '" + o.key +
                       "'; expected one of: " + keysLike(o.key));
    if (!seen.insert(o.key).second)
      return makeError(origin + ": key '" + o.key + "' is set twice");
    if (leaf->is_string()) {
      *leaf = o.value;
      continue;
    }
    // Numbers are read as JSON, so that "4" is an integer and "0.5" is not;
    // anything else goes in as text, for the validation to name the key
    // and what it expected.
    ordered_json value = ordered_json::parse(o.value, nullptr,
                                             /*allow_exceptions=*/false);
    if (value.is_discarded() || !value.is_primitive())
      value = o.value;
    *leaf = std::move(value);
  }
  return parseAccelConfig(root.dump(), origin);
}

} // namespace hdp::accel
