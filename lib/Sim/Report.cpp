//===- Report.cpp - Statistics JSON and Chrome trace JSON -----------------===//
//
// statsToJson: the fields docs/accelerator.md ("Statistics") documents.
// traceToJson: Chrome trace-event format (the "JSON object format" with
// traceEvents, complete "X" events and "M" metadata naming processes and
// threads), which Perfetto and chrome://tracing open. Timestamps are in
// microseconds, as the format requires.
//
//===----------------------------------------------------------------------===//

#include "hdp/Sim/Simulator.h"

#include "hdp/Accel/StreamBuilder.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <nlohmann/json.hpp>

using namespace llvm;
using namespace hdp::accel;
using ordered_json = nlohmann::ordered_json;

namespace hdp::sim {

namespace {

/// The units whose busy time is meaningful (not the barrier pseudo-unit).
constexpr Unit kWorkUnits[] = {Unit::DmaIn, Unit::DmaOut, Unit::Pe, Unit::Se,
                               Unit::Sfu};

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

} // namespace

std::string statsToJson(const SimResult &result, const Program &program,
                        const AccelConfig &config) {
  const Stats &s = result.stats;
  const double total = double(s.totalCycles);
  ordered_json j;
  j["accelerator"] = config.name;
  j["engine"] = isDenseEngineProgram(program) ? "dense" : "hdp";
  j["clock_mhz"] = config.clockMhz;
  ordered_json shape;
  shape["B"] = program.shape.B;
  shape["H"] = program.shape.H;
  shape["N"] = program.shape.N;
  shape["M"] = program.shape.M;
  shape["D"] = program.shape.D;
  shape["Dv"] = program.shape.Dv;
  shape["mask"] = program.shape.hasMask;
  j["shape"] = shape;
  const AttentionParams &p = program.attention;
  ordered_json attention;
  attention["policy"] = ref::policyName(p.policy);
  attention["block"] = {p.blockRows, p.blockCols};
  attention["rho"] = p.rhoQ16 / 65536.0;
  attention["tau_h"] = double(p.tauHQ16) / 65536.0;
  attention["topk"] = p.topk;
  attention["approx"] = p.approx;
  attention["softmax"] =
      p.softmax == ref::SoftmaxKind::Exact ? "exact" : "poly";
  j["attention"] = attention;

  ordered_json cycles;
  cycles["total"] = s.totalCycles;
  cycles["time_us"] = total / config.clockMhz;
  j["cycles"] = cycles;

  // Per unit over all cores, then per core.
  ordered_json units;
  for (Unit u : kWorkUnits) {
    uint64_t busy = 0;
    for (const auto &core : s.cores)
      busy += core[static_cast<unsigned>(u)].busyCycles;
    ordered_json entry;
    entry["busy_cycles"] = busy;
    entry["utilization"] = ratio(double(busy), total * s.cores.size());
    units[unitName(u).str()] = entry;
  }
  j["units"] = units;
  ordered_json cores = ordered_json::array();
  for (size_t c = 0; c < s.cores.size(); ++c) {
    ordered_json core;
    core["core"] = c;
    for (Unit u : kWorkUnits) {
      const UnitStats &us = s.cores[c][static_cast<unsigned>(u)];
      ordered_json entry;
      entry["busy_cycles"] = us.busyCycles;
      entry["utilization"] = ratio(double(us.busyCycles), total);
      entry["commands"] = us.commands;
      core[unitName(u).str()] = entry;
    }
    cores.push_back(core);
  }
  j["cores"] = cores;

  ordered_json dram;
  dram["bytes_read"] = s.dramBytesRead;
  dram["bytes_written"] = s.dramBytesWritten;
  dram["bytes_saved_fetch_upon_mask"] = s.dramBytesSavedFum;
  dram["bytes_saved_head_pruning"] = s.dramBytesSavedHeadPruning;
  dram["busy_cycles"] = s.dramBusyCycles;
  dram["utilization"] = ratio(double(s.dramBusyCycles), total);
  j["dram"] = dram;
  ordered_json sram;
  sram["bytes_read"] = s.sramBytesRead;
  sram["bytes_written"] = s.sramBytesWritten;
  j["sram"] = sram;

  ordered_json ops;
  ops["int_macs"] = s.intMacs;
  ops["pv_macs"] = s.pvMacs;
  ops["se_ops"] = s.seOps;
  ops["softmax_elements"] = s.softmaxElements;
  j["operations"] = ops;

  Energy e = computeEnergy(s, config);
  ordered_json energy;
  energy["pe_int"] = e.peInt;
  energy["pe_pv"] = e.pePv;
  energy["se"] = e.se;
  energy["softmax"] = e.softmax;
  energy["sram"] = e.sram;
  energy["dram"] = e.dram;
  energy["leakage"] = e.leakage;
  energy["total"] = e.total();
  j["energy_pj"] = energy;
  j["energy_uj"] = e.total() * 1e-6;

  ordered_json pruning;
  pruning["blocks_total"] = s.blocksTotal;
  pruning["blocks_valid"] = s.blocksValid;
  pruning["blocks_kept"] = s.blocksKept;
  pruning["blocks_pruned"] =
      s.blocksValid >= s.blocksKept ? s.blocksValid - s.blocksKept : 0;
  pruning["block_sparsity"] = ratio(
      double(s.blocksValid) - double(s.blocksKept), double(s.blocksValid));
  pruning["heads_total"] = s.headsTotal;
  pruning["heads_pruned"] = s.headsPruned;
  j["pruning"] = pruning;

  ordered_json commands;
  commands["total"] = s.commands;
  commands["executed"] = s.commands - s.commandsSkipped;
  commands["skipped_pruned_head"] = s.commandsSkipped;
  ordered_json byOpcode;
  for (unsigned op = 0; op < 256; ++op)
    if (s.commandsByOpcode[op])
      byOpcode[opcodeName(static_cast<Opcode>(op)).str()] =
          s.commandsByOpcode[op];
  commands["by_opcode"] = byOpcode;
  j["commands"] = commands;
  return j.dump(2) + "\n";
}

std::string traceToJson(const SimResult &result, const Program &program,
                        const AccelConfig &config) {
  // Written by hand rather than through a JSON DOM: traces of big programs
  // have hundreds of thousands of events.
  std::string text;
  raw_string_ostream os(text);
  const double usPerCycle = 1.0 / config.clockMhz;
  const unsigned dramPid = 0;
  auto pidOf = [](unsigned core) { return core + 1; };
  auto tidOf = [](Unit u) { return static_cast<unsigned>(u) + 1; };
  os << "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"accelerator\":\""
     << config.name << "\",\"cycles\":" << result.stats.totalCycles
     << ",\"clock_mhz\":" << format("%g", config.clockMhz)
     << "},\n\"traceEvents\":[\n";
  bool first = true;
  auto comma = [&]() {
    if (!first)
      os << ",\n";
    first = false;
  };
  auto meta = [&](const char *what, unsigned pid, unsigned tid,
                  const std::string &name, bool sortIndex = false) {
    comma();
    os << "{\"name\":\"" << what << "\",\"ph\":\"M\",\"pid\":" << pid
       << ",\"tid\":" << tid << ",\"args\":{\""
       << (sortIndex ? "sort_index" : "name") << "\":";
    if (sortIndex)
      os << pid;
    else
      os << "\"" << name << "\"";
    os << "}}";
  };
  meta("process_name", dramPid, 0, "DRAM channel");
  meta("thread_name", dramPid, 1, "transfers");
  for (unsigned c = 0; c < program.accel.cores; ++c) {
    meta("process_name", pidOf(c), 0, "core " + std::to_string(c));
    meta("process_sort_index", pidOf(c), 0, "", true);
    for (unsigned u = 0; u < kNumUnits; ++u)
      meta("thread_name", pidOf(c), tidOf(static_cast<Unit>(u)),
           unitName(static_cast<Unit>(u)).str());
  }
  for (const TraceEvent &ev : result.trace) {
    const Command &c = program.commands[ev.command];
    comma();
    unsigned pid = ev.unit ? pidOf(ev.core) : dramPid;
    unsigned tid = ev.unit ? tidOf(*ev.unit) : 1;
    std::string name = opcodeName(c.opcode).str();
    if (c.opcode == Opcode::DmaLoad || c.opcode == Opcode::DmaStore)
      name += " " + tensorName(c.tensor).str();
    if (!ev.unit)
      name += " (core " + std::to_string(ev.core) + ")";
    if (ev.skipped)
      name += " [skipped]";
    os << "{\"name\":\"" << name << "\",\"cat\":\""
       << (ev.unit ? unitName(*ev.unit) : StringRef("dram"))
       << "\",\"ph\":\"X\",\"pid\":" << pid << ",\"tid\":" << tid
       << ",\"ts\":" << format("%.4f", ev.start * usPerCycle)
       << ",\"dur\":" << format("%.4f", (ev.end - ev.start) * usPerCycle)
       << ",\"args\":{\"command\":" << ev.command
       << ",\"start_cycle\":" << ev.start << ",\"end_cycle\":" << ev.end
       << ",\"text\":\"" << formatCommand(c) << "\"}}";
  }
  os << "\n]}\n";
  return text;
}

} // namespace hdp::sim
