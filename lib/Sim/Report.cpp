//===- Report.cpp - Statistics JSON and Chrome trace JSON -----------------===//
//
// statsToJson: the fields docs/accelerator.md ("Statistics") documents.
// statsToText: the same for a reader: where the cycles went per unit and per
// phase, the roofline of each phase, area and efficiency.
// traceToJson: Chrome trace-event format (the "JSON object format" with
// traceEvents, complete "X" events and "M" metadata naming processes and
// threads), which Perfetto and chrome://tracing open. Timestamps are in
// microseconds, as the format requires.
//
//===----------------------------------------------------------------------===//

#include "hdp/Sim/Simulator.h"

#include "hdp/ISA/StreamBuilder.h"
#include "hdp/Sim/AreaModel.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

using namespace llvm;
using namespace hdp::accel;
using ordered_json = nlohmann::ordered_json;

namespace hdp::sim {

namespace {

/// The units whose busy time is meaningful (not the barrier pseudo-unit).
constexpr Unit kWorkUnits[] = {Unit::DmaIn, Unit::DmaOut, Unit::Pe, Unit::Se,
                               Unit::Sfu};

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

/// "stall_dram_data", ... for JSON keys.
std::string stallKey(WaitCause cause) {
  return "stall_" + waitCauseName(cause).str();
}

/// The dynamic energy of each kind of work, in pJ (totals and phases add
/// their own leakage and sums).
ordered_json dynamicEnergyJson(const Energy &e) {
  ordered_json energy;
  energy["pe_int"] = e.peInt;
  energy["pe_pv"] = e.pePv;
  energy["se"] = e.se;
  energy["softmax"] = e.softmax;
  energy["sram"] = e.sram;
  energy["dram"] = e.dram;
  return energy;
}

ordered_json unitTimeJson(const UnitTime &t) {
  ordered_json j;
  j["active"] = t.active;
  for (unsigned c = 0; c < kNumWaitCauses; ++c)
    j[stallKey(static_cast<WaitCause>(c))] = t.stall[c];
  j["idle"] = t.idle;
  return j;
}

/// A unit's time summed over the cores.
UnitTime unitTotal(const Stats &s, Unit unit) {
  UnitTime t;
  for (const auto &core : s.unitTime)
    t += core[static_cast<unsigned>(unit)];
  return t;
}

/// The counters of a phase as Stats, for computeEnergy (no time: the
/// leakage belongs to the whole run).
Stats phaseCounters(const PhaseStats &p) {
  Stats s;
  s.intMacs = p.intMacs;
  s.pvMacs = p.pvMacs;
  s.seOps = p.seOps;
  s.softmaxElements = p.softmaxElements;
  s.sramBytesRead = p.sramBytesRead;
  s.sramBytesWritten = p.sramBytesWritten;
  s.dramBytesRead = p.dramBytesRead;
  s.dramBytesWritten = p.dramBytesWritten;
  return s;
}

/// A point of the roofline: MACs (integer and P·V) against DRAM bytes and
/// cycles, with the roofs of the configuration for that mix of MACs.
struct RooflinePoint {
  double macs = 0, dramBytes = 0, cycles = 0;
  double intensity = 0;   ///< MACs per DRAM byte
  double achieved = 0;    ///< MACs per cycle
  double computeRoof = 0; ///< MACs per cycle with the PE always busy
  double dramRoof = 0;    ///< MACs per cycle with the channel always busy
  double attainable() const { return std::min(computeRoof, dramRoof); }
  const char *bound() const {
    if (macs == 0)
      return "none";
    return dramRoof < computeRoof ? "dram" : "compute";
  }
};

RooflinePoint roofline(uint64_t intMacs, uint64_t pvMacs, uint64_t dramBytes,
                       uint64_t cycles, const PeakRates &peak) {
  RooflinePoint r;
  r.macs = double(intMacs) + double(pvMacs);
  r.dramBytes = double(dramBytes);
  r.cycles = double(cycles);
  r.intensity = ratio(r.macs, r.dramBytes);
  r.achieved = ratio(r.macs, r.cycles);
  // The PE time of this mix at peak rates.
  double peCycles = double(intMacs) / peak.intMacsPerCycle +
                    double(pvMacs) / peak.pvMacsPerCycle;
  r.computeRoof = peCycles > 0 ? r.macs / peCycles : peak.intMacsPerCycle;
  r.dramRoof = r.dramBytes > 0 ? r.intensity * peak.dramBytesPerCycle
                               : std::numeric_limits<double>::infinity();
  return r;
}

ordered_json rooflineJson(const RooflinePoint &r) {
  ordered_json j;
  j["macs"] = r.macs;
  j["intensity_macs_per_dram_byte"] = r.intensity;
  j["achieved_macs_per_cycle"] = r.achieved;
  j["compute_roof_macs_per_cycle"] = r.computeRoof;
  // JSON has no infinity: a phase that moves nothing has no DRAM roof.
  j["dram_roof_macs_per_cycle"] =
      std::isfinite(r.dramRoof) ? ordered_json(r.dramRoof) : ordered_json();
  j["bound"] = r.bound();
  j["fraction_of_attainable"] = ratio(r.achieved, r.attainable());
  return j;
}

/// Dense-equivalent operations of the attention: 2 per MAC of Q·Kᵀ and of
/// P·V over every query-key pair, what published accelerators report their
/// effective throughput in.
double denseEquivalentOps(const AttentionShape &s) {
  return 2.0 * s.B * s.H * double(s.N) * s.M * (double(s.D) + s.Dv);
}

struct Efficiency {
  double ops = 0, gops = 0, gopsPerMm2 = 0, gopsPerWatt = 0;
};
Efficiency efficiency(const Stats &s, const Program &program,
                      const AccelConfig &config) {
  Efficiency e;
  e.ops = denseEquivalentOps(program.shape);
  double seconds = double(s.totalCycles) / (config.clockMhz * 1e6);
  double joules = computeEnergy(s, config).total() * 1e-12;
  e.gops = ratio(e.ops, seconds) * 1e-9;
  e.gopsPerMm2 = ratio(e.gops, computeArea(config).total());
  e.gopsPerWatt = ratio(e.ops, joules) * 1e-9; // GOP/s per W = GOP per J
  return e;
}

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
  if (program.shape.hasMask)
    shape["mask_form"] = accel::maskFormName(program.shape.maskForm);
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
    entry["cycles"] = unitTimeJson(unitTotal(s, u));
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
      if (c < s.unitTime.size())
        entry["cycles"] = unitTimeJson(s.unitTime[c][static_cast<unsigned>(u)]);
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
  ordered_json byTensor = ordered_json::object();
  for (unsigned t = 1; t < s.dramBytesByTensor.size(); ++t)
    if (StringRef name = accel::tensorName(static_cast<accel::Tensor>(t));
        name != "<unknown>")
      byTensor[name.str()] = s.dramBytesByTensor[t];
  dram["bytes_by_tensor"] = byTensor;
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
  ordered_json energy = dynamicEnergyJson(e);
  energy["leakage"] = e.leakage;
  energy["total"] = e.total();
  j["energy_pj"] = energy;
  j["energy_uj"] = e.total() * 1e-6;

