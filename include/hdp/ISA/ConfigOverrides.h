//===- ConfigOverrides.h - Change keys of an accelerator config -*- C++ -*-===//
//
// `--set pe.arrays_per_core=4 --set dram.bytes_per_cycle=32`: any key of an
// accelerator configuration (docs/accelerator.md, "Configuration
// parameters"), named by its dotted path in the JSON file, given a new
// value. The result goes through the same validation as a file: an unknown
// key or an impossible value is one error naming the key.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_ISA_CONFIGOVERRIDES_H
#define HDP_ISA_CONFIGOVERRIDES_H

#include "hdp/ISA/AccelConfig.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace hdp::accel {

/// One `key=value`: the key's dotted path and the value's text (a JSON
/// number, or for text keys any text).
struct ConfigOverride {
  std::string key;
  std::string value;
};

/// Parses `key=value`. Fails (without a prefix) on a missing `=`, an empty
/// key or an empty value.
llvm::Expected<ConfigOverride> parseConfigOverride(llvm::StringRef text);

/// Every key path of a configuration, in file order ("name", ...,
/// "pe.arrays_per_core", ...).
std::vector<std::string> configKeys();

/// `base` with `overrides` applied, validated as a configuration file is.
/// A key may be set once. Errors read "<origin>: key '<key>': ...".
llvm::Expected<AccelConfig>
applyConfigOverrides(const AccelConfig &base,
                     llvm::ArrayRef<ConfigOverride> overrides,
                     llvm::StringRef origin = "--set");

} // namespace hdp::accel

#endif // HDP_ISA_CONFIGOVERRIDES_H
