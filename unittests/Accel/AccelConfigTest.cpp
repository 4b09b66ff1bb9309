//===- AccelConfigTest.cpp - Tests of the accelerator configuration -------===//
//
// The shipped configurations load; every kind of bad file (bad JSON, unknown
// key, missing key, wrong type, impossible value) is refused with a message
// naming the file and the key; the hash sees every parameter.
//
//===----------------------------------------------------------------------===//

#include "hdp/ISA/AccelConfig.h"

#include "llvm/Support/MemoryBuffer.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

using namespace hdp::accel;
using namespace llvm;
using json = nlohmann::json;

namespace {

std::string configPath(StringRef name) {
  return std::string(HDP_SOURCE_DIR) + "/configs/" + name.str();
}

json edgeJson() {
  auto buffer = MemoryBuffer::getFile(configPath("hdp-edge.json"));
  EXPECT_TRUE(bool(buffer));
  return json::parse((*buffer)->getBuffer().str());
}

/// The error of parsing `j`, or "" on success.
std::string errorOf(const json &j) {
  Expected<AccelConfig> config = parseAccelConfig(j.dump(), "cfg.json");
  if (config)
    return "";
  return toString(config.takeError());
}

TEST(AccelConfig, ShippedConfigurationsLoad) {
  for (const char *name : {"hdp-edge.json", "hdp-server.json"}) {
    Expected<AccelConfig> config = loadAccelConfig(configPath(name));
    ASSERT_TRUE(bool(config)) << toString(config.takeError());
    EXPECT_EQ(config->validate(), "");
    EXPECT_EQ(config->tileRows, 4u);
    EXPECT_EQ(config->tileK, 4u);
    EXPECT_EQ(config->tileCols, 8u);
  }
  Expected<AccelConfig> edge = loadAccelConfig(configPath("hdp-edge.json"));
  Expected<AccelConfig> server = loadAccelConfig(configPath("hdp-server.json"));
  ASSERT_TRUE(edge && server);
  EXPECT_EQ(edge->name, "hdp-edge");
  EXPECT_EQ(server->name, "hdp-server");
  EXPECT_NE(edge->hash(), server->hash());
  EXPECT_GT(server->cores * server->peArraysPerCore,
            edge->cores * edge->peArraysPerCore);
}

TEST(AccelConfig, JsonRoundTrip) {
  Expected<AccelConfig> edge = loadAccelConfig(configPath("hdp-edge.json"));
  ASSERT_TRUE(bool(edge));
  Expected<AccelConfig> again =
      parseAccelConfig(accelConfigToJson(*edge), "again.json");
  ASSERT_TRUE(bool(again)) << toString(again.takeError());
  EXPECT_EQ(again->hash(), edge->hash());
  EXPECT_EQ(again->description, edge->description);
}

TEST(AccelConfig, HashSeesEveryParameter) {
  json base = edgeJson();
  uint64_t h0 = 0;
  {
    Expected<AccelConfig> c = parseAccelConfig(base.dump(), "x");
    ASSERT_TRUE(bool(c));
    h0 = c->hash();
  }
  // Change each numeric parameter a little: the hash must change.
  for (auto &[section, value] : base.items()) {
    if (!value.is_object())
      continue;
    for (auto &[key, v] : value.items()) {
      json changed = base;
      if (v.is_string()) // a precision
        changed[section][key] = v == "fp16" ? "f32" : "fp16";
      else if (v.is_number_integer())
        changed[section][key] = v.get<int64_t>() + 2;
      else
        changed[section][key] = v.get<double>() * 1.5 + 0.25;
      Expected<AccelConfig> c = parseAccelConfig(changed.dump(), "x");
      ASSERT_TRUE(bool(c)) << section << "." << key << ": "
                           << toString(c.takeError());
      EXPECT_NE(c->hash(), h0) << section << "." << key;
    }
  }
  // The description is documentation, not hardware.
  json described = base;
  described["description"] = "something else";
  Expected<AccelConfig> c = parseAccelConfig(described.dump(), "x");
  ASSERT_TRUE(bool(c));
  EXPECT_EQ(c->hash(), h0);
}

TEST(AccelConfig, PrecisionKeysTakeTheirFormatsOnly) {
  json base = edgeJson();
  for (const char *key : {"v", "p", "out"}) {
    for (const char *good : {"f32", "bf16", "fp16"}) {
      json changed = base;
      changed["precision"][key] = good;
      Expected<AccelConfig> c = parseAccelConfig(changed.dump(), "x.json");
      ASSERT_TRUE(bool(c)) << toString(c.takeError());
      Expected<AccelConfig> again =
          parseAccelConfig(accelConfigToJson(*c), "again.json");
      ASSERT_TRUE(bool(again));
      EXPECT_EQ(again->hash(), c->hash());
    }
    json changed = base;
    changed["precision"][key] = "int8";
    Expected<AccelConfig> c = parseAccelConfig(changed.dump(), "x.json");
    ASSERT_FALSE(bool(c));
    EXPECT_EQ(toString(c.takeError()),
              std::string("x.json: key 'precision.") + key +
                  "': expected \"f32\", \"bf16\" or \"fp16\" (int8 needs "
                  "a per-tensor scale the program does not carry), got "
                  "\"int8\"");
    changed["precision"][key] = 16;
    c = parseAccelConfig(changed.dump(), "x.json");
    ASSERT_FALSE(bool(c));
    EXPECT_EQ(toString(c.takeError()),
              std::string("x.json: key 'precision.") + key +
                  "': expected \"f32\", \"bf16\" or \"fp16\", got 16");
  }
}

TEST(AccelConfig, RoundingIsToNearestEven) {
  // bf16 keeps 8 significand bits (steps of 2^-7 above 1): 1 + 2^-8 is a
  // tie, rounded to the even 1; 1 + 3·2^-8 a tie rounded to the even 1 +
  // 2^-6. fp16 keeps 11 (steps of 2^-10) and overflows above 65504.
  EXPECT_EQ(roundTo(Precision::BF16, 1.0f + std::ldexp(1.0f, -8)), 1.0f);
  EXPECT_EQ(roundTo(Precision::BF16, 1.0f + 3 * std::ldexp(1.0f, -8)),
            1.0f + std::ldexp(1.0f, -6));
  EXPECT_EQ(roundTo(Precision::BF16,
                    1.0f + std::ldexp(1.0f, -7) + std::ldexp(1.0f, -9)),
            1.0f + std::ldexp(1.0f, -7));
  EXPECT_EQ(roundTo(Precision::FP16, 1.0f + std::ldexp(1.0f, -11)), 1.0f);
  EXPECT_EQ(roundTo(Precision::FP16, 70000.0f),
            std::numeric_limits<float>::infinity());
  EXPECT_EQ(roundTo(Precision::F32, 0.1f), 0.1f);
  EXPECT_TRUE(std::isnan(roundTo(Precision::BF16, std::nanf(""))));
}

TEST(AccelConfig, BadJsonNamesLineAndColumn) {
  Expected<AccelConfig> c =
      parseAccelConfig("{\n  \"name\": \"x\",\n  \"cores\": ,\n}", "bad.json");
  ASSERT_FALSE(bool(c));
  std::string e = toString(c.takeError());
  EXPECT_NE(e.find("bad.json: invalid JSON at line 3, column"),
            std::string::npos)
      << e;
  Expected<AccelConfig> top = parseAccelConfig("[1, 2]", "arr.json");
  ASSERT_FALSE(bool(top));
  EXPECT_EQ(toString(top.takeError()),
            "arr.json: expected a JSON object at the top level, got [1,2]");
}

TEST(AccelConfig, UnknownKeysAreNamed) {
  json j = edgeJson();
  j["core"] = 4;
  EXPECT_EQ(errorOf(j).rfind("cfg.json: unknown key 'core'; expected one of: "
                             "name, description, clock_mhz, cores",
                             0),
            0u)
      << errorOf(j);
  j = edgeJson();
  j["pe"]["tile_row"] = 4;
  EXPECT_EQ(errorOf(j).rfind("cfg.json: unknown key 'pe.tile_row'; expected "
                             "one of: arrays_per_core, tile_rows",
                             0),
            0u)
      << errorOf(j);
}

TEST(AccelConfig, MissingKeysAreNamed) {
  json j = edgeJson();
  j["dram"].erase("latency_cycles");
  EXPECT_EQ(errorOf(j), "cfg.json: missing key 'dram.latency_cycles'");
  j = edgeJson();
  j.erase("energy");
  EXPECT_EQ(errorOf(j), "cfg.json: missing key 'energy'");
  j = edgeJson();
  j.erase("name");
  EXPECT_EQ(errorOf(j), "cfg.json: missing key 'name'");
}

TEST(AccelConfig, ImpossibleValuesAreNamed) {
  struct Case {
    const char *section, *key;
    json value;
    const char *expected;
  };
  const Case cases[] = {
      {"", "cores", 0,
       "cfg.json: key 'cores': expected an integer in [1, 255], got 0"},
      {"", "cores", 300,
       "cfg.json: key 'cores': expected an integer in [1, 255], got 300"},
      {"", "cores", 2.5,
       "cfg.json: key 'cores': expected an integer in [1, 255], got 2.5"},
      {"", "cores", "4",
       "cfg.json: key 'cores': expected an integer in [1, 255], got \"4\""},
      {"", "clock_mhz", -1,
       "cfg.json: key 'clock_mhz': expected a number in [1, 1e+05], got -1"},
      {"", "clock_mhz", 0,
       "cfg.json: key 'clock_mhz': expected a number in [1, 1e+05], got 0"},
      // Positive but absurd physical values (docs/limits.md).
      {"", "clock_mhz", 1e-200,
       "cfg.json: key 'clock_mhz': expected a number in [1, 1e+05], got "
       "1e-200"},
      {"", "clock_mhz", 2e5,
       "cfg.json: key 'clock_mhz': expected a number in [1, 1e+05], got "
       "2e+05"},
      {"dram", "bytes_per_cycle", 0,
       "cfg.json: key 'dram.bytes_per_cycle': expected a number in [0.01, "
       "65536], got 0"},
      {"dram", "bytes_per_cycle", 1e-250,
       "cfg.json: key 'dram.bytes_per_cycle': expected a number in [0.01, "
       "65536], got 1e-250"},
      {"dram", "bytes_per_cycle", 0.005,
       "cfg.json: key 'dram.bytes_per_cycle': expected a number in [0.01, "
       "65536], got 0.005"},
      {"energy", "pv_mac_pj", 3e7,
       "cfg.json: key 'energy.pv_mac_pj': expected a number in [0, 1e+06], "
       "got 3e+07"},
      {"energy", "static_power_mw", 1e300,
       "cfg.json: key 'energy.static_power_mw': expected a number in [0, "
       "1e+06], got 1e+300"},
      {"pe", "tile_rows", 0,
       "cfg.json: key 'pe.tile_rows': expected an integer in [1, 255], got 0"},
      {"sram", "score_buffer_bytes", 1,
       "cfg.json: key 'sram.score_buffer_bytes': expected an integer in [2, "
       "4294967295], got 1"},
      {"sram", "q_buffer_bytes", -5,
       "cfg.json: key 'sram.q_buffer_bytes': expected an integer in [2, "
       "4294967295], got -5"},
      {"energy", "dram_byte_pj", -0.5,
       "cfg.json: key 'energy.dram_byte_pj': expected a number in [0, 1e+06], "
       "got -0.5"},
      {"", "name", "",
       "cfg.json: key 'name': expected 1 to 31 characters, got 0"},
      {"", "name", "has space",
       "cfg.json: key 'name': expected only letters, digits, '-', '_' and "
       "'.', got ' '"},
      {"", "name", 7, "cfg.json: key 'name': expected a string, got 7"},
  };
  for (const Case &c : cases) {
    json j = edgeJson();
    if (*c.section)
      j[c.section][c.key] = c.value;
    else
      j[c.key] = c.value;
    EXPECT_EQ(errorOf(j), c.expected);
  }
  json j = edgeJson();
  j["pe"] = 3;
  EXPECT_EQ(errorOf(j), "cfg.json: key 'pe': expected an object, got 3");
}

TEST(AccelConfig, MissingFile) {
  Expected<AccelConfig> c = loadAccelConfig("/nonexistent/cfg.json");
  ASSERT_FALSE(bool(c));
  EXPECT_EQ(
      toString(c.takeError())
          .rfind("/nonexistent/cfg.json: cannot read the configuration", 0),
      0u);
}

// Found by fuzz/AccelConfigFuzzer: a number too large for a double made
// nlohmann throw out_of_range (not parse_error), which escaped the loader and
// aborted the program. It must be an ordinary error.
TEST(AccelConfig, NumberOverflowIsAnError) {
  for (const char *text : {"{\"clock_mhz\": 1E400}", "{\"cores\": -1e999}",
                           "{\n  \"name\": 99999999999E9999999}"}) {
    Expected<AccelConfig> c = parseAccelConfig(text, "big.json");
    ASSERT_FALSE(bool(c)) << text;
    std::string e = toString(c.takeError());
    EXPECT_EQ(e.rfind("big.json: invalid JSON: number overflow parsing '", 0),
              0u)
        << e;
  }
}

/// The error of parsing `text`, or "" on success.
std::string textErrorOf(const std::string &text) {
  Expected<AccelConfig> config = parseAccelConfig(text, "deep.json");
  if (config)
    return "";
  return toString(config.takeError());
}

// A deeply nested document used to overflow the stack (the printer of the
// "expected a JSON object" message recursed once per level). Nesting beyond
// 16 levels is refused before any document is built, with its position.
TEST(AccelConfig, DeepNestingIsRefused) {
  const std::string tooDeep =
      "cfg.json: invalid JSON at line 1, column 17: arrays and objects "
      "nested deeper than 16 levels (the configuration has 2)";
  for (size_t levels : {17u, 1000u, 500000u}) {
    EXPECT_EQ(textErrorOf(std::string(levels, '[') + std::string(levels, ']'))
                  .substr(std::string("deep.json").size()),
              tooDeep.substr(std::string("cfg.json").size()))
        << levels;
    std::string objects;
    for (size_t i = 0; i < levels; ++i)
      objects += "{\"k\":";
    EXPECT_NE(textErrorOf(objects + "0" + std::string(levels, '}'))
                  .find("column 81: arrays and objects nested deeper than 16"),
              std::string::npos)
        << levels;
  }
  // Unterminated, and on the third line: the position is still the 17th
  // opening bracket, counted outside strings only.
  EXPECT_EQ(textErrorOf("{\"description\": \"[[[\\\"[\",\n\n \"x\":" +
                        std::string(100000, '[')),
            "deep.json: invalid JSON at line 3, column 21: arrays and objects "
            "nested deeper than 16 levels (the configuration has 2)");
  // 16 levels are only refused for what they hold.
  json j = edgeJson();
  json nested = 1;
  for (int i = 0; i < 14; ++i)
    nested = json::array({nested});
  j["description"] = nested;
  EXPECT_EQ(errorOf(j).rfind("cfg.json: key 'description': expected a "
                             "string, got [[[[",
                             0),
            0u)
      << errorOf(j);
}

// nlohmann keeps the last of repeated keys; a configuration that says two
// things about one key is refused instead, naming the key.
TEST(AccelConfig, DuplicateKeysAreRefused) {
  std::string text = edgeJson().dump(1);
  auto withDuplicate = [&](const std::string &key, const std::string &value) {
    std::string t = text;
    size_t at = t.find("\"" + key + "\":");
    EXPECT_NE(at, std::string::npos) << key;
    return t.insert(at, "\"" + key + "\": " + value + ", ");
  };
  EXPECT_EQ(textErrorOf(withDuplicate("cores", "4")),
            "deep.json: duplicate key 'cores'");
  EXPECT_EQ(textErrorOf(withDuplicate("burst_bytes", "64")),
            "deep.json: duplicate key 'dram.burst_bytes'");
  EXPECT_EQ(textErrorOf(withDuplicate("sram", "{}")),
            "deep.json: duplicate key 'sram'");
  // The same key in two different objects is not a duplicate.
  EXPECT_EQ(textErrorOf(text), "");
}

} // namespace