  // Per phase: work, traffic, dynamic energy, unit time and roofline.
  const PeakRates peak = peakRates(config);
  ordered_json phases;
  for (unsigned i = 0; i < kNumPhases; ++i) {
    const PhaseStats &p = s.phases[i];
    ordered_json phase;
    phase["commands"] = p.commands;
    phase["start_cycle"] = p.commands ? p.firstStart : 0;
    phase["end_cycle"] = p.lastEnd;
    phase["span_cycles"] = p.span();
    phase["dram_bytes_read"] = p.dramBytesRead;
    phase["dram_bytes_written"] = p.dramBytesWritten;
    phase["dram_busy_cycles"] = p.dramTransferCycles;
    phase["sram_bytes_read"] = p.sramBytesRead;
    phase["sram_bytes_written"] = p.sramBytesWritten;
    phase["int_macs"] = p.intMacs;
    phase["pv_macs"] = p.pvMacs;
    phase["se_ops"] = p.seOps;
    phase["softmax_elements"] = p.softmaxElements;
    Energy pe = computeEnergy(phaseCounters(p), config);
    ordered_json penergy = dynamicEnergyJson(pe);
    penergy["dynamic"] = pe.total();
    phase["energy_pj"] = penergy;
    ordered_json punits;
    for (Unit u : kWorkUnits)
      punits[unitName(u).str()] =
          unitTimeJson(p.units[static_cast<unsigned>(u)]);
    phase["units"] = punits;
    phase["roofline"] = rooflineJson(
        roofline(p.intMacs, p.pvMacs, p.dramBytesRead + p.dramBytesWritten,
                 p.span(), peak));
    phases[phaseName(static_cast<Phase>(i)).str()] = phase;
  }
  j["phases"] = phases;
  ordered_json roofs;
  roofs["int_macs_per_cycle"] = peak.intMacsPerCycle;
  roofs["pv_macs_per_cycle"] = peak.pvMacsPerCycle;
  roofs["dram_bytes_per_cycle"] = peak.dramBytesPerCycle;
  roofs["total"] = rooflineJson(roofline(s.intMacs, s.pvMacs,
                                         s.dramBytesRead + s.dramBytesWritten,
                                         s.totalCycles, peak));
  j["roofline"] = roofs;

