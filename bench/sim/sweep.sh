#!/bin/sh
# Simulator sweep: rho x tau_H x block size x accelerator config on hdp-sim,
# (and any accelerator key, --sweep KEY=VALUES) written to a CSV with PNG
# plots. A thin wrapper around sweep.py, which needs Debian's python3 (numpy,
# python3-distributed; matplotlib for the plots: apt-get install -y
# python3-distributed python3-matplotlib). All options are sweep.py's (--help).
#
#   bench/sim/sweep.sh --rho -1,0,0.3,0.6 --tau-h 0,0.5,1 --block 1x1,2x2,4x4 \
#       --configs configs/hdp-edge.json,configs/hdp-server.json --out-dir results
#   bench/sim/sweep.sh --configs configs/hdp-edge.json \
#       --sweep pe.arrays_per_core=1..8:x2 --sweep dram.bytes_per_cycle=8,16,32
set -eu
PYTHON=${PYTHON:-/usr/bin/python3}
if [ ! -x "$PYTHON" ]; then
  echo "sweep: error: $PYTHON not found (set PYTHON= to a python3 with numpy)" >&2
  exit 2
fi
exec "$PYTHON" "$(dirname "$0")/sweep.py" "$@"
