//===- ConfigOverridesTest.cpp - --set key=value on configurations --------===//

#include "hdp/ISA/ConfigOverrides.h"

#include "gtest/gtest.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

using namespace hdp::accel;

namespace {

AccelConfig edge() {
  llvm::Expected<AccelConfig> c =
      loadAccelConfig(std::string(HDP_SOURCE_DIR) + "/configs/hdp-edge.json");
  EXPECT_TRUE(bool(c)) << (c ? "" : llvm::toString(c.takeError()));
  return *c;
}

std::string errorOf(llvm::Expected<AccelConfig> c) {
  if (c)
    return "";
  return llvm::toString(c.takeError());
}

TEST(ConfigOverrides, EveryKeyOfTheFileCanBeSet) {
  // configKeys() lists exactly the leaves of a configuration file.
  std::ifstream in(std::string(HDP_SOURCE_DIR) + "/configs/hdp-edge.json");
  nlohmann::ordered_json file = nlohmann::ordered_json::parse(in);
  std::vector<std::string> leaves;
  for (auto it = file.begin(); it != file.end(); ++it) {
    if (!it.value().is_object())
      leaves.push_back(it.key());
    else
      for (auto jt = it.value().begin(); jt != it.value().end(); ++jt)
        leaves.push_back(it.key() + "." + jt.key());
  }
  EXPECT_EQ(configKeys(), leaves);

  // Setting any key to the value it has changes nothing.
  AccelConfig base = edge();
  nlohmann::ordered_json canonical =
      nlohmann::ordered_json::parse(accelConfigToJson(base));
  for (const std::string &key : configKeys()) {
    // Walked by name: at(json_pointer) instantiates a deprecated
    // json_pointer comparison in nlohmann 3.11 (a warning).
    const nlohmann::ordered_json *node = &canonical;
    for (llvm::StringRef rest = key; !rest.empty();) {
      auto [part, tail] = rest.split('.');
      node = &node->at(part.str());
      rest = tail;
    }
    const nlohmann::ordered_json &value = *node;
    std::string text =
        value.is_string() ? value.get<std::string>() : value.dump();
    llvm::Expected<AccelConfig> same =
        applyConfigOverrides(base, {{key, text}});
    ASSERT_TRUE(bool(same)) << key << ": " << llvm::toString(same.takeError());
    EXPECT_EQ(same->hash(), base.hash()) << key;
    EXPECT_EQ(same->description, base.description) << key;
  }
}

TEST(ConfigOverrides, ValuesLandInTheirFields) {
  llvm::Expected<AccelConfig> c =
      applyConfigOverrides(edge(), {{"pe.arrays_per_core", "8"},
                                    {"dram.bytes_per_cycle", "12.5"},
                                    {"sram.score_buffer_bytes", "262144"},
                                    {"name", "edge-8"},
                                    {"description", "an edge with 8 arrays"}});
  ASSERT_TRUE(bool(c)) << llvm::toString(c.takeError());
  EXPECT_EQ(c->peArraysPerCore, 8u);
  EXPECT_EQ(c->dramBytesPerCycle, 12.5);
  EXPECT_EQ(c->scoreBufferBytes, 262144u);
  EXPECT_EQ(c->name, "edge-8");
  EXPECT_EQ(c->description, "an edge with 8 arrays");
  EXPECT_NE(c->hash(), edge().hash());
  // Untouched keys keep their values.
  EXPECT_EQ(c->cores, edge().cores);
  EXPECT_EQ(c->energyDramBytePj, edge().energyDramBytePj);
}

TEST(ConfigOverrides, BadOverridesNameTheKey) {
  AccelConfig base = edge();
  EXPECT_EQ(errorOf(applyConfigOverrides(base, {{"cores", "0"}})),
            "--set: key 'cores': expected an integer in [1, 255], got 0");
  EXPECT_EQ(errorOf(applyConfigOverrides(base, {{"cores", "4.0"}})),
            "--set: key 'cores': expected an integer in [1, 255], got 4.0");
  EXPECT_EQ(errorOf(applyConfigOverrides(base, {{"cores", "[4]"}})),
            "--set: key 'cores': expected an integer in [1, 255], got "
            "\"[4]\"");
  EXPECT_EQ(errorOf(applyConfigOverrides(base, {{"clock_mhz", "nan"}})),
            "--set: key 'clock_mhz': expected a number in [1, 1e+05], got "
            "\"nan\"");
  EXPECT_EQ(
      errorOf(applyConfigOverrides(base, {{"dram.bytes_per_cycle", "1e400"}})),
      "--set: key 'dram.bytes_per_cycle': expected a number in [0.01, 65536], "
      "got \"1e400\"");
  EXPECT_EQ(errorOf(applyConfigOverrides(base, {{"name", ""}})),
            "--set: key 'name': expected 1 to 31 characters, got 0");
  EXPECT_EQ(errorOf(applyConfigOverrides(
                base, {{"pe.tile_rows", "1"}, {"pe.tile_rows", "2"}}, "x")),
            "x: key 'pe.tile_rows' is set twice");
  std::string unknown =
      errorOf(applyConfigOverrides(base, {{"dram.bandwidth", "1"}}));
  EXPECT_EQ(unknown, "--set: unknown key 'dram.bandwidth'; expected one of: "
                     "dram.bytes_per_cycle, dram.latency_cycles, "
                     "dram.burst_bytes");
  EXPECT_NE(errorOf(applyConfigOverrides(base, {{"pe.tile_rows.x", "1"}})), "");
}

TEST(ConfigOverrides, ParsesKeyEqualsValue) {
  llvm::Expected<ConfigOverride> o = parseConfigOverride(" pe.tile_k = 8 ");
  ASSERT_TRUE(bool(o));
  EXPECT_EQ(o->key, "pe.tile_k");
  EXPECT_EQ(o->value, "8");
  llvm::Expected<ConfigOverride> eq = parseConfigOverride("description=a=b");
  ASSERT_TRUE(bool(eq));
  EXPECT_EQ(eq->value, "a=b");
  for (const char *bad : {"pe.tile_k", "=8", "pe.tile_k=", ""}) {
    llvm::Expected<ConfigOverride> e = parseConfigOverride(bad);
    EXPECT_FALSE(bool(e)) << bad;
    if (!e)
      llvm::consumeError(e.takeError());
  }
}

} // namespace