  Area area = computeArea(config);
  ordered_json areaJson;
  areaJson["node"] = kAreaNode;
  areaJson["pe_int"] = area.peInt;
  areaJson["pe_pv"] = area.pePv;
  areaJson["se"] = area.se;
  areaJson["softmax"] = area.softmax;
  areaJson["sram"] = area.sram;
  areaJson["total"] = area.total();
  j["area_mm2"] = areaJson;
  Efficiency eff = efficiency(s, program, config);
  ordered_json effJson;
  effJson["dense_equivalent_ops"] = eff.ops;
  effJson["effective_gops"] = eff.gops;
  effJson["gops_per_mm2"] = eff.gopsPerMm2;
  effJson["gops_per_watt"] = eff.gopsPerWatt;
  j["efficiency"] = effJson;

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

std::string statsToText(const SimResult &result, const Program &program,
                        const AccelConfig &config) {
  const Stats &s = result.stats;
  const AttentionShape &sh = program.shape;
  const double total = double(s.totalCycles);
  std::string text;
  raw_string_ostream os(text);
  Energy energy = computeEnergy(s, config);
  Area area = computeArea(config);
  Efficiency eff = efficiency(s, program, config);
  os << "hdp-sim report: " << config.name << ", "
     << (isDenseEngineProgram(program) ? "dense" : "hdp")
     << " engine, B=" << sh.B << " H=" << sh.H << " N=" << sh.N << " M=" << sh.M
     << " D=" << sh.D << " Dv=" << sh.Dv
     << (sh.hasMask
             ? std::string(", mask (") + accel::maskFormName(sh.maskForm) + ")"
             : std::string())
     << "\n";
  os << format("  %llu cycles (%.2f us at %g MHz), %.3f uJ, %.2f mm2 at %s\n",
               (unsigned long long)s.totalCycles, total / config.clockMhz,
               config.clockMhz, energy.total() * 1e-6, area.total(), kAreaNode);
  os << format("  effective %.1f GOPS (dense-equivalent), %.1f GOPS/mm2, "
               "%.1f GOPS/W\n",
               eff.gops, eff.gopsPerMm2, eff.gopsPerWatt);
  os << format("  DRAM %.3f MB read, %.3f MB written, channel busy %.1f%%; "
               "block sparsity %.1f%%, %llu of %llu heads pruned\n",
               s.dramBytesRead * 1e-6, s.dramBytesWritten * 1e-6,
               100 * ratio(double(s.dramBusyCycles), total),
               100 * ratio(double(s.blocksValid) - double(s.blocksKept),
                           double(s.blocksValid)),
               (unsigned long long)s.headsPruned,
               (unsigned long long)s.headsTotal);

  os << "\nunit time (% of cycles x cores)\n";
  os << format("  %-8s %7s", "unit", "active");
  for (unsigned c = 0; c < kNumWaitCauses; ++c)
    os << format(" %12s",
                 waitCauseName(static_cast<WaitCause>(c)).str().c_str());
  os << format(" %7s\n", "idle");
  const double unitCycles = total * double(s.unitTime.size());
  for (Unit u : kWorkUnits) {
    UnitTime t = unitTotal(s, u);
    os << format("  %-8s %6.1f%%", unitName(u).str().c_str(),
                 100 * ratio(double(t.active), unitCycles));
    for (unsigned c = 0; c < kNumWaitCauses; ++c)
      os << format(" %11.1f%%", 100 * ratio(double(t.stall[c]), unitCycles));
    os << format(" %6.1f%%\n", 100 * ratio(double(t.idle), unitCycles));
  }

  const PeakRates peak = peakRates(config);
  os << "\nphases\n";
  os << format("  %-13s %8s %12s %10s %10s %10s %9s %10s %10s %8s\n", "phase",
               "commands", "span cycles", "int MACs", "P.V MACs", "DRAM MB",
               "dyn. uJ", "MAC/byte", "MAC/cycle", "bound");
  for (unsigned i = 0; i < kNumPhases; ++i) {
    const PhaseStats &p = s.phases[i];
    if (!p.commands)
      continue;
    RooflinePoint r =
        roofline(p.intMacs, p.pvMacs, p.dramBytesRead + p.dramBytesWritten,
                 p.span(), peak);
    os << format("  %-13s %8llu %12llu %10.4g %10.4g %10.3f %9.3f %10.3g "
                 "%10.4g %8s\n",
                 phaseName(static_cast<Phase>(i)).str().c_str(),
                 (unsigned long long)p.commands, (unsigned long long)p.span(),
                 double(p.intMacs), double(p.pvMacs),
                 (p.dramBytesRead + p.dramBytesWritten) * 1e-6,
                 computeEnergy(phaseCounters(p), config).total() * 1e-6,
                 r.intensity, r.achieved, r.bound());
  }
  os << format("  roofs: %.0f integer MACs/cycle, %.0f P.V MACs/cycle, %g "
               "DRAM bytes/cycle\n",
               peak.intMacsPerCycle, peak.pvMacsPerCycle,
               peak.dramBytesPerCycle);

  os << format("\narea (mm2 at %s): PE integer %.3f, PE P.V %.3f, SE %.3f, "
               "softmax %.3f, SRAM %.3f, total %.3f\n",
               kAreaNode, area.peInt, area.pePv, area.se, area.softmax,
               area.sram, area.total());
  os << format("energy (uJ): PE integer %.3f, PE P.V %.3f, SE %.3f, softmax "
               "%.3f, SRAM %.3f, DRAM %.3f, leakage %.3f\n",
               energy.peInt * 1e-6, energy.pePv * 1e-6, energy.se * 1e-6,
               energy.softmax * 1e-6, energy.sram * 1e-6, energy.dram * 1e-6,
               energy.leakage * 1e-6);
  return text;
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
