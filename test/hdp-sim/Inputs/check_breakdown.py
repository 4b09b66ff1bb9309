"""Checks the architect's sections of an hdp-sim statistics file against
each other: every unit's cycles add up to the run (per core and summed),
the phases add up to the totals (traffic, work, dynamic energy, unit time),
the roofline follows from the counts and the configuration, the area adds
up and efficiency follows from time, energy and area.

  check_breakdown.py stats.json

Prints "breakdown: ok" and facts for FileCheck, or the first problem.
"""

import json
import math
import sys

UNITS = ("dma_in", "dma_out", "pe", "se", "softmax")
PHASES = ("prepass", "head_decision", "attention")
CAUSES = ("dram_channel", "dram_data", "dependency", "unit", "barrier")


def fail(message):
    print(f"breakdown: PROBLEM: {message}")
    sys.exit(1)


def close(a, b, what, rel=1e-9):
    if not math.isclose(a, b, rel_tol=rel, abs_tol=1e-6):
        fail(f"{what}: {a} != {b}")


def main():
    s = json.load(open(sys.argv[1]))
    total = s["cycles"]["total"]
    cores = len(s["cores"])
    keys = ["active"] + [f"stall_{c}" for c in CAUSES] + ["idle"]
    for u in UNITS:
        t = s["units"][u]["cycles"]
        if list(t) != keys:
            fail(f"units.{u}.cycles has keys {list(t)}")
        if sum(t.values()) != total * cores:
            fail(f"units.{u}: cycles add up to {sum(t.values())}, not {total} x {cores}")
        if t["active"] + t["stall_dram_channel"] != s["units"][u]["busy_cycles"]:
            fail(f"units.{u}: active + channel wait != busy_cycles")
        for c in range(cores):
            ct = s["cores"][c][u]["cycles"]
            if sum(ct.values()) != total:
                fail(f"cores[{c}].{u}: cycles add up to {sum(ct.values())}, not {total}")
    # Phases add up to the totals.
    ph = [s["phases"][p] for p in PHASES]
    for key, want in (("dram_bytes_read", s["dram"]["bytes_read"]),
                      ("dram_bytes_written", s["dram"]["bytes_written"]),
                      ("dram_busy_cycles", s["dram"]["busy_cycles"]),
                      ("sram_bytes_read", s["sram"]["bytes_read"]),
                      ("sram_bytes_written", s["sram"]["bytes_written"]),
                      ("int_macs", s["operations"]["int_macs"]),
                      ("pv_macs", s["operations"]["pv_macs"]),
                      ("se_ops", s["operations"]["se_ops"]),
                      ("softmax_elements", s["operations"]["softmax_elements"])):
        if sum(p[key] for p in ph) != want:
            fail(f"phases: {key} adds up to {sum(p[key] for p in ph)}, not {want}")
    dynamic = s["energy_pj"]["total"] - s["energy_pj"]["leakage"]
    close(sum(p["energy_pj"]["dynamic"] for p in ph), dynamic, "phases: dynamic energy")
    for u in UNITS:
        for k in keys:
            got = sum(p["units"][u][k] for p in ph)
            if k == "idle":
                if got > s["units"][u]["cycles"]["idle"]:
                    fail(f"phases: {u} idle {got} exceeds the unit's")
            elif got != s["units"][u]["cycles"][k]:
                fail(f"phases: {u}.{k} adds up to {got}, not {s['units'][u]['cycles'][k]}")
    # The roofline follows from the counts.
    roofs = s["roofline"]
    for name, p in zip(PHASES, ph):
        r = p["roofline"]
        macs = p["int_macs"] + p["pv_macs"]
        dram = p["dram_bytes_read"] + p["dram_bytes_written"]
        close(r["macs"], macs, f"{name}: roofline macs")
        if dram:
            close(r["intensity_macs_per_dram_byte"], macs / dram, f"{name}: intensity")
            close(r["dram_roof_macs_per_cycle"],
                  macs / dram * roofs["dram_bytes_per_cycle"], f"{name}: DRAM roof")
        if p["span_cycles"]:
            close(r["achieved_macs_per_cycle"], macs / p["span_cycles"], f"{name}: achieved")
        if macs and r["achieved_macs_per_cycle"] > r["compute_roof_macs_per_cycle"] * (1 + 1e-9):
            fail(f"{name}: achieved above the compute roof")
        if macs and dram and r["achieved_macs_per_cycle"] > r["dram_roof_macs_per_cycle"] * (1 + 1e-9):
            fail(f"{name}: achieved above the DRAM roof")
    a = s["area_mm2"]
    close(a["total"], sum(a[k] for k in ("pe_int", "pe_pv", "se", "softmax", "sram")), "area")
    e = s["efficiency"]
    sh = s["shape"]
    ops = 2 * sh["B"] * sh["H"] * sh["N"] * sh["M"] * (sh["D"] + sh["Dv"])
    close(e["dense_equivalent_ops"], ops, "dense-equivalent ops")
    close(e["effective_gops"], ops / (s["cycles"]["time_us"] * 1e-6) * 1e-9, "GOPS")
    close(e["gops_per_mm2"], e["effective_gops"] / a["total"], "GOPS/mm2")
    close(e["gops_per_watt"], ops / (s["energy_pj"]["total"] * 1e-12) * 1e-9, "GOPS/W")
    print("breakdown: ok")
    print("area node:", a["node"])
    print("phases with commands:", [n for n, p in zip(PHASES, ph) if p["commands"]])
    print("bound:", roofs["total"]["bound"])


if __name__ == "__main__":
    main()
