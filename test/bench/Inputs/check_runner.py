"""Checks bench/sweep_runner.py on local dask clusters over loopback: the
results come back in the order of the items whatever the number of workers
and the order they finish in, shared data reaches every task, a task's
exception reaches the caller, and a scheduler that cannot be reached is one
error naming it."""

import os
import sys
import time

sys.path.insert(0, os.path.join(sys.argv[1], "bench"))
import sweep_runner  # noqa: E402


def slow_square(shared, x):
    # Later items finish first, so completion order differs from item order.
    time.sleep(0.02 * (9 - x))
    return shared["offset"] + x * x, os.getpid()


def fail_on_three(x):
    if x == 3:
        raise ValueError("point 3 failed")
    return x


results = {}
for workers in (1, 3):
    seen = []
    with sweep_runner.Runner(workers=workers) as runner:
        print(runner.description)
        out = runner.map(slow_square, range(10), shared={"offset": 100},
                         on_result=lambda i, r: seen.append(i))
    results[workers] = [v for v, _ in out]
    print(f"{workers} workers: {results[workers]}; arrival order "
          f"{'differs from' if seen != sorted(seen) else 'equals'} item order")
print("same results:", results[1] == results[3])

with sweep_runner.Runner(workers=2) as runner:
    try:
        runner.map(fail_on_three, range(6))
        print("no exception")
    except ValueError as e:
        print("exception:", e)
    print("empty:", runner.map(fail_on_three, []))

try:
    sweep_runner.Runner(workers=0)
except sweep_runner.RunnerError as e:
    print("error:", e)
try:
    sweep_runner.Runner(scheduler="tcp://127.0.0.1:9", connect_timeout="1s")
except sweep_runner.RunnerError as e:
    print("error:", e)
