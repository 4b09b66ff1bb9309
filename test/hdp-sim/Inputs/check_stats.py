"""Checks that an hdp-sim statistics file has every documented field and
that the numbers are consistent with each other.

  check_stats.py stats.json [--expect-pruned-heads] [--expect-fum-savings]
                            [--expect-no-fum-savings]

Prints "stats: ok" and a few facts for FileCheck, or the first problem.
"""

import json
import sys


def fail(message):
    print(f"stats: PROBLEM: {message}")
    sys.exit(1)


def main():
    s = json.load(open(sys.argv[1]))
    flags = set(sys.argv[2:])
    for key in ["accelerator", "clock_mhz", "shape", "attention", "cycles", "units",
                "cores", "dram", "sram", "operations", "energy_pj", "energy_uj",
                "pruning", "commands"]:
        if key not in s:
            fail(f"missing field '{key}'")
    total = s["cycles"]["total"]
    if total <= 0:
        fail("total cycles must be positive")
    if abs(s["cycles"]["time_us"] - total / s["clock_mhz"]) > 1e-6 * total:
        fail("time_us disagrees with cycles / clock")
    units = ["dma_in", "dma_out", "pe", "se", "softmax"]
    for u in units:
        entry = s["units"][u]
        if not 0 <= entry["utilization"] <= 1:
            fail(f"utilization of {u} out of [0, 1]")
    for core in s["cores"]:
        for u in units:
            if core[u]["busy_cycles"] > total:
                fail(f"core {core['core']} {u} busy longer than the run")
    if len(s["cores"]) < 1:
        fail("no cores")
    dram = s["dram"]
    for key in ["bytes_read", "bytes_written", "bytes_saved_fetch_upon_mask",
                "bytes_saved_head_pruning", "busy_cycles", "utilization"]:
        if key not in dram or dram[key] < 0:
            fail(f"dram.{key} missing or negative")
    if dram["busy_cycles"] > total:
        fail("DRAM busy longer than the run")
    if s["sram"]["bytes_read"] <= 0 or s["sram"]["bytes_written"] <= 0:
        fail("no SRAM traffic")
    energy = s["energy_pj"]
    parts = ["pe_int", "pe_pv", "se", "softmax", "sram", "dram", "leakage"]
    if abs(sum(energy[p] for p in parts) - energy["total"]) > 1e-6 * energy["total"]:
        fail("energy parts do not add up to the total")
    if abs(energy["total"] * 1e-6 - s["energy_uj"]) > 1e-9 * energy["total"]:
        fail("energy_uj disagrees with energy_pj.total")
    p = s["pruning"]
    if not p["blocks_kept"] <= p["blocks_valid"] <= p["blocks_total"]:
        fail("blocks kept <= valid <= total violated")
    if p["blocks_pruned"] != p["blocks_valid"] - p["blocks_kept"]:
        fail("blocks_pruned != valid - kept")
    if not 0 <= p["heads_pruned"] <= p["heads_total"]:
        fail("heads pruned out of range")
    c = s["commands"]
    if c["executed"] + c["skipped_pruned_head"] != c["total"]:
        fail("executed + skipped != total commands")
    if sum(c["by_opcode"].values()) != c["total"]:
        fail("commands by opcode do not add up")
    if "--expect-pruned-heads" in flags and p["heads_pruned"] == 0:
        fail("expected pruned heads")
    if "--expect-pruned-heads" in flags and dram["bytes_saved_head_pruning"] == 0:
        fail("expected bytes saved by head pruning")
    if "--expect-fum-savings" in flags and dram["bytes_saved_fetch_upon_mask"] == 0:
        fail("expected Fetch-Upon-Mask savings")
    if "--expect-no-fum-savings" in flags and dram["bytes_saved_fetch_upon_mask"] != 0:
        fail("expected no Fetch-Upon-Mask savings")
    print("stats: ok")
    print(f"accelerator: {s['accelerator']}")
    print(f"cores: {len(s['cores'])}")
    print(f"policy: {s['attention']['policy']}")


if __name__ == "__main__":
    main()
