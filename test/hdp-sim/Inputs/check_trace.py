"""Checks that a file is Chrome trace-event JSON as Perfetto reads it: an
object with a traceEvents list of complete ("X") events with numeric ts and
dur, and metadata ("M") events naming a process per core (plus the DRAM
channel) and a thread per unit. Intervals on one thread must not overlap.

  check_trace.py trace.json
"""

import json
import sys
from collections import defaultdict


def main():
    t = json.load(open(sys.argv[1]))
    events = t["traceEvents"]
    processes, threads = {}, defaultdict(dict)
    intervals = defaultdict(list)
    for e in events:
        ph = e["ph"]
        if ph == "M":
            if e["name"] == "process_name":
                processes[e["pid"]] = e["args"]["name"]
            elif e["name"] == "thread_name":
                threads[e["pid"]][e["tid"]] = e["args"]["name"]
            continue
        assert ph == "X", e
        assert isinstance(e["ts"], (int, float)) and isinstance(e["dur"], (int, float)), e
        assert e["dur"] >= 0, e
        intervals[(e["pid"], e["tid"])].append((e["args"]["start_cycle"], e["args"]["end_cycle"]))
    for key, spans in intervals.items():
        spans.sort()
        for (s0, e0), (s1, e1) in zip(spans, spans[1:]):
            assert s1 >= e0, f"overlap on {key}: {(s0, e0)} {(s1, e1)}"
        assert key[0] in processes and key[1] in threads[key[0]], key
    cores = sorted(name for name in processes.values() if name.startswith("core "))
    print(f"trace: ok, {len(cores)} cores, {sum(len(s) for s in intervals.values())} events")
    print("processes: " + ", ".join(processes[p] for p in sorted(processes)))
    print("threads of core 0: " + ", ".join(threads[1][k] for k in sorted(threads[1])))


if __name__ == "__main__":
    main()
