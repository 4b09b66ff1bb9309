"""Runs the points of a sweep on dask.distributed.

Both sweeps of hdp (bench/sim/sweep.py over the simulator, bench/accuracy/
sweep.py over hdp-eval) hand their points to `Runner.map`, which runs them
on a dask.distributed cluster (Debian's python3-distributed):

* by default a local cluster of `--workers` workers (one thread each) in
  this process, talking over loopback TCP like a real cluster;
* with `--scheduler=ADDRESS` (e.g. tcp://10.0.0.5:8786) the cluster behind
  that scheduler, started with `dask-scheduler` and `dask-worker` on other
  machines. Its workers must see the same paths (a shared file system: the
  binaries, the inputs and the output directory) and import the same
  modules (PYTHONPATH=<repo>/utils:<repo>/bench).

Results come back in the order of the points, whatever the number of
workers or the order they finish in, so a sweep writes the same files on
one worker as on many. A point's exception is raised from `map` (the sweeps
catch their own errors and return them in the point's row instead).
"""

import os
import sys
import time

DEFAULT_LOCAL_WORKERS = 2


def add_arguments(parser, default_workers=DEFAULT_LOCAL_WORKERS):
    """Adds --workers and --scheduler to an argparse parser."""
    parser.add_argument(
        "--workers", type=int, default=default_workers,
        help="workers of the local dask cluster (default %(default)s; "
             "ignored with --scheduler)")
    parser.add_argument(
        "--scheduler", metavar="ADDRESS",
        help="run on the dask.distributed cluster of this scheduler "
             "(tcp://host:8786) instead of a local one")


class RunnerError(Exception):
    pass


class Runner:
    """A dask client over a local or remote cluster; a context manager."""

    def __init__(self, workers=DEFAULT_LOCAL_WORKERS, scheduler=None,
                 connect_timeout="20s"):
        try:
            import distributed
        except ImportError:
            raise RunnerError("dask.distributed is missing (apt-get install -y "
                              "python3-distributed); run with /usr/bin/python3")
        self._distributed = distributed
        self._cluster = None
        if scheduler:
            try:
                self._client = distributed.Client(scheduler, timeout=connect_timeout)
            except (OSError, TimeoutError, ValueError, TypeError) as e:
                raise RunnerError(f"--scheduler={scheduler}: cannot connect: {e}")
            n = len(self._client.scheduler_info().get("workers", {}))
            self.description = f"dask cluster at {scheduler} ({n} workers)"
        else:
            if workers < 1:
                raise RunnerError("--workers must be at least 1")
            # Threads, not processes: every point runs a subprocess (hdp-sim,
            # hdp-eval), so the GIL is not in the way, and the cluster starts
            # in well under a second. TCP on loopback, as a real cluster.
            self._cluster = distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=False,
                protocol="tcp://", host="127.0.0.1", dashboard_address=None,
                silence_logs=40)
            self._client = distributed.Client(self._cluster)
            self.description = f"local dask cluster ({workers} workers)"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def map(self, fn, items, on_result=None, shared=None):
        """fn(item), or fn(shared, item) when `shared` is given, for every
        item on the cluster; the results in item order. `shared` (e.g. the
        inputs every point compares against) is sent to each worker once.
        on_result(index, result) is called as each result arrives."""
        items = list(items)
        if not items:
            return []
        args = ()
        if shared is not None:
            args = (self._client.scatter(shared, broadcast=True, hash=False),)
        futures = [self._client.submit(fn, *args, item, pure=False) for item in items]
        index = {f.key: i for i, f in enumerate(futures)}
        results = [None] * len(items)
        for future in self._distributed.as_completed(futures):
            i = index[future.key]
            results[i] = future.result()  # raises the point's exception
            if on_result:
                on_result(i, results[i])
        return results


def here_on_path():
    """Puts this directory on sys.path (for the sweeps that import us)."""
    d = os.path.dirname(os.path.abspath(__file__))
    if d not in sys.path:
        sys.path.insert(0, d)
